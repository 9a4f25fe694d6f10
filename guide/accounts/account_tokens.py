"""Single-use links (invitations, password resets): random tokens of which only a hash is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from guide.accounts.models import AccountToken, Role, TokenPurpose
from guide.database import utcnow
from guide.extensions import db

#: 32 random bytes, URL-safe: the link itself is the secret.
TOKEN_BYTES = 32
#: Longer values are never looked up (a real token is 43 characters).
MAX_TOKEN_LENGTH = 100


class LinkNotValid(Exception):
    """An invitation or reset link that is unknown, used or expired (never said which)."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    *,
    purpose: TokenPurpose,
    email: str,
    organisation_id: uuid.UUID,
    valid_for: dt.timedelta,
    created_by_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    role: Role | None = None,
    club_id: uuid.UUID | None = None,
) -> tuple[AccountToken, str]:
    """Store a new token's hash and return (row, token); the token goes only into the link."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = AccountToken(
        purpose=purpose,
        token_hash=token_digest(token),
        organisation_id=organisation_id,
        user_id=user_id,
        email=email,
        role=role,
        club_id=club_id,
        created_by_id=created_by_id,
        expires_at=utcnow() + valid_for,
    )
    db.session.add(row)
    db.session.flush()
    return row, token


def find_usable_token(token: str, purpose: TokenPurpose) -> AccountToken | None:
    """The unused, unexpired token of ``purpose``, or None (unknown, used and expired alike)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == token_digest(token), AccountToken.purpose == purpose
        )
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


def use_token(row: AccountToken) -> bool:
    """Mark ``row`` used; False if another request used it first (single use under races)."""
    now = utcnow()
    result = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    # The database already holds the value; record it without a second UPDATE.
    set_committed_value(row, "used_at", now)
    return result.rowcount == 1


def revoke_open_tokens(*, purpose: TokenPurpose, email: str) -> int:
    """Use up every open token of ``purpose`` for ``email``, so only the newest link works."""
    result = db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.purpose == purpose,
            AccountToken.email == email,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
