"""Writing audit events: who did what to which object, never the values themselves."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from guide.audit.models import AuditEvent
from guide.database import utcnow
from guide.extensions import db

#: ``Session.info`` key of the events recorded in the current transaction, not written yet.
PENDING_EVENTS = "audit_events_pending"


def record_event(
    action: str,
    *,
    actor: Any = None,
    organisation_id: uuid.UUID | None = None,
    obj: Any = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record an audit event in the current transaction; the caller's commit keeps it.

    The event is written when the transaction commits, as one plain INSERT that reads
    nothing: a page that only reads takes no write lock while it renders, and concurrent
    requests never wait on each other for the log. The database numbers the event and the
    sealer links it into the chain later (guide.audit.sealing). A rollback discards it with
    everything else.
    """
    if organisation_id is None and actor is not None:
        organisation_id = actor.organisation_id
    row = {
        "id": uuid.uuid4(),
        "organisation_id": organisation_id,
        "actor_id": actor.id if actor is not None else None,
        "action": action,
        "object_type": type(obj).__name__ if obj is not None else None,
        "object_id": str(obj.id) if obj is not None else None,
        "occurred_at": utcnow(),
        "details": details or {},
    }
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any other statement forgets the event
    session.info.setdefault(PENDING_EVENTS, []).append(row)


def write_pending_events(session: Session) -> None:
    """INSERT the events recorded in ``session``'s transaction, in the order recorded (at the
    commit; call it first to read them back in the same transaction).

    Pending objects are flushed first, so the rows an event points to (a new organisation,
    say) are written before it.
    """
    rows = session.info.pop(PENDING_EVENTS, None)
    if not rows:
        return
    session.flush()
    # One statement for all (numbered in list order); Core, so the ORM has nothing to track.
    session.execute(AuditEvent.__table__.insert(), rows)


@event.listens_for(Session, "before_commit")
def _write_on_commit(session: Session) -> None:
    write_pending_events(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, _previous_transaction: Any) -> None:
    session.info.pop(PENDING_EVENTS, None)
