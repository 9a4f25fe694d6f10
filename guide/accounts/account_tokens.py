"""Single-use links (invitations, password resets): random tokens of which only a hash is kept."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import update

from guide.accounts.models import AccountToken, ReferrerKind, TokenPurpose
from guide.crypto.tokens import find_usable, mark_used, new_token, token_digest
from guide.database import utcnow
from guide.extensions import db
from guide.roles import Role


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
    referrer_kind: ReferrerKind | None = None,
) -> tuple[AccountToken, str]:
    """Store a new token's hash and return (row, token); the token goes only into the link."""
    token = new_token()
    row = AccountToken(
        purpose=purpose,
        token_hash=token_digest(token),
        organisation_id=organisation_id,
        user_id=user_id,
        email=email,
        role=role,
        club_id=club_id,
        referrer_kind=referrer_kind,
        created_by_id=created_by_id,
        expires_at=utcnow() + valid_for,
    )
    db.session.add(row)
    db.session.flush()
    return row, token


def find_usable_token(token: str, purpose: TokenPurpose) -> AccountToken | None:
    """The unused, unexpired token of ``purpose``, or None (unknown, used and expired alike)."""
    return find_usable(AccountToken, token, AccountToken.purpose == purpose)


def use_token(row: AccountToken) -> bool:
    """Mark ``row`` used; False if another request used it first (single use under races)."""
    return mark_used(row)


def revoke_open_tokens(
    *, purpose: TokenPurpose, email: str, organisation_id: uuid.UUID | None = None
) -> int:
    """Use up every open token of ``purpose`` for ``email`` (in one organisation, if given)."""
    query = update(AccountToken).where(
        AccountToken.purpose == purpose,
        AccountToken.email == email,
        AccountToken.used_at.is_(None),
    )
    if organisation_id is not None:
        query = query.where(AccountToken.organisation_id == organisation_id)
    result = db.session.execute(
        query.values(used_at=utcnow()).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
