"""Writing audit events: who did what to which object, never the values themselves."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import select

from guide.audit.models import AuditEvent
from guide.database import utcnow
from guide.extensions import db


def _chain_key() -> bytes:
    cache = current_app.extensions.setdefault("fritidsguide.audit_key", {})
    if "key" not in cache:
        index_key = current_app.extensions["fritidsguide.cipher"].keyring.index_key
        cache["key"] = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"fritidsguide audit chain"
        ).derive(index_key)
    return cache["key"]


#: The columns the chain's hash covers, in this order.
HASHED_FIELDS = (
    "id",
    "organisation_id",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "occurred_at",
    "details",
    "previous_hash",
)


def event_digest(event: AuditEvent) -> str:
    """Keyed hash over the event's content and its predecessor's hash."""
    return _digest({name: getattr(event, name) for name in HASHED_FIELDS})


def _digest(fields: dict[str, Any]) -> str:
    content = json.dumps(
        [
            str(fields["id"]),
            str(fields["organisation_id"]) if fields["organisation_id"] else None,
            str(fields["actor_id"]) if fields["actor_id"] else None,
            fields["action"],
            fields["object_type"],
            fields["object_id"],
            fields["occurred_at"].isoformat(),
            fields["details"] or {},
            fields["previous_hash"],
        ],
        sort_keys=True,
        separators=(",", ":"),
    )
    return hmac.new(_chain_key(), content.encode(), hashlib.sha256).hexdigest()


def record_event(
    action: str,
    *,
    actor: Any = None,
    organisation_id: uuid.UUID | None = None,
    obj: Any = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Write an audit event in the current transaction; the caller's commit keeps it.

    A plain INSERT rather than an object for the session to flush: the ORM's unit of work
    cost more than the rest of this, and every page that shows a child writes one event.
    The query for the chain's head flushes pending objects first, as the session would.
    """
    if organisation_id is None and actor is not None:
        organisation_id = actor.organisation_id
    previous = db.session.scalar(
        select(AuditEvent.event_hash)
        .where(AuditEvent.organisation_id == organisation_id)
        .order_by(AuditEvent.occurred_at.desc())
        .limit(1)
    )
    fields = {
        "id": uuid.uuid4(),
        "organisation_id": organisation_id,
        "actor_id": actor.id if actor is not None else None,
        "action": action,
        "object_type": type(obj).__name__ if obj is not None else None,
        "object_id": str(obj.id) if obj is not None else None,
        "occurred_at": utcnow(),
        "details": details or {},
        "previous_hash": previous,
    }
    db.session.execute(AuditEvent.__table__.insert().values(event_hash=_digest(fields), **fields))


def verify_chain(organisation_id: uuid.UUID | None) -> list[uuid.UUID]:
    """Ids of events whose hash does not match their content or whose predecessor is missing."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.organisation_id == organisation_id)
        .order_by(AuditEvent.occurred_at)
    ).all()
    seen: set[str] = set()
    broken = []
    for event in events:
        if not hmac.compare_digest(event.event_hash, event_digest(event)) or (
            event.previous_hash is not None and event.previous_hash not in seen
        ):
            broken.append(event.id)
        seen.add(event.event_hash)
    return broken
