"""Volunteer guides: what they offer, and the checks required before they meet children."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guide.areas.models import Area
from guide.database import CreatedAt, OrganisationOwned, StringList
from guide.extensions import db

if TYPE_CHECKING:
    from guide.accounts.models import User
    from guide.cases.models import Case


#: The areas each guide can cover.
guide_profile_areas = Table(
    "guide_profile_areas",
    db.metadata,
    Column(
        "guide_profile_id", ForeignKey("guide_profiles.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)


class GuideProfile(OrganisationOwned, db.Model):
    """A guide's matching profile; it belongs to a user with the guide role."""

    __tablename__ = "guide_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    #: Language codes the guide speaks, e.g. ["nb", "ar"].
    languages: Mapped[StringList]
    #: Area names from before areas were a list that no area matched; a coordinator maps them.
    unmapped_areas: Mapped[StringList]
    #: Normalised interest tags, compared with the case's interest_tags.
    interests: Mapped[StringList]
    #: How many open cases the guide takes at once.
    capacity: Mapped[int] = mapped_column(default=2)
    #: About the volunteer (not the children), so not encrypted.
    availability_notes: Mapped[str | None] = mapped_column(Text)
    police_certificate_checked_on: Mapped[dt.date | None]
    confidentiality_signed_on: Mapped[dt.date | None]
    is_paused: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[CreatedAt]

    user: Mapped[User] = relationship(back_populates="guide_profile")
    #: Areas (bydel / skolekrets) the guide can cover.
    areas: Mapped[list[Area]] = relationship(
        secondary=guide_profile_areas, order_by=lambda: Area.name
    )
    cases: Mapped[list[Case]] = relationship(back_populates="assigned_guide")

    @property
    def is_cleared(self) -> bool:
        """True once the police certificate is checked and the declaration signed."""
        return (
            self.police_certificate_checked_on is not None
            and self.confidentiality_signed_on is not None
        )
