"""The one question every share asks: may this recipient see this category of this child now?"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from consent.categories import NEVER_TO_CLUBS, Category, Recipient
from consent.records import ConsentRecord, require_aware


class Reason(StrEnum):
    """Why a decision allows or refuses."""

    GRANTED = "granted"
    NO_CONSENT = "no_consent"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    OTHER_RECIPIENT = "other_recipient"
    CATEGORY_NOT_COVERED = "category_not_covered"
    NEVER_SHARED_WITH_CLUBS = "never_shared_with_clubs"
    OTHER_CHILD = "other_child"


#: Refusals, most informative first: the closer a record came to allowing, the more it says.
REFUSALS_BY_RELEVANCE: tuple[Reason, ...] = (
    Reason.WITHDRAWN,
    Reason.EXPIRED,
    Reason.NOT_YET_VALID,
    Reason.CATEGORY_NOT_COVERED,
    Reason.OTHER_RECIPIENT,
    Reason.OTHER_CHILD,
)


@dataclass(frozen=True)
class Decision:
    """The answer, why, and the consent it rests on (or the most relevant refusing one)."""

    allowed: bool
    reason: Reason
    consent_id: str | None = None

    def __post_init__(self) -> None:
        if self.allowed != (self.reason is Reason.GRANTED):
            raise ValueError("a decision is allowed exactly when its reason is 'granted'")
        if self.allowed and self.consent_id is None:
            raise ValueError("an allowed decision must name the consent it rests on")

    def __bool__(self) -> bool:
        # Without this every Decision would be truthy, and `if decide(...):` would always share.
        return self.allowed


def judge_record(
    record: ConsentRecord,
    *,
    child_id: str,
    recipient: Recipient,
    category: Category,
    at: datetime,
) -> Reason:
    """What one record alone says about the question: granted, or why not."""
    if record.child_id != child_id:
        return Reason.OTHER_CHILD
    if record.recipient != recipient:
        return Reason.OTHER_RECIPIENT
    if category not in record.categories:
        return Reason.CATEGORY_NOT_COVERED
    if not record.has_started(at):
        return Reason.NOT_YET_VALID
    withdrawn_at = record.withdrawn_at if record.is_withdrawn(at) else None
    expired_at = record.valid_until if record.is_expired(at) else None
    # Whichever ended the consent first names it; a tie goes to the guardian's own act.
    if withdrawn_at is not None and (expired_at is None or withdrawn_at <= expired_at):
        return Reason.WITHDRAWN
    if expired_at is not None:
        return Reason.EXPIRED
    return Reason.GRANTED


def most_recent(records: Iterable[ConsentRecord]) -> ConsentRecord:
    """The record given last; equal instants are settled by the smallest consent_id."""
    candidates = list(records)
    latest = max(record.given_at for record in candidates)
    return min(
        (record for record in candidates if record.given_at == latest),
        key=lambda record: record.consent_id,
    )


def decide(
    records: Iterable[ConsentRecord],
    *,
    child_id: str,
    recipient: Recipient,
    category: Category | str,
    at: datetime,
) -> Decision:
    """May ``recipient`` see ``category`` of the child's data at instant ``at``?"""
    category = Category(category)  # an unknown name raises instead of quietly refusing
    require_aware(at, "at")
    if recipient.is_club and category in NEVER_TO_CLUBS:
        return Decision(allowed=False, reason=Reason.NEVER_SHARED_WITH_CLUBS)

    by_reason: dict[Reason, list[ConsentRecord]] = {}
    for record in records:
        reason = judge_record(
            record, child_id=child_id, recipient=recipient, category=category, at=at
        )
        by_reason.setdefault(reason, []).append(record)

    for reason in (Reason.GRANTED, *REFUSALS_BY_RELEVANCE):
        if reason in by_reason:
            chosen = most_recent(by_reason[reason])
            return Decision(
                allowed=reason is Reason.GRANTED, reason=reason, consent_id=chosen.consent_id
            )
    return Decision(allowed=False, reason=Reason.NO_CONSENT)


def allowed_categories(
    records: Iterable[ConsentRecord],
    *,
    child_id: str,
    recipient: Recipient,
    at: datetime,
) -> frozenset[Category]:
    """Every category ``recipient`` may see of the child's data at instant ``at``."""
    records = tuple(records)  # read once per category below
    return frozenset(
        category
        for category in Category
        if decide(records, child_id=child_id, recipient=recipient, category=category, at=at)
    )
