"""Key rotation: re-seal every encrypted value with the keyring's active key.

This runs as a CLI job, not inside a request, so it commits after every batch: an
interruption leaves each row either fully on its old key or fully on the new one, and
a rerun carries on where it stopped (rows already on the active key are skipped).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Table, bindparam, func, select, update

from guide.crypto.cipher import split_header
from guide.crypto.fields import ENCRYPTED_FIELDS, EncryptedText, field_cipher
from guide.extensions import db

#: Called after each committed batch with the table name and the rows re-sealed so far in it.
ProgressCallback = Callable[[str, int], None]

#: Enough leading bytes of a stored value to read its key id (version, length, id).
_HEADER_BYTES = 2 + 255


@dataclass
class RotationReport:
    """What one rotation run did."""

    active_key_id: str
    #: Rows re-sealed per table (a row counts once however many of its columns changed).
    rows_updated: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    #: False when ``stop_after_batches`` ended the run before every table was walked.
    finished: bool = False

    @property
    def total_rows_updated(self) -> int:
        return sum(self.rows_updated.values())


def encrypted_columns_by_table() -> dict[Table, list[str]]:
    """Every table with encrypted columns, and those columns' names, in a stable order."""
    grouped: dict[Table, list[str]] = defaultdict(list)
    for encrypted in ENCRYPTED_FIELDS:
        table = _table_of(encrypted)
        if table is not None and encrypted.name not in grouped[table]:
            grouped[table].append(encrypted.name)
    return dict(sorted(grouped.items(), key=lambda item: item[0].name))


def _table_of(encrypted: EncryptedText) -> Table | None:
    # Only tables of the application's own metadata; a stray mapped class elsewhere is not ours.
    table = getattr(encrypted.owner, "__table__", None)
    if not isinstance(table, Table) or db.metadata.tables.get(table.name) is not table:
        return None
    return table


def reencrypt_all(
    *,
    batch_size: int = 500,
    stop_after_batches: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> RotationReport:
    """Re-seal every value not on the active key, table by table in id order; commit per batch."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    cipher = field_cipher()
    report = RotationReport(active_key_id=cipher.keyring.active_key_id)
    for table, columns in encrypted_columns_by_table().items():
        report.rows_updated[table.name] = 0
        last_id = None
        while True:
            if stop_after_batches is not None and report.batches >= stop_after_batches:
                return report
            query = select(table.c.id, *(table.c[name] for name in columns))
            if last_id is not None:
                query = query.where(table.c.id > last_id)
            rows = db.session.execute(query.order_by(table.c.id).limit(batch_size)).all()
            if not rows:
                break
            changes = [
                change
                for row in rows
                if (change := _reseal_row(table, columns, row, cipher)) is not None
            ]
            if changes:
                db.session.execute(_update_statement(table, columns), changes)
            db.session.commit()
            report.batches += 1
            report.rows_updated[table.name] += len(changes)
            last_id = rows[-1].id
            if on_progress is not None:
                on_progress(table.name, report.rows_updated[table.name])
    report.finished = True
    return report


def _reseal_row(table: Table, columns: list[str], row, cipher) -> dict[str, object] | None:
    """Parameters for one row's update, or None when the row is already on the active key."""
    active = cipher.keyring.active_key_id
    sealed_values = dict(zip(columns, row[1:], strict=True))
    if all(value is None or split_header(value)[1] == active for value in sealed_values.values()):
        return None
    change: dict[str, object] = {"row_id": row.id}
    for name, sealed in sealed_values.items():
        change[f"old_{name}"] = sealed
        if sealed is None or split_header(sealed)[1] == active:
            change[f"new_{name}"] = sealed
            continue
        bound = {"table": table.name, "column": name, "row_id": str(row.id)}
        plaintext = cipher.decrypt_bytes(sealed, **bound)
        change[f"new_{name}"] = cipher.encrypt_bytes(plaintext, **bound)
    return change


def _update_statement(table: Table, columns: list[str]):
    # Only rows still holding what was read are changed: a request that wrote a new value
    # meanwhile (sealed with the active key already) is never overwritten with the old one.
    conditions = [table.c.id == bindparam("row_id")] + [
        table.c[name].is_not_distinct_from(bindparam(f"old_{name}")) for name in columns
    ]
    return (
        update(table)
        .where(*conditions)
        .values({name: bindparam(f"new_{name}") for name in columns})
    )


def key_usage() -> dict[str, dict[str, int]]:
    """Rows per key id for every encrypted ``table.column`` (columns with no values included)."""
    usage: dict[str, dict[str, int]] = {}
    for table, columns in encrypted_columns_by_table().items():
        for name in columns:
            column = table.c[name]
            # Only the header is read, so large scans are not pulled through for counting.
            query = select(func.substr(column, 1, _HEADER_BYTES)).where(column.is_not(None))
            counts = Counter(
                split_header(bytes(head))[1] for head in db.session.execute(query).scalars()
            )
            usage[f"{table.name}.{name}"] = dict(sorted(counts.items()))
    return usage


def rows_using_key(key_id: str) -> int:
    """How many stored values (summed over every encrypted column) use ``key_id``."""
    return sum(counts.get(key_id, 0) for counts in key_usage().values())


def key_ids_in_use() -> set[str]:
    """Every key id that at least one stored value uses."""
    return {key_id for counts in key_usage().values() for key_id in counts}
