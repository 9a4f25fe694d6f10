"""Clubs, their activities and costs, and a child's enrollment in an activity."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guide.crypto.fields import EncryptedBytes
from guide.database import (
    ActorId,
    CreatedAt,
    Money,
    OrganisationOwned,
    StringList,
    Timestamp,
    str_enum,
)
from guide.extensions import db

if TYPE_CHECKING:
    from guide.cases.models import Case


class Club(OrganisationOwned, db.Model):
    """A club, team or association; its contact details are public business data."""

    __tablename__ = "clubs"
    __table_args__ = (UniqueConstraint("organisation_id", "org_number"),)

    name: Mapped[str] = mapped_column(String(200))
    #: Organisasjonsnummer from Brønnøysund, nine digits.
    org_number: Mapped[str | None] = mapped_column(String(9))
    contact_person: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    website: Mapped[str | None] = mapped_column(String(300))
    area_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("areas.id", ondelete="SET NULL"), index=True
    )
    #: The name of ``area_id``, or unmapped text from before areas were a list (see Child.area).
    area: Mapped[str | None] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[CreatedAt]

    activities: Mapped[list[Activity]] = relationship(back_populates="club")


class BuiltInCategory(enum.StrEnum):
    """The categories every organisation has; they live in code so their names translate."""

    sport = "sport"
    music = "music"
    dance = "dance"
    scouting = "scouting"
    art_and_crafts = "art_and_crafts"
    drama = "drama"
    outdoor_life = "outdoor_life"
    gaming_esport = "gaming_esport"
    youth_club = "youth_club"
    culture_school = "culture_school"
    other = "other"


class ActivityCategory(db.Model):
    """A category such as "football"; built-in ones have no organisation."""

    __tablename__ = "activity_categories"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    #: Empty for the built-in categories every organisation sees.
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))


class Activity(OrganisationOwned, db.Model):
    """One offer, e.g. "Football G10, Fridays 17-18, Bydel Nord"."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_organisation_category", "organisation_id", "category_key"),
    )

    club_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clubs.id", ondelete="CASCADE"), index=True
    )
    #: An ActivityCategory key (built-in or the organisation's own).
    category_key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    area_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("areas.id", ondelete="SET NULL"), index=True
    )
    #: The name of ``area_id``, or unmapped text from before areas were a list (see Child.area).
    area: Mapped[str | None] = mapped_column(String(100))
    meeting_place: Mapped[str | None] = mapped_column(String(200))
    #: 0 = Monday ... 6 = Sunday, as in ``datetime.date.weekday()``.
    weekday: Mapped[int | None]
    starts_at: Mapped[dt.time | None]
    ends_at: Mapped[dt.time | None]
    season: Mapped[str | None] = mapped_column(String(100))
    fee_per_season: Mapped[Money] = mapped_column(default=0)
    equipment_needed: Mapped[str | None] = mapped_column(Text)
    equipment_can_be_borrowed: Mapped[bool] = mapped_column(default=False)
    #: Languages the leaders speak, as language codes.
    leader_languages: Mapped[StringList]
    accessibility_notes: Mapped[str | None] = mapped_column(Text)
    has_free_trial: Mapped[bool] = mapped_column(default=False)
    #: Empty when the club has not said.
    places_left: Mapped[int | None]
    has_waiting_list: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[CreatedAt]

    club: Mapped[Club] = relationship(back_populates="activities")
    extra_costs: Mapped[list[ActivityExtraCost]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", passive_deletes=True
    )


class ExtraCostKind(enum.StrEnum):
    trips = "trips"
    cups = "cups"
    camps = "camps"
    uniforms = "uniforms"
    transport = "transport"
    other = "other"


class ActivityExtraCost(db.Model):
    """A cost on top of the fee, so the family sees the whole price before starting."""

    __tablename__ = "activity_extra_costs"

    activity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ExtraCostKind] = mapped_column(str_enum(ExtraCostKind))
    label: Mapped[str | None] = mapped_column(String(200))
    amount: Mapped[Money]

    activity: Mapped[Activity] = relationship(back_populates="extra_costs")


class EnrollmentStatus(enum.StrEnum):
    proposed = "proposed"
    trial = "trial"
    enrolled = "enrolled"
    ended = "ended"


class EnrollmentEndReason(enum.StrEnum):
    lost_interest = "lost_interest"
    too_expensive = "too_expensive"
    transport = "transport"
    social_reasons = "social_reasons"
    moved = "moved"
    other = "other"


class Enrollment(db.Model):
    """A case's link to an activity, from proposal to ending."""

    __tablename__ = "enrollments"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    activity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("activities.id"), index=True)
    status: Mapped[EnrollmentStatus] = mapped_column(
        str_enum(EnrollmentStatus), default=EnrollmentStatus.proposed
    )
    #: The one activity the case is about, when the child tries several.
    is_main: Mapped[bool] = mapped_column(default=False)
    #: Whether the child chose the activity; empty until asked.
    is_own_choice: Mapped[bool | None]
    proposed_by_id: Mapped[ActorId]
    started_on: Mapped[dt.date | None]
    ended_on: Mapped[dt.date | None]
    end_reason: Mapped[EnrollmentEndReason | None] = mapped_column(str_enum(EnrollmentEndReason))
    created_at: Mapped[CreatedAt]

    case: Mapped[Case] = relationship(back_populates="enrollments")
    activity: Mapped[Activity] = relationship()


class CatalogueImport(OrganisationOwned, db.Model):
    """An uploaded club/activity CSV kept between its preview and its import."""

    __tablename__ = "catalogue_imports"

    created_by_id: Mapped[ActorId]
    filename: Mapped[str] = mapped_column(String(200))
    #: The file as uploaded (it names contact people, so it is sealed like other personal
    #: data); it is parsed again at import, against the catalogue as it is then.
    content = EncryptedBytes(nullable=False)
    created_at: Mapped[CreatedAt]
    imported_at: Mapped[Timestamp | None]
