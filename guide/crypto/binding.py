"""The keyring proves it belongs to the database: check values read, recorded and proven.

Every function takes a Connection or a Session and never commits: the caller (start-up,
a ``flask keys`` command) commits its one unit of work.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from guide.crypto.checks import (
    KeyProblem,
    KeyPurpose,
    KeySlot,
    Mismatch,
    compare,
    expected_checks,
)
from guide.crypto.cipher import DecryptionError, FieldCipher, UnknownKeyError, split_header
from guide.crypto.keyring import Keyring
from guide.crypto.models import KeyCheck
from guide.crypto.rotation import encrypted_columns_by_table

Executor = Connection | Session
_checks = KeyCheck.__table__


def recorded_checks(executor: Executor) -> dict[KeySlot, str]:
    """Every check value the database holds, by purpose and key id."""
    rows = executor.execute(select(_checks.c.purpose, _checks.c.key_id, _checks.c.check_value))
    return {(KeyPurpose(purpose), key_id): value for purpose, key_id, value in rows}


def keyring_problems(executor: Executor, keyring: Keyring) -> list[KeyProblem]:
    """What the check values say against ``keyring``: one small query, for every health check."""
    return compare(keyring, recorded_checks(executor))


def record_missing_checks(executor: Executor, keyring: Keyring) -> list[KeySlot]:
    """Store the check value of each key in ``keyring`` the database has none for yet."""
    recorded = recorded_checks(executor)
    missing = {
        slot: value for slot, value in expected_checks(keyring).items() if slot not in recorded
    }
    if missing:
        rows = [
            {"purpose": purpose, "key_id": key_id, "check_value": value}
            for (purpose, key_id), value in missing.items()
        ]
        # Processes starting together may record the same key at once; the first one counts.
        executor.execute(_insert_unless_recorded(executor), rows)
    return sorted(missing)


def _insert_unless_recorded(executor: Executor):
    bind = executor if isinstance(executor, Connection) else executor.get_bind()
    dialect_insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    return dialect_insert(_checks).on_conflict_do_nothing(index_elements=["purpose", "key_id"])


def forget_check(executor: Executor, key_id: str) -> None:
    """Remove a retired data key's check value (only once no stored value uses the key)."""
    executor.execute(
        delete(_checks).where(_checks.c.purpose == KeyPurpose.data, _checks.c.key_id == key_id)
    )


def sample_problems(executor: Executor, keyring: Keyring) -> list[KeyProblem]:
    """Open the first stored value of every encrypted column with ``keyring``.

    The proof before a key's check value is first recorded (a database from before check
    values, or a key added by hand): a keyring that cannot open what is stored is refused.
    """
    cipher = FieldCipher(keyring)
    problems: set[KeyProblem] = set()
    for table, columns in encrypted_columns_by_table().items():
        for name in columns:
            column = table.c[name]
            query = select(table.c.id, column).where(column.is_not(None)).limit(1)
            row = executor.execute(query).first()
            if row is None:
                continue
            try:
                cipher.decrypt_bytes(row[1], table=table.name, column=name, row_id=str(row[0]))
            except UnknownKeyError:
                key_id = split_header(row[1])[1]
                problems.add(KeyProblem(Mismatch.value_key_missing, key_id))
            except DecryptionError:
                problems.add(KeyProblem(Mismatch.value_unreadable, _key_id_or_unknown(row[1])))
    return sorted(problems)


def _key_id_or_unknown(sealed: bytes) -> str:
    try:
        return split_header(sealed)[1]
    except DecryptionError:
        return "(unknown)"


def bind_keyring(executor: Executor, keyring: Keyring) -> list[KeyProblem]:
    """Check ``keyring`` against the database and record its new keys; the problems, if any.

    Keys the database already knows must match their check values. Before keys are
    recorded for the first time, stored values must open with the keyring. After recording,
    the values are read again: a process that recorded another keyring at the same moment
    is caught here.
    """
    recorded = recorded_checks(executor)
    problems = compare(keyring, recorded)
    if problems or all(slot in recorded for slot in expected_checks(keyring)):
        return problems
    problems = sample_problems(executor, keyring)
    if problems:
        return problems
    record_missing_checks(executor, keyring)
    return keyring_problems(executor, keyring)
