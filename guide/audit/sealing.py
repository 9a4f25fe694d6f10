"""The sealer: links events into the one audit chain, in the order it finds them.

There is one chain for the whole installation, not one per organisation: one head to
extend, one lock, one walk to verify; each event still names its organisation.

Writers append events without reading anything (guide.audit.services). The sealer takes a
lock that only sealers take, reads the chain's head, and gives the waiting events the
next positions in sequence-number order, each hashed over the one before. The chain's order
is the order of sealing, not the sequence number: on PostgreSQL an event with a lower
number can commit after a higher one was sealed, and it is then simply sealed later, at the
end of the chain. An event is never skipped (it waits until it is visible) and never
sealed twice (the seal columns are written once, a position is unique, and two sealers
take turns on the lock).
"""

from __future__ import annotations

import logging

from sqlalchemy import bindparam, func, select, text

from guide.audit.chain import HASHED_COLUMNS, link_digest
from guide.audit.models import AuditEvent
from guide.extensions import db

log = logging.getLogger(__name__)

#: Events linked per transaction.
SEAL_BATCH_SIZE = 1000
#: The PostgreSQL advisory lock that one sealer at a time holds until it commits.
SEALER_LOCK_ID = 0x46_47_41_55_44_49_54  # "FGAUDIT"

_table = AuditEvent.__table__


class SealingConflict(RuntimeError):
    """Events this sealer was linking were sealed by someone else first."""


def _take_sealer_lock() -> None:
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has one writer at a time and locks only at a transaction's first write; a
        # write that matches no row takes that lock now, before the chain's head is read.
        db.session.execute(text("UPDATE audit_events SET chain_position = NULL WHERE 0 = 1"))
        return
    # Held until commit or rollback: a second sealer waits, then reads the head this one left.
    db.session.execute(select(func.pg_advisory_xact_lock(SEALER_LOCK_ID)))


def seal_batch(limit: int = SEAL_BATCH_SIZE) -> int:
    """Link up to ``limit`` waiting events to the chain; returns how many. The caller commits."""
    if limit < 1:
        raise ValueError("the batch size must be at least 1")
    _take_sealer_lock()
    head = db.session.execute(
        select(AuditEvent.chain_position, AuditEvent.event_hash)
        .where(AuditEvent.chain_position.is_not(None))
        .order_by(AuditEvent.chain_position.desc())
        .limit(1)
    ).first()
    position, previous_hash = head if head else (0, None)
    waiting = db.session.execute(
        select(*HASHED_COLUMNS)
        .where(AuditEvent.chain_position.is_(None))
        .order_by(AuditEvent.sequence_number)
        .limit(limit)
    ).all()
    links = []
    for event in waiting:
        position += 1
        event_hash = link_digest(event, position=position, previous_hash=previous_hash)
        links.append(
            {
                "sealed": event.sequence_number,
                "position": position,
                "previous": previous_hash,
                "hash": event_hash,
            }
        )
        previous_hash = event_hash
    if links:
        # Below the session, whose guard refuses every UPDATE of the audit table.
        result = db.session.connection().execute(
            _table.update()
            .where(
                _table.c.sequence_number == bindparam("sealed"),
                _table.c.chain_position.is_(None),
            )
            .values(
                chain_position=bindparam("position"),
                previous_hash=bindparam("previous"),
                event_hash=bindparam("hash"),
            ),
            links,
        )
        if result.rowcount != len(links):
            # Only possible if something sealed without the lock; the caller rolls back.
            raise SealingConflict("some events were sealed by another writer meanwhile")
    return len(links)


def seal_pending(*, batch_size: int = SEAL_BATCH_SIZE) -> int:
    """Seal every event that waits, committing after each batch; returns how many were sealed."""
    sealed = 0
    while True:
        linked = seal_batch(batch_size)
        db.session.commit()
        sealed += linked
        if linked < batch_size:
            return sealed


def seal_in_worker() -> None:
    """One sealing round for a long-running worker: a failure is logged, never raised."""
    try:
        sealed = seal_pending()
    except Exception as error:
        # Only the class name: database errors can quote row values.
        db.session.rollback()
        log.error("Audit sealing failed (%s); trying again", type(error).__name__)
        return
    finally:
        db.session.remove()
    if sealed:
        log.info("Audit: %d event(s) sealed", sealed)
