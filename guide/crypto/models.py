"""The check value of every key a database has been used with (never the key itself)."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from guide.crypto.checks import KeyPurpose
from guide.database import CreatedAt, str_enum
from guide.extensions import db


class KeyCheck(db.Model):
    __tablename__ = "key_checks"
    __table_args__ = (UniqueConstraint("purpose", "key_id"),)

    purpose: Mapped[KeyPurpose] = mapped_column(str_enum(KeyPurpose))
    #: The key's id in the keyring; the index key's is ``checks.INDEX_KEY_ID``.
    key_id: Mapped[str] = mapped_column(String(64))
    #: Hex HMAC-SHA256 of a fixed label under the key (``guide.crypto.checks``).
    check_value: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[CreatedAt]
