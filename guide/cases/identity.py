"""Identity helpers: the blind index for finding the same child again, and references."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import exists, select
from sqlalchemy.orm import InstrumentedAttribute

from guide.crypto.fields import blind_index

#: Letters and digits that cannot be confused when read aloud or typed (no 0/O, 1/I/L).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
IDENTITY_INDEX = "child_identity"


def child_identity_digest(first_name: str, last_name: str, birth_date: dt.date | str) -> str:
    """Same normalised name and birth date, same digest; nothing about the child is revealed."""
    born = birth_date.isoformat() if isinstance(birth_date, dt.date) else birth_date
    return blind_index().digest(IDENTITY_INDEX, first_name, last_name, born)


def new_reference(prefix: str = "FG") -> str:
    """A random reference such as FG-7K3M9Q; it carries no personal data."""
    return prefix + "-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def unused_reference(column: InstrumentedAttribute[str], prefix: str) -> str:
    """A new reference that no row holds yet in ``column`` (references are unique)."""
    from guide.extensions import db

    while True:
        reference = new_reference(prefix)
        if not db.session.scalar(select(exists().where(column == reference))):
            return reference
