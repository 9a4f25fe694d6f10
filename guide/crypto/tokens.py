"""Random link and session tokens of which only a SHA-256 is stored, and single-use look-ups.

A single-use row (an AccountToken, a ConsentLink) has ``token_hash``, ``used_at`` and
``expires_at`` columns; the helpers here find it by token and use it up exactly once.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm.attributes import set_committed_value

from guide.database import utcnow
from guide.extensions import db

#: 32 random bytes, URL-safe: 43 characters, and the link itself is the secret.
TOKEN_BYTES = 32
#: Longer values are never looked up.
MAX_TOKEN_LENGTH = 100

T = TypeVar("T")


def new_token() -> str:
    """A fresh random token for a link or a session."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """The hex SHA-256 that is stored in place of ``token``."""
    return hashlib.sha256(token.encode()).hexdigest()


def find_usable(model: type[T], token: str, *criteria: ColumnElement[bool]) -> T | None:
    """The unused, unexpired ``model`` row for ``token``, or None (unknown, used, expired alike)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    table: Any = model
    row: Any = db.session.scalar(
        select(model).where(table.token_hash == token_digest(token), *criteria)
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


def mark_used(row: Any) -> bool:
    """Mark ``row`` used; False if another request used it first (single use under races)."""
    model = type(row)
    now = utcnow()
    result = db.session.execute(
        update(model)
        .where(model.id == row.id, model.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    # The database already holds the value; record it without a second UPDATE.
    set_committed_value(row, "used_at", now)
    return result.rowcount == 1
