"""Verifying the audit chain: every sealed event in place, unchanged, linked to the one before."""

from __future__ import annotations

import enum
import hmac
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from guide.audit.chain import HASHED_COLUMNS, link_digest
from guide.audit.models import AuditEvent
from guide.extensions import db

#: Rows fetched from the database at a time while walking the chain.
WALK_CHUNK = 2000


class BreakKind(enum.StrEnum):
    #: Positions jump: the event(s) before this one were removed, or positions were changed.
    gap = "gap"
    #: The event's fields no longer give its hash: something in it was changed.
    changed = "changed"
    #: The event does not follow the one before it: the chain was reordered, forked or spliced.
    link = "link"


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the chain does not hold."""

    event_id: uuid.UUID
    position: int
    kind: BreakKind


@dataclass(frozen=True)
class ChainReport:
    """What a verification found."""

    #: Sealed events walked, up to and including the first break.
    checked: int
    #: Events written but not yet sealed (not covered by the chain yet).
    waiting: int
    first_break: ChainBreak | None

    @property
    def is_intact(self) -> bool:
        return self.first_break is None


def verify_chain() -> ChainReport:
    """Walk the whole sealed chain from position 1 and stop at the first break."""
    waiting = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.chain_position.is_(None))
    )
    rows = db.session.execute(
        select(
            *HASHED_COLUMNS,
            AuditEvent.chain_position,
            AuditEvent.previous_hash,
            AuditEvent.event_hash,
        )
        .where(AuditEvent.chain_position.is_not(None))
        .order_by(AuditEvent.chain_position)
        .execution_options(yield_per=WALK_CHUNK)
    )
    checked, previous_hash = 0, None
    try:
        for event in rows:
            checked += 1
            kind = _break_in(event, expected_position=checked, expected_previous=previous_hash)
            if kind is not None:
                return ChainReport(
                    checked, waiting or 0, ChainBreak(event.id, event.chain_position, kind)
                )
            previous_hash = event.event_hash
    finally:
        rows.close()
    return ChainReport(checked, waiting or 0, None)


def _break_in(event, *, expected_position: int, expected_previous: str | None) -> BreakKind | None:
    if event.chain_position != expected_position:
        return BreakKind.gap
    recomputed = link_digest(
        event, position=event.chain_position, previous_hash=event.previous_hash
    )
    if not hmac.compare_digest(event.event_hash or "", recomputed):
        return BreakKind.changed
    if event.previous_hash != expected_previous:
        return BreakKind.link
    return None
