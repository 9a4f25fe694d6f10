"""Writing audit events: who did what to which object, never the values themselves."""

from __future__ import annotations

import uuid
from typing import Any

from guide.audit.models import AuditEvent
from guide.database import utcnow
from guide.extensions import db


def record_event(
    action: str,
    *,
    actor: Any = None,
    organisation_id: uuid.UUID | None = None,
    obj: Any = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Write an audit event in the current transaction; the caller's commit keeps it.

    One plain INSERT, appended freely: it reads nothing, so concurrent requests never wait
    on each other here. The database numbers the event and the sealer links it into the
    chain later (guide.audit.sealing). Pending objects are flushed first, so the rows the
    event points to (a new organisation, say) are written before it.
    """
    if organisation_id is None and actor is not None:
        organisation_id = actor.organisation_id
    db.session.flush()
    db.session.execute(
        AuditEvent.__table__.insert().values(
            id=uuid.uuid4(),
            organisation_id=organisation_id,
            actor_id=actor.id if actor is not None else None,
            action=action,
            object_type=type(obj).__name__ if obj is not None else None,
            object_id=str(obj.id) if obj is not None else None,
            occurred_at=utcnow(),
            details=details or {},
        )
    )
