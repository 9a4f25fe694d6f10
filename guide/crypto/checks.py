"""Check values: how a database recognises the keys it has been used with.

For each key, the database keeps an HMAC-SHA256 of a fixed label under that key (table
``key_checks``). The value tells nothing about the key, but another key under the same id
gives another value, so a wrong keyring, swapped key files or a missing key are found
before any stored value is read with them. This module computes and compares the values;
``guide.crypto.binding`` reads and writes them.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from guide.crypto.keyring import Keyring

#: What every check value is computed over; a new label would need every value rewritten.
CHECK_LABEL = b"fritidsguide key check v1"
#: The blind-index key has no id in the keyring; its check value is kept under this one.
INDEX_KEY_ID = "index_key"
#: Where to read what to do; every refusal names it.
WHAT_TO_DO = (
    "Start with the keyring this database was created with (or restore the missing key); "
    "see docs/keys.md, 'When the keyring is refused'."
)


class KeyPurpose(enum.StrEnum):
    data = "data"
    index = "index"


#: A key as the database knows it: its purpose and its id.
KeySlot = tuple[KeyPurpose, str]


class Mismatch(enum.StrEnum):
    """Why a keyring cannot read a database; the values are shown by ``/healthz``."""

    #: The database has a check value for a key the keyring lacks.
    key_missing = "key_missing"
    #: The keyring holds another key under an id the database knows.
    different_key = "different_key"
    #: A stored value names a key id the keyring lacks.
    value_key_missing = "value_key_missing"
    #: A stored value does not open with the keyring's key of that id.
    value_unreadable = "value_unreadable"


@dataclass(frozen=True, order=True)
class KeyProblem:
    """One reason the keyring does not belong to the database; never holds key material."""

    mismatch: Mismatch
    key_id: str
    purpose: KeyPurpose = KeyPurpose.data

    def __str__(self) -> str:
        if self.purpose is KeyPurpose.index:
            return (
                "The index key in this keyring is not the one this database was used with "
                "(its check value differs)."
            )
        key = repr(self.key_id)
        if self.mismatch is Mismatch.key_missing:
            return (
                f"This database was used with key {key}, which this keyring lacks. If {key} "
                f"was retired on purpose, put it back and run `flask keys drop {self.key_id}` "
                f"(a keyring file) or `flask keys forget {self.key_id}` (an inline keyring)."
            )
        if self.mismatch is Mismatch.different_key:
            return (
                f"Key {key} in this keyring is not the key this database knows as {key} "
                "(its check value differs)."
            )
        if self.mismatch is Mismatch.value_key_missing:
            return f"Stored values are sealed with key {key}, which this keyring lacks."
        return f"A stored value sealed with key {key} does not open with this keyring's {key}."


def check_value(key: bytes, purpose: KeyPurpose) -> str:
    """Hex HMAC-SHA256 of the fixed label under ``key``."""
    label = CHECK_LABEL + b": " + purpose.value.encode()
    return hmac.new(key, label, hashlib.sha256).hexdigest()


def expected_checks(keyring: Keyring) -> dict[KeySlot, str]:
    """The check value of every key in ``keyring``, the index key included."""
    checks: dict[KeySlot, str] = {
        (KeyPurpose.data, key_id): check_value(key, KeyPurpose.data)
        for key_id, key in keyring.keys.items()
    }
    checks[(KeyPurpose.index, INDEX_KEY_ID)] = check_value(keyring.index_key, KeyPurpose.index)
    return checks


def compare(keyring: Keyring, recorded: Mapping[KeySlot, str]) -> list[KeyProblem]:
    """Every recorded key the keyring lacks or holds differently (keys not yet recorded pass)."""
    expected = expected_checks(keyring)
    problems = []
    for (purpose, key_id), value in recorded.items():
        mine = expected.get((purpose, key_id))
        if mine is None:
            problems.append(KeyProblem(Mismatch.key_missing, key_id, purpose))
        elif not hmac.compare_digest(mine, value):
            problems.append(KeyProblem(Mismatch.different_key, key_id, purpose))
    return sorted(problems)


def refusal(problems: list[KeyProblem]) -> str:
    """The whole message for an operator: what does not match, and what to do."""
    return " ".join(
        ["The keyring does not belong to this database.", *map(str, problems), WHAT_TO_DO]
    )
