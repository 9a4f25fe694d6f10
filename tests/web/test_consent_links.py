"""The guardian's single-use consent link: created by staff, answered without an account."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from consent import text_fingerprint
from guide.audit.models import AuditEvent
from guide.consents.links import create_link, token_digest
from guide.consents.models import Consent, ConsentLink, ConsentWithdrawal
from guide.consents.texts import consent_text
from guide.database import utcnow
from guide.extensions import db as _db
from guide.outbox.models import OutboxMessage
from tests.sharing_helpers import (
    CHILD_FIRST_NAME,
    CHILD_LAST_NAME,
    CLUB_NAME,
    GUARDIAN_EMAIL,
    GUARDIAN_NAME,
    give,
    scene,
)
from tests.web.helpers import csrf_token, sign_in

LINK = re.compile(r"/samtykke/([A-Za-z0-9_-]{43})")


def _link(app, s, purpose="give"):
    with app.test_request_context():
        link, token = create_link(
            child=s.child, guardian=s.guardian, purpose=purpose, by=s.coordinator
        )
    _db.session.commit()
    return link, token


def _answer(client, token, ticked, **fields):
    page = client.get(f"/samtykke/{token}")
    data = {"csrf_token": csrf_token(page.text), "consent": ticked, **fields}
    data["text_version"] = re.search(r'name="text_version"[^>]*value="([^"]*)"', page.text)[1]
    return client.post(f"/samtykke/{token}", data=data)


def _ask_for_link(client, s, delivery):
    """The coordinator asks for a link for the scene's guardian to give consent."""
    assert sign_in(client, s.coordinator.email).status_code == 302
    url = f"/cases/{s.case.id}/consent-link"
    page = client.get(url)
    data = {"guardian": str(s.guardian.id), "purpose": "give", "delivery": delivery}
    return client.post(url, data={"csrf_token": csrf_token(page.text), **data})


def test_coordinator_creates_a_link_shown_as_qr_code_and_only_its_hash_is_stored(app, db, client):
    s = scene()
    db.session.commit()
    response = _ask_for_link(client, s, "show")

    assert response.status_code == 200
    assert "<svg" in response.text
    token = LINK.search(response.text)[1]
    link = db.session.scalars(select(ConsentLink)).one()
    assert link.token_hash == token_digest(token) != token
    assert link.language == "nb" and link.purpose == "give"
    assert dt.timedelta(days=13, hours=23) < link.expires_at - utcnow() <= dt.timedelta(days=14)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_e_mail_is_in_the_guardians_language_and_names_no_one(app, db, client):
    s = scene(guardian_language="ar")
    db.session.commit()
    assert _ask_for_link(client, s, "email").status_code == 200

    mail = db.session.scalars(select(OutboxMessage)).one()
    assert mail.recipient == GUARDIAN_EMAIL
    assert mail.locale == "ar"
    assert re.search(r"[\u0600-\u06ff]", mail.subject), "the subject is in Arabic"
    assert LINK.search(mail.body_text)
    for personal in (CHILD_FIRST_NAME, CHILD_LAST_NAME, GUARDIAN_NAME, CLUB_NAME):
        assert personal not in mail.body_text and personal not in mail.subject


def test_no_link_is_made_for_an_e_mail_to_a_guardian_without_an_address(app, db, client):
    s = scene()
    s.guardian.email = None
    db.session.commit()
    response = _ask_for_link(client, s, "email")

    assert response.status_code == 400
    assert "Vis QR-koden i stedet" in response.text  # no e-mail address: show the QR code
    assert db.session.scalar(select(func.count()).select_from(ConsentLink)) == 0


