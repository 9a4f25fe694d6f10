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


def event_digest(event: AuditEvent) -> str:
    """Keyed hash over the event's content and its predecessor's hash."""
    content = json.dumps(
        [
            str(event.id),
            str(event.organisation_id) if event.organisation_id else None,
            str(event.actor_id) if event.actor_id else None,
            event.action,
            event.object_type,
            event.object_id,
            event.occurred_at.isoformat(),
            event.details or {},
            event.previous_hash,
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
) -> AuditEvent:
    """Add an audit event to the current transaction; the caller's commit stores it."""
    if organisation_id is None and actor is not None:
        organisation_id = actor.organisation_id
    previous = db.session.scalar(
        select(AuditEvent.event_hash)
        .where(AuditEvent.organisation_id == organisation_id)
        .order_by(AuditEvent.occurred_at.desc())
        .limit(1)
    )
    event = AuditEvent(
        organisation_id=organisation_id,
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if obj is not None else None,
        occurred_at=utcnow(),
        details=details or {},
        previous_hash=previous,
    )
    event.event_hash = event_digest(event)
    db.session.add(event)
    return event


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
