"""The audit log: events appended freely, then linked into one hash chain by the sealer."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from guide.database import ActorId, UTCDateTime, utcnow
from guide.extensions import db

#: An event the sealer has not linked into the chain yet.
IS_UNSEALED = text("chain_position IS NULL")


class AuditLogIsAppendOnly(RuntimeError):
    """An audit event was about to be changed or deleted through the session."""


class AuditEvent(db.Model):
    """Who did what to which object, and when; never the values themselves.

    Writers only INSERT (guide.audit.services); the sealer (guide.audit.sealing) fills the
    three chain columns once; on PostgreSQL a trigger refuses every other change.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint("id"),
        UniqueConstraint("chain_position"),
        Index("ix_audit_events_organisation_occurred", "organisation_id", "occurred_at"),
        Index("ix_audit_events_actor_occurred", "actor_id", "occurred_at"),
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index(
            "ix_audit_events_unsealed",
            "sequence_number",
            sqlite_where=IS_UNSEALED,
            postgresql_where=IS_UNSEALED,
        ),
    )

    #: Insertion order, assigned by the database (SQLite's rowid, a PostgreSQL identity).
    sequence_number: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), Identity(always=True), primary_key=True
    )
    #: The event's name for people and for verify's report; the sequence number is the key.
    id: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4)
    #: Empty for events outside any organisation (e.g. a failed sign-in for an unknown address).
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    actor_id: Mapped[ActorId]
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Non-sensitive metadata only (ids, counts, field names), never personal data.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The event's place in the one chain (1, 2, 3 ...), in the order the sealer linked it.
    chain_position: Mapped[int | None] = mapped_column(BigInteger)
    #: The event_hash at chain_position - 1; empty for the first event of the chain.
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    #: Keyed hash over this event's content, position and previous_hash (guide.audit.chain).
    event_hash: Mapped[str | None] = mapped_column(String(64))


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
    # session.execute(update(AuditEvent)...) never reaches before_flush; nor does an
    # UPDATE or DELETE written against the table. The sealer writes below the session.
    if not (state.is_update or state.is_delete):
        return
    if getattr(state.statement, "table", None) is AuditEvent.__table__ or any(
        mapper.class_ is AuditEvent for mapper in state.all_mappers
    ):
        raise AuditLogIsAppendOnly("Audit events cannot be changed or deleted.")
