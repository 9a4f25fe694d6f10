"""The case's note for clubs: staff write it, a club reads it only under consent."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consent import Category
from guide.audit.models import AuditEvent
from guide.cases.models import Case
from guide.consents.models import Consent
from guide.consents.sharing import share_with_club
from tests import factories
from tests.sharing_helpers import give, scene, withdraw
from tests.web.helpers import csrf_token, sign_in

NOTE = "Trenger hjelp med skolissene og liker å komme litt før de andre"


def post_note(client, case_id, text: str):
    page = client.get(f"/cases/{case_id}/practical-needs")
    assert page.status_code == 200
    return client.post(
        f"/cases/{case_id}/practical-needs",
        data={
            "practical_needs": text,
            "version": _field_value(page.text, "version"),
            "csrf_token": csrf_token(page.text),
        },
    )


def _field_value(html: str, name: str) -> str:
    marker = f'name="{name}" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def _stored_note(db, case_id) -> str | None:
    db.session.expire_all()
    return db.session.get(Case, case_id).practical_needs


def test_coordinator_writes_the_note_and_the_audit_log_names_only_the_field(app, db, client):
    s = scene()
    db.session.commit()
    assert sign_in(client, s.coordinator.email).status_code == 302

    response = post_note(client, s.case.id, NOTE)

    assert response.status_code == 302
    assert _stored_note(db, s.case.id) == NOTE
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case_field_changed"))
    assert event.details == {"field": "practical_needs"}
    assert NOTE not in str(event.details)
    assert NOTE in client.get(f"/cases/{s.case.id}").text


def test_the_note_is_encrypted_in_the_table(app, db, client):
    s = scene()
    s.case.practical_needs = NOTE
    db.session.commit()
    sealed = db.session.execute(
        select(Case.__table__.c.practical_needs).where(Case.__table__.c.id == s.case.id)
    ).scalar_one()
    assert NOTE.encode() not in sealed


def test_assigned_guide_writes_the_note(app, db, client):
    s = scene()
    db.session.commit()
    guide_user = s.case.assigned_guide.user
    assert sign_in(client, guide_user.email).status_code == 302
    assert post_note(client, s.case.id, NOTE).status_code == 302
    assert _stored_note(db, s.case.id) == NOTE


def test_a_guide_cannot_write_the_note_on_a_case_not_assigned_to_them(app, db, client):
    s = scene()
    stranger = factories.user(s.org, "guide")
    db.session.commit()
    assert sign_in(client, stranger.email).status_code == 302
    assert client.get(f"/cases/{s.case.id}/practical-needs").status_code == 404


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * 1001, "1000"),
        ("Hjelp med \u202egarderoben", "kontrolltegn"),
    ],
    ids=["too long", "direction override"],
)
def test_bad_text_is_refused_beside_the_field_and_nothing_is_stored(app, db, client, text, message):
    s = scene()
    db.session.commit()
    assert sign_in(client, s.coordinator.email).status_code == 302
    response = post_note(client, s.case.id, text)
    assert response.status_code == 400
    assert message in response.text
    assert _stored_note(db, s.case.id) is None


def test_emptying_the_box_clears_the_note(app, db, client):
    s = scene()
    s.case.practical_needs = NOTE
    db.session.commit()
    assert sign_in(client, s.coordinator.email).status_code == 302
    assert post_note(client, s.case.id, "   ").status_code == 302
    assert _stored_note(db, s.case.id) is None


# --- what the club sees --------------------------------------------------------------------


def _shared(app, db, categories):
    s = scene()
    s.case.practical_needs = NOTE
    consent = give(s, categories)
    with app.test_request_context():
        share_with_club(child=s.child, club=s.club, categories=categories, by=s.coordinator)
    db.session.commit()
    return s, consent


def _club_page(client, s):
    assert sign_in(client, s.contact.email).status_code == 302
    return client.get(f"/klubb/barn/{s.child.id}")


def test_the_club_sees_the_note_with_consent_for_practical_needs(app, db, client):
    s, _consent = _shared(app, db, (Category.IDENTITY, Category.PRACTICAL_NEEDS))
    page = _club_page(client, s)
    assert page.status_code == 200
    assert NOTE in page.text


def test_the_club_sees_no_note_without_consent_for_practical_needs(app, db, client):
    s, _consent = _shared(app, db, (Category.IDENTITY, Category.CONTACT))
    page = _club_page(client, s)
    assert page.status_code == 200
    assert NOTE not in page.text
    assert 'id="practical-needs"' not in page.text


def test_the_note_disappears_when_its_consent_is_withdrawn(app, db, client):
    s, _identity = _shared(app, db, (Category.IDENTITY,))
    needs = give(s, (Category.PRACTICAL_NEEDS,))
    with app.test_request_context():
        share_with_club(
            child=s.child, club=s.club, categories=(Category.PRACTICAL_NEEDS,), by=s.coordinator
        )
    db.session.commit()
    assert NOTE in _club_page(client, s).text

    withdraw(s, db.session.get(Consent, needs.id))
    db.session.commit()

    page = client.get(f"/klubb/barn/{s.child.id}")
    assert page.status_code == 200  # identity is still consented
    assert NOTE not in page.text


def test_the_club_page_shows_practical_needs_but_no_economy_or_health_data(app, db, client):
    s, _consent = _shared(app, db, (Category.IDENTITY, Category.PRACTICAL_NEEDS))
    fund = factories.fund(s.org, name="Fritidsstipend Nordby")
    factories.grant(
        s.case,
        requested_by=s.coordinator,
        amount=65_000,
        offer=s.activity,
        kind="trips_events",
        status="approved",
        fund_id=fund.id,
        reason="Familien har dårlig råd",
    )
    s.case.barriers = ["economy", "disability"]
    db.session.commit()

    text = _club_page(client, s).text

    assert NOTE in text
    for hidden in ("Fritidsstipend", "dårlig råd", "650,00", "økonomi", "helse", "støtte"):
        assert hidden not in text.lower(), hidden
