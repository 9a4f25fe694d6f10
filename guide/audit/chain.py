"""The audit chain's one rule: each event's keyed hash covers its content, place and predecessor."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from guide.audit.models import AuditEvent
from guide.crypto.derived import derived_key

#: The columns an event's hash covers, in this order.
HASHED_COLUMNS = (
    AuditEvent.sequence_number,
    AuditEvent.id,
    AuditEvent.organisation_id,
    AuditEvent.actor_id,
    AuditEvent.action,
    AuditEvent.object_type,
    AuditEvent.object_id,
    AuditEvent.occurred_at,
    AuditEvent.details,
)


def _chain_key() -> bytes:
    return derived_key(b"fritidsguide audit chain")


def link_digest(event: Any, *, position: int, previous_hash: str | None) -> str:
    """Keyed hash of ``event`` (a row of HASHED_COLUMNS) at ``position`` after ``previous_hash``."""
    content = json.dumps(
        [
            event.sequence_number,
            str(event.id),
            str(event.organisation_id) if event.organisation_id else None,
            str(event.actor_id) if event.actor_id else None,
            event.action,
            event.object_type,
            event.object_id,
            event.occurred_at.isoformat(),
            event.details or {},
            position,
            previous_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
    )
    return hmac.new(_chain_key(), content.encode(), hashlib.sha256).hexdigest()
