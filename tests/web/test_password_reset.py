"""Forgotten password: the same answer for every address, a 1-hour single-use link."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from guide.accounts import password_reset
from guide.accounts.models import AccountToken, TokenPurpose, User, UserSession
from guide.accounts.passwords import verify_password
from guide.audit.models import AuditEvent
from guide.database import utcnow
from guide.outbox.models import OutboxMessage
from tests import factories
from tests.web.helpers import csrf_token, sign_in

NEW_PASSWORD = "blåbærsyltetøy på lørdagsvafler"
LINK = re.compile(r"http://127\.0\.0\.1:5000(/password/reset/[A-Za-z0-9_-]+)")


def _account(db, **fields) -> User:
    account = factories.user(factories.organisation(), "coordinator", **fields)
    db.session.commit()
    return account


def _ask_for_link(client, email: str):
    page = client.get("/password/forgot")
    return client.post(
        "/password/forgot", data={"email": email, "csrf_token": csrf_token(page.text)}
    )


def _reset_link(db, address: str) -> str:
    db.session.expire_all()
    ordered = select(OutboxMessage).order_by(OutboxMessage.created_at)
    mails = [m for m in db.session.scalars(ordered) if m.recipient == address]
    assert mails, f"no mail to {address}"
    match = LINK.search(mails[-1].body_text)
    assert match, "no reset link in the mail"
    return match.group(1)


def _new_link(client, db, account: User) -> str:
    """Ask for a reset link for ``account`` and return the path in the mail it gets."""
    _ask_for_link(client, account.email)
    return _reset_link(db, account.email)


def _choose(client, path: str, password: str = NEW_PASSWORD):
    page = client.get(path)
    assert page.status_code == 200
    data = {"password": password, "password_confirm": password, "csrf_token": csrf_token(page.text)}
    return client.post(path, data=data)


def test_known_and_unknown_addresses_get_the_same_answer(client, db):
    account = _account(db)

    known = _ask_for_link(client, account.email)
    unknown = _ask_for_link(client, "nobody@example.com")

    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    page = client.get(known.headers["Location"])
    assert "Hvis adressen er registrert" in page.text
    mails = db.session.scalars(select(OutboxMessage)).all()
    assert [mail.recipient for mail in mails] == [account.email]
    assert mails[0].subject == "Tilbakestill passordet ditt i Fritidsguide"


def test_both_answers_do_the_same_work(client, db, monkeypatch):
    account = _account(db)
    rendered: list[str] = []
    original = password_reset.render_email

    def counting_render(template, **kwargs):
        rendered.append(template)
        return original(template, **kwargs)

    monkeypatch.setattr(password_reset, "render_email", counting_render)
    monkeypatch.setattr("guide.outbox.services.render_email", counting_render)
    _ask_for_link(client, account.email)
    _ask_for_link(client, "nobody@example.com")

    assert rendered == ["password_reset", "password_reset"]
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "password_reset_requested")
    ).all()
    assert len(events) == 2
    assert all("@" not in str(event.details) for event in events)


def test_deactivated_account_gets_no_mail(client, db):
    account = _account(db, is_active=False)
    assert _ask_for_link(client, account.email).status_code == 302
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_reset_link_sets_a_new_password_and_ends_every_session(client, app, db):
    account = _account(db)
    signed_in_elsewhere = app.test_client()
    assert sign_in(signed_in_elsewhere, account.email).status_code == 302
    assert signed_in_elsewhere.get("/users/invite").status_code == 200
    path = _new_link(client, db, account)

    response = _choose(client, path)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sign-in")
    db.session.expire_all()
    user = db.session.get(User, account.id)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert user.password_changed_at is not None
    assert all(row.ended_at is not None for row in db.session.scalars(select(UserSession)))
    assert signed_in_elsewhere.get("/users/invite").status_code == 302
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert {"password_changed", "password_reset_link_used"} <= set(actions)
    subjects = db.session.scalars(select(OutboxMessage.subject)).all()
    assert "Passordet ditt i Fritidsguide er endret" in subjects
    # The new password works; the old one does not.
    assert sign_in(app.test_client(), account.email).status_code == 400
    assert sign_in(app.test_client(), account.email, NEW_PASSWORD).status_code == 302


def test_reset_link_works_only_once(client, db):
    account = _account(db)
    path = _new_link(client, db, account)
    assert _choose(client, path).status_code == 302

    again = client.get(path)

    assert again.status_code == 404
    assert "Denne lenken kan ikke brukes" in again.text


def test_reset_link_expires_after_an_hour(client, db):
    account = _account(db)
    path = _new_link(client, db, account)
    row = db.session.scalar(select(AccountToken))
    assert dt.timedelta(minutes=59) < row.expires_at - utcnow() <= dt.timedelta(hours=1)
    row.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()

    assert client.get(path).status_code == 404


def test_used_expired_and_unknown_reset_links_look_the_same(client, db):
    account = _account(db)
    used = _new_link(client, db, account)
    _choose(client, used)
    other = _account(db)
    expired = _new_link(client, db, other)
    db.session.scalar(select(AccountToken).where(AccountToken.email == other.email)).expires_at = (
        utcnow() - dt.timedelta(minutes=1)
    )
    db.session.commit()

    pages = [client.get(path) for path in (used, expired, "/password/reset/" + "C" * 43)]

    assert [page.status_code for page in pages] == [404, 404, 404]
    mains = {page.text[page.text.index("<main") : page.text.index("</main>")] for page in pages}
    assert len(mains) == 1


def test_an_invitation_token_is_not_a_reset_token(client, db):
    account = _account(db)
    path = _new_link(client, db, account)
    db.session.scalar(select(AccountToken)).purpose = TokenPurpose.invitation
    db.session.commit()
    assert client.get(path).status_code == 404


def test_weak_new_password_is_refused(client, db):
    account = _account(db)
    path = _new_link(client, db, account)

    response = _choose(client, path, password="password1234")

    assert response.status_code == 400
    assert "Dette passordet er for lett å gjette." in response.text
    db.session.expire_all()
    assert db.session.scalar(select(AccountToken)).used_at is None


def test_a_newer_link_replaces_the_older_one(client, db):
    account = _account(db)
    first = _new_link(client, db, account)
    second = _new_link(client, db, account)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_link_stops_working_when_the_address_changes(client, db):
    account = _account(db)
    path = _new_link(client, db, account)
    db.session.get(User, account.id).email = "changed@example.com"
    db.session.commit()
    assert client.get(path).status_code == 404


def test_asking_for_links_is_rate_limited(make_app, db):
    limited = make_app(rate_limits_enabled=True)
    client = limited.test_client()
    token = csrf_token(client.get("/password/forgot").text)
    statuses = [
        client.post(
            "/password/forgot", data={"email": "nobody@example.com", "csrf_token": token}
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [302] * 5 + [429]
