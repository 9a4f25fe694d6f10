"""The categories of a child's data that a consent can cover, and who can receive them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

RecipientKind = Literal["scheme", "club"]


class Category(StrEnum):
    """A kind of data about a child that a guardian consents to share."""

    IDENTITY = "identity"
    CONTACT = "contact"
    PRACTICAL_NEEDS = "practical_needs"
    HEALTH_RELATED = "health_related"
    ECONOMY = "economy"


#: Categories a club never receives, whatever a consent says: support must stay discreet.
NEVER_TO_CLUBS: frozenset[Category] = frozenset({Category.HEALTH_RELATED, Category.ECONOMY})


@dataclass(frozen=True)
class Recipient:
    """Who receives data: the scheme itself, or one named club."""

    kind: RecipientKind
    club_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind == "scheme":
            if self.club_id is not None:
                raise ValueError("the scheme recipient has no club_id")
        elif self.kind == "club":
            if not isinstance(self.club_id, str) or not self.club_id:
                raise ValueError("a club recipient needs a non-empty club_id")
        else:
            raise ValueError(f"unknown recipient kind {self.kind!r}")

    @classmethod
    def scheme(cls) -> Recipient:
        """The fritidsguide scheme itself (coordinators and guides)."""
        return cls(kind="scheme")

    @classmethod
    def club(cls, club_id: str) -> Recipient:
        """One named club; a consent for one club never covers another."""
        return cls(kind="club", club_id=club_id)

    @property
    def is_club(self) -> bool:
        """True for a club, False for the scheme."""
        return self.kind == "club"


def categories_offered_to(recipient: Recipient) -> frozenset[Category]:
    """The categories a consent form may offer to share with ``recipient``."""
    everything = frozenset(Category)
    return everything - NEVER_TO_CLUBS if recipient.is_club else everything
