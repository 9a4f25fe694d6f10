"""Small builders for consent records in tests; every name and id is made up."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from consent import Category, ConsentRecord, Recipient

#: A fixed instant, so tests never depend on the clock.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
TICK = timedelta(microseconds=1)

CHILD = "child-1"
OTHER_CHILD = "child-2"
SCHEME = Recipient.scheme()
CLUB_A = Recipient.club("club-a")
CLUB_B = Recipient.club("club-b")


def consent(
    consent_id: str = "consent-1",
    *,
    child_id: str = CHILD,
    recipient: Recipient = SCHEME,
    categories: Iterable[Category] = (Category.IDENTITY, Category.CONTACT),
    given_at: datetime = T0,
    valid_until: datetime | None = None,
    withdrawn_at: datetime | None = None,
    purpose: str = "find and start a leisure activity",
) -> ConsentRecord:
    """A consent record with sensible defaults: the scheme may see identity and contact."""
    return ConsentRecord(
        consent_id=consent_id,
        child_id=child_id,
        recipient=recipient,
        categories=frozenset(categories),
        given_at=given_at,
        valid_until=valid_until,
        withdrawn_at=withdrawn_at,
        purpose=purpose,
    )
