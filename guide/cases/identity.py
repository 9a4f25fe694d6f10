"""Identity helpers: the blind index for finding the same child again, and references."""

from __future__ import annotations

import datetime as dt
import secrets

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