def test_guardian_gives_consent_per_recipient_and_category(app, db, client):
    s = scene()
    link, token = _link(app, s)

    page = client.get(f"/samtykke/{token}")
    assert page.status_code == 200
    assert CHILD_FIRST_NAME in page.text and CLUB_NAME in page.text
    assert CHILD_LAST_NAME not in page.text
    for paragraph in consent_text("nb").text.split("\n\n"):
        assert paragraph.replace("'", "&#39;") in page.text

    response = _answer(
        client,
        token,
        [f"{s.club.id}:identity", f"{s.club.id}:contact", "scheme:identity"],
        child_heard="yes",
        child_view="Gleder meg til fotball",
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/samtykke/takk/nb"
    consents = db.session.scalars(select(Consent).order_by(Consent.recipient_kind)).all()
    assert [(c.recipient_kind, sorted(c.categories)) for c in consents] == [
        ("club", ["contact", "identity"]),
        ("scheme", ["identity"]),
    ]
    club_consent = consents[0]
    assert club_consent.method == "digital_link"
    assert club_consent.recipient_club_id == s.club.id
    assert club_consent.given_by_name == GUARDIAN_NAME
    assert club_consent.guardian_id == s.guardian.id
    assert club_consent.child_heard is True
    assert club_consent.child_view == "Gleder meg til fotball"
    assert club_consent.text_language == "nb"
    with app.test_request_context():
        assert club_consent.text_sha256 == text_fingerprint(consent_text("nb").text)
    db.session.expire_all()
    assert db.session.get(ConsentLink, link.id).used_at is not None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consent_link_used"))


def test_the_page_follows_the_links_language_right_to_left_for_arabic(app, db, client):
    s = scene(guardian_language="ar")
    _link_row, token = _link(app, s)
    page = client.get(f"/samtykke/{token}")
    assert '<html lang="ar" dir="rtl">' in page.text
    assert re.search(r"[\u0600-\u06ff]{3}", page.text)


def test_the_thank_you_page_is_in_the_links_language_and_names_no_one(app, db, client):
    s = scene(guardian_language="ar")
    _link_row, token = _link(app, s)
    answered = _answer(client, token, [f"{s.club.id}:identity"])
    assert answered.headers["Location"] == "/samtykke/takk/ar"

    page = client.get(answered.headers["Location"])
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert page.headers["Cache-Control"] == "no-store"
    for secret in (CHILD_FIRST_NAME, CHILD_LAST_NAME, GUARDIAN_NAME, CLUB_NAME):
        assert secret not in page.text
    assert client.get("/samtykke/takk/xx").status_code == 404


def test_nothing_ticked_is_a_refusal_that_stores_no_consent(app, db, client):
    s = scene()
    link, token = _link(app, s)
    response = _answer(client, token, [])
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Consent)) == 0
    db.session.expire_all()
    assert db.session.get(ConsentLink, link.id).used_at is not None


def test_a_health_or_economy_box_for_a_club_is_ignored(app, db, client):
    s = scene()
    _link_row, token = _link(app, s)
    _answer(client, token, [f"{s.club.id}:identity", f"{s.club.id}:economy"])
    consent = db.session.scalars(select(Consent)).one()
    assert consent.categories == ["identity"]


def _invalid_pages(app, db, client):
    s = scene()
    _used, used_token = _link(app, s)
    _answer(client, used_token, [f"{s.club.id}:identity"])
    _expired, expired_token = _link(app, s)
    db.session.execute(
        ConsentLink.__table__.update()
        .where(ConsentLink.__table__.c.token_hash == token_digest(expired_token))
        .values(expires_at=utcnow() - dt.timedelta(seconds=1))
    )
    db.session.commit()
    unknown_token = "x" * 43
    return {
        name: client.get(f"/samtykke/{token}")
        for name, token in (
            ("used", used_token),
            ("expired", expired_token),
            ("unknown", unknown_token),
        )
    }


def test_used_expired_and_unknown_links_show_one_plain_page(app, db, client):
    pages = _invalid_pages(app, db, client)
    bodies = set()
    for name, response in pages.items():
        assert response.status_code == 404, name
        for secret in (CHILD_FIRST_NAME, CHILD_LAST_NAME, GUARDIAN_NAME, CLUB_NAME):
            assert secret not in response.text, (name, secret)
        # The token differs in the address only; the page itself must be the same.
        bodies.add(re.sub(r'name="csrf_token"[^>]*>', "", response.text))
    assert len(bodies) == 1


def test_a_used_link_cannot_be_answered_again(app, db, client):
    s = scene()
    _link_row, token = _link(app, s)
    page = client.get(f"/samtykke/{token}")
    data = {"csrf_token": csrf_token(page.text), "consent": [f"{s.club.id}:identity"]}
    assert client.post(f"/samtykke/{token}", data=data).status_code == 302
    assert client.post(f"/samtykke/{token}", data=data).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Consent)) == 1


def test_guardian_withdraws_chosen_consents_through_a_withdraw_link(app, db, client):
    s = scene()
    to_club = give(s)
    to_scheme = give(s, club=None)
    db.session.commit()
    _link_row, token = _link(app, s, purpose="withdraw")

    page = client.get(f"/samtykke/{token}")
    assert CLUB_NAME in page.text
    response = client.post(
        f"/samtykke/{token}",
        data={"csrf_token": csrf_token(page.text), "withdraw": [str(to_club.id)]},
    )

    assert response.status_code == 302
    withdrawals = db.session.scalars(select(ConsentWithdrawal)).all()
    assert [(w.consent_id, w.channel) for w in withdrawals] == [(to_club.id, "digital_link")]
    assert to_scheme.id not in {w.consent_id for w in withdrawals}
    assert client.get(f"/samtykke/{token}").status_code == 404


def test_link_pages_are_rate_limited(make_app):
    limited = make_app(rate_limits_enabled=True)
    client = limited.test_client()
    statuses = [client.get(f"/samtykke/{'y' * 43}").status_code for _ in range(25)]
    assert statuses[0] == 404
    assert 429 in statuses


@pytest.mark.parametrize("purpose", ["give", "withdraw"])
def test_link_pages_never_go_to_the_browser_cache_or_referrer(app, db, client, purpose):
    s = scene()
    _link_row, token = _link(app, s, purpose=purpose)
    response = client.get(f"/samtykke/{token}")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]
