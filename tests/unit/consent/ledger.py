"""An independent model of consent, for property tests: a ledger replayed event by event.

decide() judges a list of finished records at any instant. This model instead walks forward
in time and keeps a set of consents that are live *now*, starting, expiring and withdrawing
them as events happen. The two are written differently on purpose, so that one can check the
other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from consent import NEVER_TO_CLUBS, Category, ConsentRecord, Recipient
from tests.unit.consent.builders import T0

CHILDREN = ("child-1", "child-2")
RECIPIENTS = (Recipient.scheme(), Recipient.club("club-a"), Recipient.club("club-b"))

#: One question decide() answers: whose data, to whom, which category.
Question = tuple[str, Recipient, Category]
QUESTIONS: tuple[Question, ...] = tuple(
    (child, recipient, category)
    for child in CHILDREN
    for recipient in RECIPIENTS
    for category in Category
)


@dataclass(frozen=True)
class Give:
    """A guardian gives consent now, counting from ``starts_after`` on, for ``lasts``."""

    child_id: str
    recipient: Recipient
    categories: frozenset[Category]
    starts_after: timedelta
    lasts: timedelta | None


@dataclass(frozen=True)
class Withdraw:
    """A guardian withdraws one earlier consent (chosen by ``pick``) now."""

    pick: int


@dataclass(frozen=True)
class Advance:
    """Time passes."""

    by: timedelta


Event = Give | Withdraw | Advance


@dataclass
class Ledger:
    """Consents as a state machine: pending until they start, live until they end."""

    now: datetime = T0
    given: dict[str, Give] = field(default_factory=dict)
    starts: dict[str, datetime] = field(default_factory=dict)
    ends: dict[str, datetime | None] = field(default_factory=dict)
    withdrawn_at: dict[str, datetime] = field(default_factory=dict)
    pending: set[str] = field(default_factory=set)
    live: set[str] = field(default_factory=set)
    #: The live consents behind each question, as they stood at the end of each instant.
    snapshots: dict[datetime, dict[Question, frozenset[str]]] = field(default_factory=dict)

    def replay(self, events: list[Event]) -> None:
        self.snapshot()
        for event in events:
            match event:
                case Give():
                    self.give(event)
                case Withdraw(pick=pick):
                    self.withdraw(pick)
                case Advance(by=by):
                    self.now += by
                    self.settle()
            self.snapshot()

    def give(self, event: Give) -> None:
        consent_id = f"consent-{len(self.given):02d}"
        self.given[consent_id] = event
        self.starts[consent_id] = self.now + event.starts_after
        self.ends[consent_id] = (
            None if event.lasts is None else self.starts[consent_id] + event.lasts
        )
        self.pending.add(consent_id)
        self.settle()

    def withdraw(self, pick: int) -> None:
        if not self.given:
            return
        consent_id = sorted(self.given)[pick % len(self.given)]
        if consent_id in self.withdrawn_at:
            return  # a second withdrawal changes nothing; the first one stands
        self.withdrawn_at[consent_id] = self.now
        self.pending.discard(consent_id)
        self.live.discard(consent_id)

    def settle(self) -> None:
        """Start the pending consents whose time has come, then end the ones that ran out."""
        for consent_id in sorted(self.pending):
            if self.starts[consent_id] <= self.now:
                self.pending.remove(consent_id)
                self.live.add(consent_id)
        for consent_id in sorted(self.live):
            end = self.ends[consent_id]
            if end is not None and end <= self.now:
                self.live.remove(consent_id)

    def snapshot(self) -> None:
        # Later events at the same instant overwrite earlier ones: the instant's final state.
        self.snapshots[self.now] = {question: self.permits(*question) for question in QUESTIONS}

    def permits(self, child_id: str, recipient: Recipient, category: Category) -> frozenset[str]:
        if recipient.is_club and category in NEVER_TO_CLUBS:
            return frozenset()
        return frozenset(
            consent_id
            for consent_id in self.live
            if self.given[consent_id].child_id == child_id
            and self.given[consent_id].recipient == recipient
            and category in self.given[consent_id].categories
        )

    def records(self) -> list[ConsentRecord]:
        """The consents as the application would store them after the last event."""
        return [
            ConsentRecord(
                consent_id=consent_id,
                child_id=event.child_id,
                recipient=event.recipient,
                categories=event.categories,
                given_at=self.starts[consent_id],
                valid_until=self.ends[consent_id],
                withdrawn_at=self.withdrawn_at.get(consent_id),
                purpose="follow-up by a guide",
            )
            for consent_id, event in self.given.items()
        ]
