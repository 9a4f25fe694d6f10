"""The club contact's pages: only shared children, only consented fields, gone on withdrawal."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consent import Category
from guide.activities.models import Club, Enrollment, EnrollmentStatus
from guide.audit.models import AuditEvent
from guide.clubs_portal.models import ClubReport
from guide.consents.links import create_link, withdraw_consents
from guide.consents.models import Consent
from guide.consents.sharing import share_with_club
from guide.outbox.models import OutboxMessage
from tests import factories
from tests.sharing_helpers import (
    CHILD_BIRTH_DATE,
    CHILD_FIRST_NAME,
    CHILD_LAST_NAME,
    GUARDIAN_EMAIL,
    GUARDIAN_NAME,
    GUARDIAN_PHONE,
    give,
    scene,
    withdraw,
)
from tests.web.helpers import csrf_token, sign_in


def _shared_scene(app, db, categories=(Category.IDENTITY, Category.CONTACT)):
    s = scene()
    consent = give(s, categories)
    with app.test_request_context():
        share_with_club(child=s.child, club=s.club, categories=categories, by=s.coordinator)
    db.session.commit()
    return s, consent


def test_the_club_sees_first_name_age_and_phone_and_nothing_else(app, db, client):
    s, _consent = _shared_scene(app, db)
    assert sign_in(client, s.contact.email).status_code == 302

    listing = client.get("/klubb")
    page = client.get(f"/klubb/barn/{s.child.id}")

    assert listing.status_code == page.status_code == 200
    assert CHILD_FIRST_NAME in listing.text
    assert GUARDIAN_PHONE in page.text and GUARDIAN_EMAIL in page.text
    for never in (CHILD_LAST_NAME, CHILD_BIRTH_DATE, "01.04.2015", GUARDIAN_NAME, "Vil spille"):
        assert never not in listing.text and never not in page.text


def test_identity_alone_shows_no_guardian_contact(app, db, client):
    s, _consent = _shared_scene(app, db, (Category.IDENTITY,))
    assert sign_in(client, s.contact.email).status_code == 302
    page = client.get(f"/klubb/barn/{s.child.id}")
    assert CHILD_FIRST_NAME in page.text
    assert GUARDIAN_PHONE not in page.text


def test_signed_in_club_contact_lands_on_the_club_page(app, db, client):
    s, _consent = _shared_scene(app, db)
    assert sign_in(client, s.contact.email).status_code == 302
    assert client.get("/").headers["Location"].endswith("/klubb")


def test_another_clubs_contact_sees_nothing(app, db, client):
    s, _consent = _shared_scene(app, db)
    other_club = Club(organisation_id=s.org.id, name="Andre klubb", is_active=True)
    db.session.add(other_club)
    db.session.flush()
    stranger = factories.user(s.org, "club_contact", club_id=other_club.id)
    db.session.commit()
    assert sign_in(client, stranger.email).status_code == 302
    assert CHILD_FIRST_NAME not in client.get("/klubb").text
    assert client.get(f"/klubb/barn/{s.child.id}").status_code == 404


def test_after_withdrawal_the_child_is_gone_at_once_and_the_club_is_told(app, db, client):
    s, consent = _shared_scene(app, db)
    assert sign_in(client, s.contact.email).status_code == 302
    assert client.get(f"/klubb/barn/{s.child.id}").status_code == 200

    with app.test_request_context():
        link, _token = create_link(
            child=s.child, guardian=s.guardian, purpose="withdraw", by=s.coordinator
        )
        withdraw_consents(link, consent_ids=[str(consent.id)])
    db.session.commit()

    assert client.get(f"/klubb/barn/{s.child.id}").status_code == 404
    listing = client.get("/klubb")
    assert CHILD_FIRST_NAME not in listing.text
    assert "app-withdrawal-notice" in listing.text
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consent_withdrawn"))
    told = [
        mail
        for mail in db.session.scalars(select(OutboxMessage))
        if mail.recipient == s.contact.email
    ]
    assert len(told) == 2  # shared, then withdrawn
    for personal in (CHILD_FIRST_NAME, CHILD_LAST_NAME, GUARDIAN_PHONE):
        assert all(personal not in mail.body_text for mail in told)


def test_withdrawal_recorded_by_staff_also_hides_the_child(app, db, client):
    s, consent = _shared_scene(app, db)
    withdraw(s, db.session.get(Consent, consent.id))
    db.session.commit()
    assert sign_in(client, s.contact.email).status_code == 302
    assert client.get(f"/klubb/barn/{s.child.id}").status_code == 404


@pytest.mark.parametrize("extra", [Category.HEALTH_RELATED, Category.ECONOMY])
def test_health_and_economy_never_reach_the_club_page(app, db, client, extra):
    s, _consent = _shared_scene(app, db)
    # Even a row that claims them (written around the service's checks) changes nothing.
    rogue = give(s, (Category.IDENTITY,))
    db.session.flush()
    db.session.execute(
        Consent.__table__.update()
        .where(Consent.__table__.c.id == rogue.id)
        .values(categories=["identity", extra.value])
    )
    db.session.commit()
    s.case.barriers = ["economy"]
    db.session.commit()
    assert sign_in(client, s.contact.email).status_code == 302

    for url in ("/klubb", f"/klubb/barn/{s.child.id}"):
        text = client.get(url).text.lower()
        for word in ("økonomi", "economy", "helse", "health", "støtte", "stipend"):
            assert word not in text, (url, word)


def test_confirming_the_start_enrolls_the_child(app, db, client):
    s, _consent = _shared_scene(app, db)
    assert sign_in(client, s.contact.email).status_code == 302
    page = client.get(f"/klubb/barn/{s.child.id}")
    response = client.post(
        f"/klubb/barn/{s.child.id}/started", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    enrollment = db.session.scalars(select(Enrollment)).one()
    assert enrollment.status == EnrollmentStatus.enrolled
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "club_confirmed_start"))


def test_actions_on_a_withdrawn_child_answer_404(app, db, client):
    s, consent = _shared_scene(app, db)
    assert sign_in(client, s.contact.email).status_code == 302
    token = csrf_token(client.get(f"/klubb/barn/{s.child.id}").text)
    withdraw(s, db.session.get(Consent, consent.id))
    db.session.commit()
    for action in ("started", "absent", "started/take-back", "absent/take-back"):
        response = client.post(f"/klubb/barn/{s.child.id}/{action}", data={"csrf_token": token})
        assert response.status_code == 404
    assert client.get(f"/klubb/barn/{s.child.id}/absent").status_code == 404
    assert db.session.scalars(select(ClubReport)).all() == []


def test_the_mails_link_is_the_club_page(app):
    from flask import url_for

    from guide.consents.sharing import PORTAL_PATH

    with app.test_request_context():
        assert url_for("club_portal.children") == PORTAL_PATH


def test_the_club_sees_only_that_the_membership_fee_is_settled_by_the_scheme(app, db, client):
    s, _consent = _shared_scene(app, db)
    fund = factories.fund(s.org, name="Fritidsstipend Nordby")
    factories.grant(
        s.case,
        requested_by=s.coordinator,
        amount=180_000,
        offer=s.activity,
        status="paid",
        fund_id=fund.id,
        reason="Familien har dårlig råd",
        payment_reference="BILAG-2026-17",
    )
    db.session.commit()
    assert sign_in(client, s.contact.email).status_code == 302

    page = client.get(f"/klubb/barn/{s.child.id}")

    assert page.status_code == 200
    assert page.text.count("Kontingenten er betalt av ordningen.") == 1
    assert "Ordnet av ordningen" not in page.text
    for hidden in ("Fritidsstipend", "dårlig råd", "1\xa0800", "800,00", "BILAG"):
        assert hidden not in page.text, hidden


def test_no_settled_sentence_without_a_granted_fee_to_the_club(app, db, client):
    s, _consent = _shared_scene(app, db)
    factories.grant(s.case, requested_by=s.coordinator, amount=180_000, offer=s.activity)
    db.session.commit()
    assert sign_in(client, s.contact.email).status_code == 302
    page = client.get(f"/klubb/barn/{s.child.id}")
    assert page.status_code == 200
    assert "Kontingenten er betalt av ordningen." not in page.text
