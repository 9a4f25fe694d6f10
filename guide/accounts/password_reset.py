"""Password reset by e-mail link (1 hour, single use), without revealing which addresses exist."""

from __future__ import annotations

import datetime as dt

from guide.accounts.account_tokens import (
    issue_token,
    revoke_open_tokens,
    use_token,
)
from guide.accounts.models import AccountToken, TokenPurpose, User
from guide.accounts.services import change_password, find_user_by_email
from guide.audit.services import record_event
from guide.crypto.tokens import new_token
from guide.extensions import db
from guide.outbox.services import absolute_url, queue_email, render_email
from guide.unit_of_work import LinkAudience, LinkNotValid

RESET_VALID_FOR = dt.timedelta(hours=1)
#: The reset page's path; guide.accounts.password_views serves it.
RESET_PATH = "/password/reset/{token}"


def request_password_reset(*, email: str, locale: str) -> None:
    """Queue a reset link when an active account has ``email``; otherwise do the same work.

    The caller answers the same either way. Both paths render the e-mail and write an
    audit event, so the time taken says little about whether the address exists.
    """
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        decoy_link = absolute_url(RESET_PATH.format(token=new_token()))
        render_email("password_reset", locale=locale, context=_context(decoy_link))
        record_event("password_reset_requested", details={"account": "unknown_or_inactive"})
        return
    revoke_open_tokens(purpose=TokenPurpose.password_reset, email=user.email)
    row, token = issue_token(
        purpose=TokenPurpose.password_reset,
        email=user.email,
        organisation_id=user.organisation_id,
        valid_for=RESET_VALID_FOR,
        user_id=user.id,
    )
    queue_email(
        to=user.email,
        template="password_reset",
        locale=user.preferred_locale,
        context=_context(absolute_url(RESET_PATH.format(token=token))),
        organisation_id=user.organisation_id,
    )
    record_event("password_reset_requested", actor=user, obj=row)


def _context(link: str) -> dict[str, object]:
    return {"link": link, "valid_minutes": int(RESET_VALID_FOR.total_seconds() // 60)}


def reset_user(row: AccountToken) -> User | None:
    """The active account a reset link belongs to, if its address has not changed since."""
    user = db.session.get(User, row.user_id) if row.user_id else None
    if user is None or not user.is_active or user.email != row.email:
        return None
    return user


def reset_password(row: AccountToken, *, password: str) -> User:
    """Set a new password through a reset link: ends every session and tells the user by mail."""
    user = reset_user(row)
    if user is None or not use_token(row):
        raise LinkNotValid(LinkAudience.password_reset)
    # Sets the hash, ends every session and audit-logs "password_changed".
    change_password(user, password, by=user)
    # Whoever holds the mailbox has proved it; earlier failed guesses no longer count.
    user.failed_sign_ins = 0
    user.throttled_until = None
    record_event("password_reset_link_used", actor=user, obj=row)
    queue_email(
        to=user.email,
        template="password_changed",
        locale=user.preferred_locale,
        context={},
        organisation_id=user.organisation_id,
    )
    return user
