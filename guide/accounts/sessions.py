"""Server-side sign-in sessions: the cookie holds only a random token whose row can be ended.

A session ends at sign-out, when the user is deactivated or changes password,
after ``session_idle_minutes`` without a request, and ``session_absolute_hours``
after sign-in, whichever comes first. Only the token's SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import uuid

from flask import current_app, session
from flask_login import current_user, logout_user
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from guide.accounts.models import User, UserSession
from guide.crypto.tokens import new_token, token_digest
from guide.database import utcnow
from guide.extensions import db

SESSION_KEY = "sid"
#: Holds the user id between the password step and the second-factor step.
PENDING_SIGN_IN_KEY = "pending_sign_in"
#: Seconds a passed password step waits for its second-factor code.
PENDING_LIFETIME = 5 * 60
#: How stale ``last_seen_at`` may get before a request writes it again (saves a write per click).
TOUCH_INTERVAL = dt.timedelta(seconds=60)


def start_session(user: User) -> str:
    """A new session for ``user``; the Flask session is cleared so its id changes."""
    token = new_token()
    end_current_session("replaced")
    db.session.add(UserSession(user=user, token_hash=token_digest(token), last_seen_at=utcnow()))
    session[SESSION_KEY] = token
    return token


def _clear_keeping_language() -> None:
    # The language picked on the sign-in page is no secret; everything else starts afresh.
    from guide.i18n import SESSION_LOCALE_KEY

    locale = session.get(SESSION_LOCALE_KEY)
    session.clear()
    if locale is not None:
        session[SESSION_LOCALE_KEY] = locale


def begin_pending_sign_in(user: User) -> None:
    """Remember that ``user`` passed the password step; they are not signed in yet."""
    end_current_session("replaced")
    session[PENDING_SIGN_IN_KEY] = {"user_id": str(user.id), "since": utcnow().timestamp()}


def pending_sign_in_user() -> User | None:
    """The active user waiting to give a second-factor code, if the wait has not expired."""
    pending = session.get(PENDING_SIGN_IN_KEY)
    if not isinstance(pending, dict):
        return None
    since = pending.get("since")
    if not isinstance(since, int | float) or utcnow().timestamp() - since > PENDING_LIFETIME:
        clear_pending_sign_in()
        return None
    try:
        user = db.session.get(User, uuid.UUID(str(pending.get("user_id"))))
    except ValueError:
        user = None
    if user is None or not user.is_active:
        clear_pending_sign_in()
        return None
    return user


def clear_pending_sign_in() -> None:
    session.pop(PENDING_SIGN_IN_KEY, None)


def current_session_row() -> UserSession | None:
    token = session.get(SESSION_KEY)
    if not token or not isinstance(token, str):
        return None
    # The user comes in the same query: every signed-in request needs both.
    return db.session.scalar(
        select(UserSession)
        .where(UserSession.token_hash == token_digest(token))
        .options(joinedload(UserSession.user))
    )


def session_user(user_id: str) -> User | None:
    """The signed-in user if the session row is live; ends it when it has timed out."""
    row = current_session_row()
    if row is None or row.ended_at is not None or str(row.user_id) != user_id:
        return None
    settings = current_app.extensions["fritidsguide.settings"]
    now = utcnow()
    reason = None
    if now - row.last_seen_at > dt.timedelta(minutes=settings.session_idle_minutes):
        reason = "idle_timeout"
    elif now - row.created_at > dt.timedelta(hours=settings.session_absolute_hours):
        reason = "absolute_timeout"
    elif not row.user.is_active:
        reason = "deactivated"
    if reason is not None:
        _end(row, reason, now)
        return None
    if now - row.last_seen_at > TOUCH_INTERVAL:
        row.last_seen_at = now
    return row.user


def end_current_session(reason: str = "signed_out") -> None:
    """End this browser's session row, if any, and clear the Flask session but its language."""
    row = current_session_row()
    if row is not None and row.ended_at is None:
        _end(row, reason, utcnow())
    _clear_keeping_language()


def sign_out_this_browser(reason: str) -> None:
    """Sign out whoever is signed in in this browser, if anyone (before a token link acts)."""
    if current_user.is_authenticated:
        end_current_session(reason)
        logout_user()


def end_all_sessions(user: User, reason: str) -> int:
    """End every live session of ``user`` (deactivation, password change); returns how many."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def _end(row: UserSession, reason: str, now: dt.datetime) -> None:
    row.ended_at = now
    row.ended_reason = reason
