"""The shape of one consent, as the application maps it from its database rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consent.categories import Category, Recipient


def require_aware(value: datetime, name: str) -> None:
    """Raise ValueError unless ``value`` is a timezone-aware datetime."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    # Comparing naive and aware instants raises late or, worse, guesses a zone: refuse early.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True)
class ConsentRecord:
    """One guardian's consent: whose data, to whom, which categories, and for how long."""

    consent_id: str
    child_id: str
    recipient: Recipient
    categories: frozenset[Category]
    given_at: datetime
    valid_until: datetime | None
    withdrawn_at: datetime | None
    purpose: str

    def __post_init__(self) -> None:
        for name in ("consent_id", "child_id"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty string")
        if not isinstance(self.recipient, Recipient):
            raise TypeError("recipient must be a Recipient")
        if not isinstance(self.categories, frozenset) or not all(
            isinstance(category, Category) for category in self.categories
        ):
            raise TypeError("categories must be a frozenset of Category")
        require_aware(self.given_at, "given_at")
        if self.valid_until is not None:
            require_aware(self.valid_until, "valid_until")
        if self.withdrawn_at is not None:
            require_aware(self.withdrawn_at, "withdrawn_at")

    def has_started(self, at: datetime) -> bool:
        """True once the consent was given (it counts from its very instant)."""
        return self.given_at <= at

    def is_withdrawn(self, at: datetime) -> bool:
        """True from the instant of withdrawal on."""
        return self.withdrawn_at is not None and self.withdrawn_at <= at

    def is_expired(self, at: datetime) -> bool:
        """True from the instant ``valid_until`` is reached on."""
        return self.valid_until is not None and self.valid_until <= at

    def is_in_force(self, at: datetime) -> bool:
        """True if the consent counts at ``at``: started, not expired, not withdrawn."""
        return self.has_started(at) and not self.is_expired(at) and not self.is_withdrawn(at)
