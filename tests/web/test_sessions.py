"""Server-side sessions: rotation at sign-in, sign-out, timeouts, ending them, cookie flags."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from guide import create_app
from guide.accounts.models import User, UserSession
from guide.accounts.services import change_password
from guide.accounts.sessions import SESSION_KEY
from guide.admin.services import deactivate_user
from guide.audit.models import AuditEvent
from guide.database import utcnow
from guide.extensions import db as _db
from tests import factories
from tests.conftest import IsolatedClient
from tests.web.helpers import csrf_token, same_keys, sign_in

COOKIE = "session"


def _signed_in_coordinator(client, db) -> User:
    org = factories.organisation()
    account = factories.user(org, "coordinator")
    db.session.commit()
    assert sign_in(client, account.email).status_code == 302
    assert client.get("/cases").status_code == 200
    return account


def _fresh_client_with_cookie(app, value: str):
    other = app.test_client()
    other.set_cookie(COOKIE, value)
    return other


def _is_refused(client) -> bool:
    response = client.get("/cases")
    return response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def _session_token(client) -> str | None:
    with client.session_transaction() as flask_session:
        return flask_session.get(SESSION_KEY)


def test_session_changes_at_sign_in(app, client, db):
    client.get("/sign-in")
    before = client.get_cookie(COOKIE).value
    account = _signed_in_coordinator(client, db)
    first_token = _session_token(client)
    after = client.get_cookie(COOKIE).value
    assert first_token and before != after
    # A cookie planted before sign-in (session fixation) gives no access afterwards.
    assert _is_refused(_fresh_client_with_cookie(app, before))

    assert sign_in(client, account.email).status_code == 302
    assert _session_token(client) != first_token
    assert _is_refused(_fresh_client_with_cookie(app, after))
    rows = db.session.scalars(select(UserSession).order_by(UserSession.created_at)).all()
    assert [row.ended_reason for row in rows] == ["replaced", None]


def test_cookie_replayed_after_sign_out_is_refused(app, client, db):
    _signed_in_coordinator(client, db)
    copied = client.get_cookie(COOKIE).value
    assert not _is_refused(_fresh_client_with_cookie(app, copied))

    page = client.get("/cases")
    client.post("/sign-out", data={"csrf_token": csrf_token(page.text)})

    assert _is_refused(_fresh_client_with_cookie(app, copied))
    row = db.session.scalar(select(UserSession))
    assert row.ended_reason == "signed_out"


def _move_session_back(db, *, idle: dt.timedelta, age: dt.timedelta) -> None:
    now = utcnow()
    db.session.execute(update(UserSession).values(last_seen_at=now - idle, created_at=now - age))
    db.session.commit()


def test_session_survives_a_short_pause(client, db):
    _signed_in_coordinator(client, db)
    _move_session_back(db, idle=dt.timedelta(minutes=29), age=dt.timedelta(hours=11))
    assert client.get("/cases").status_code == 200


def test_idle_session_ends_after_thirty_minutes(client, db):
    _signed_in_coordinator(client, db)
    _move_session_back(db, idle=dt.timedelta(minutes=31), age=dt.timedelta(minutes=31))
    assert _is_refused(client)
    db.session.expire_all()
    assert db.session.scalar(select(UserSession.ended_reason)) == "idle_timeout"


def test_session_ends_after_twelve_hours_even_when_in_use(client, db, monkeypatch):
    from guide.accounts import sessions

    _signed_in_coordinator(client, db)
    # Use the app every 20 minutes for twelve hours: never idle, still ended at the limit.
    start = utcnow()
    for minutes in range(20, 12 * 60, 20):
        monkeypatch.setattr(sessions, "utcnow", lambda m=minutes: start + dt.timedelta(minutes=m))
        assert client.get("/cases").status_code == 200, minutes
    later = start + dt.timedelta(hours=12, minutes=1)
    monkeypatch.setattr(sessions, "utcnow", lambda: later)
    assert _is_refused(client)
    db.session.expire_all()
    assert db.session.scalar(select(UserSession.ended_reason)) == "absolute_timeout"


def test_deactivating_a_user_ends_their_sessions_at_once(app, client, db):
    account = _signed_in_coordinator(client, db)
    second_browser = app.test_client()
    assert sign_in(second_browser, account.email).status_code == 302
    admin = factories.user(db.session.get(User, account.id).organisation, "admin")

    deactivate_user(db.session.get(User, account.id), by=admin)
    db.session.commit()

    assert _is_refused(client) and _is_refused(second_browser)
    reasons = db.session.scalars(select(UserSession.ended_reason)).all()
    assert reasons == ["deactivated", "deactivated"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user_deactivated"))
    assert event.actor_id == admin.id and event.details == {"sessions_ended": 2}
    assert sign_in(app.test_client(), account.email).status_code == 400


def test_changing_the_password_ends_sessions_and_the_new_one_works(app, client, db):
    account = _signed_in_coordinator(client, db)
    new_password = "a brand new passphrase for the test 7"

    change_password(db.session.get(User, account.id), new_password, by=account)
    db.session.commit()

    assert _is_refused(client)
    assert db.session.scalar(select(UserSession.ended_reason)) == "password_changed"
    assert sign_in(app.test_client(), account.email).status_code == 400
    fresh = app.test_client()
    assert sign_in(fresh, account.email, new_password).status_code == 302
    assert fresh.get("/cases").status_code == 200


def _set_cookie_header(app) -> str:
    client = app.test_client()
    response = client.get("/sign-in")
    headers = [value for value in response.headers.getlist("Set-Cookie") if "session=" in value]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    return headers[0]


def test_session_cookie_is_http_only_and_same_site_lax(app):
    header = _set_cookie_header(app)
    assert header.startswith("session=")
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Secure" not in header  # local HTTP in tests and development


def test_production_cookie_is_secure_with_host_prefix(database_url, app):
    production = create_app(same_keys(app, database_url, environment="production"))
    production.test_client_class = IsolatedClient
    try:
        header = _set_cookie_header(production)
    finally:
        with production.app_context():
            _db.engine.dispose()
    assert header.startswith("__Host-session=")
    assert "; Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
    assert "Path=/" in header and "Domain=" not in header
