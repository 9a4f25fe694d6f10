"""Password hashing with argon2id; cost comes from the settings."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from guide.settings import Settings

#: A hash of a random password, checked when an address is unknown so that
#: sign-in takes as long for unknown addresses as for known ones.
_DUMMY_PASSWORD = "dummy password that never matches anything"  # noqa: S105


def password_hasher(settings: Settings | None = None) -> PasswordHasher:
    settings = settings or current_app.extensions["fritidsguide.settings"]
    return PasswordHasher(
        time_cost=settings.password_time_cost,
        memory_cost=settings.password_memory_kib,
        parallelism=settings.password_parallelism,
        type=Type.ID,
    )


def hash_password(password: str) -> str:
    return password_hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; an unknown user still costs one verification."""
    hasher = password_hasher()
    if not stored_hash:
        hasher.verify(hasher.hash(_DUMMY_PASSWORD), _DUMMY_PASSWORD)
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return password_hasher().check_needs_rehash(stored_hash)
