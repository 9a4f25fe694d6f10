"""Signing in, and the account changes that must end sessions."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute

from guide.accounts.models import User
from guide.accounts.passwords import hash_password, needs_rehash, verify_password
from guide.accounts.sessions import end_all_sessions
from guide.accounts.throttling import refuse_if_throttled, register_failure
from guide.audit.services import record_event
from guide.database import utcnow
from guide.extensions import db
from guide.roles import Role


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def active_users(
    role: Role, *where: ColumnElement[bool], order_by: InstrumentedAttribute = User.id
) -> list[User]:
    """The active accounts with ``role`` that match ``where``, in a stable order."""
    query = select(User).where(User.role == role, User.is_active.is_(True), *where)
    return list(db.session.scalars(query.order_by(order_by)))


def authenticate(*, email: str, password: str) -> User | None:
    """The active user with this address and password, or None; either way audit-logged.

    A throttled account raises AccountThrottled before the password is checked, so the
    answer says nothing about the password. The sign-in is complete only after
    ``second_factor.complete_sign_in``, which also resets the failure count.
    """
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        verify_password(None, password)
        record_event("sign_in_failed", details={"reason": "unknown_or_inactive"})
        return None
    refuse_if_throttled(user)
    if not verify_password(user.password_hash, password):
        register_failure(user, reason="wrong_password")
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def change_password(user: User, new_password: str, *, by: User) -> None:
    """Set a new password (already checked for strength) and end every session of ``user``."""
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    ended = end_all_sessions(user, "password_changed")
    record_event("password_changed", actor=by, obj=user, details={"sessions_ended": ended})
    db.session.flush()
