"""The audit log: append-only, each event chained to the one before by a keyed hash."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from guide.database import ActorId, UTCDateTime, utcnow
from guide.extensions import db


class AuditLogIsAppendOnly(RuntimeError):
    """An audit event was about to be changed or deleted through the ORM."""


class AuditEvent(db.Model):
    """Who did what to which object, and when; never the values themselves."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_organisation_occurred", "organisation_id", "occurred_at"),
        Index("ix_audit_events_actor_occurred", "actor_id", "occurred_at"),
        Index("ix_audit_events_object", "object_type", "object_id"),
    )

    #: Empty for events outside any organisation (e.g. a failed sign-in for an unknown address).
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    actor_id: Mapped[ActorId]
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Non-sensitive metadata only (ids, counts, field names), never personal data.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The event_hash of the organisation's previous event; empty for the first.
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    #: Keyed hash over this event's content and previous_hash (see guide.audit.services).
    event_hash: Mapped[str] = mapped_column(String(64))


@event.listens_for(Session, "before_flush")
def _refuse_changed_audit_events(session: Session, _context: Any, _instances: Any) -> None:
    for instance in session.deleted:
        if isinstance(instance, AuditEvent):
            raise AuditLogIsAppendOnly("Audit events cannot be deleted.")
    for instance in session.dirty:
        if isinstance(instance, AuditEvent) and session.is_modified(instance):
            raise AuditLogIsAppendOnly("Audit events cannot be changed.")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_changes(state: ORMExecuteState) -> None:
    # session.execute(update(AuditEvent)...) never reaches before_flush.
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is AuditEvent for mapper in state.all_mappers
    ):
        raise AuditLogIsAppendOnly("Audit events cannot be changed or deleted.")
