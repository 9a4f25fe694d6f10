"""A child's course through the scheme: child, guardians, case, visits and follow-ups."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, event, literal
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guide.cases.identity import child_identity_digest, new_reference
from guide.crypto.fields import EncryptedText
from guide.database import (
    ActorId,
    BlindIndexDigest,
    CreatedAt,
    OrganisationOwned,
    StringList,
    Timestamp,
    UTCDateTime,
    str_enum,
    utcnow,
)
from guide.extensions import db

if TYPE_CHECKING:
    from guide.accounts.models import User
    from guide.activities.models import Enrollment
    from guide.consents.models import Consent
    from guide.guides.models import GuideProfile
    from guide.referrals.models import Referral
    from guide.support.models import EquipmentLoan, SupportGrant


class CaseStatus(enum.StrEnum):
    referred = "referred"
    accepted = "accepted"
    declined = "declined"
    guide_assigned = "guide_assigned"
    in_progress = "in_progress"
    active = "active"
    paused = "paused"
    closed = "closed"


class HelpLevel(enum.StrEnum):
    information = "information"
    find_activity = "find_activity"
    follow_first_times = "follow_first_times"
    full_follow_up = "full_follow_up"


class CloseReason(enum.StrEnum):
    established = "established"
    family_declined = "family_declined"
    no_contact = "no_contact"
    moved = "moved"
    dropped_out = "dropped_out"
    other = "other"


class Barrier(enum.StrEnum):
    economy = "economy"
    transport = "transport"
    language = "language"
    social = "social"
    disability = "disability"
    unaware_of_offers = "unaware_of_offers"
    other = "other"


class GuardianRelation(enum.StrEnum):
    mother = "mother"
    father = "father"
    other_guardian = "other_guardian"
    foster_parent = "foster_parent"
    other = "other"


class VisitKind(enum.StrEnum):
    home_visit = "home_visit"
    phone_call = "phone_call"
    club_meeting = "club_meeting"
    accompanied_session = "accompanied_session"
    follow_up = "follow_up"


class Child(OrganisationOwned, db.Model):
    __tablename__ = "children"
    __table_args__ = (
        Index("ix_children_organisation_identity", "organisation_id", "identity_index"),
        #: The case list's area filter.
        Index("ix_children_organisation_area", "organisation_id", "area"),
        #: The name search's refresh: the children changed since its watermark.
        Index("ix_children_organisation_updated", "organisation_id", "updated_at"),
        #: The case search's schools: one step per school (see guide.cases.services).
        Index("ix_children_organisation_school", "organisation_id", "school"),
        #: The case list's area filter and the figures by area.
        Index("ix_children_organisation_area_id", "organisation_id", "area_id"),
    )

    first_name = EncryptedText(nullable=False)
    last_name = EncryptedText(nullable=False)
    #: ISO date text ("2015-04-03"); see ``born_on`` for the date.
    birth_date = EncryptedText(nullable=False)
    #: Fødselsnummer or D-number, only when the family gives it.
    national_id = EncryptedText()
    #: Keyed hash of the normalised names and birth date, set on every flush (duplicate look-up).
    identity_index: Mapped[BlindIndexDigest]
    school: Mapped[str | None] = mapped_column(String(200))
    school_class: Mapped[str | None] = mapped_column(String(20))
    #: The child's area in the organisation's list (guide.areas).
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    #: The area's name while ``area_id`` is set (kept on renames); before areas were a list,
    #: the text as typed, kept until a coordinator maps it.
    area: Mapped[str | None] = mapped_column(String(100))
    languages: Mapped[StringList]
    created_at: Mapped[CreatedAt]
    #: Set on every write; the name search (guide.cases.name_index) re-reads rows by it.
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    guardians: Mapped[list[Guardian]] = relationship(
        back_populates="child", cascade="all, delete-orphan", passive_deletes=True
    )
    cases: Mapped[list[Case]] = relationship(back_populates="child", passive_deletes=True)
    consents: Mapped[list[Consent]] = relationship(
        back_populates="child", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def born_on(self) -> dt.date:
        return dt.date.fromisoformat(self.birth_date)


@event.listens_for(Child, "before_insert")
@event.listens_for(Child, "before_update")
def _refresh_identity_index(_mapper: Any, _connection: Any, child: Child) -> None:
    # Recomputed on every write so a corrected name or birth date is found again.
    child.identity_index = child_identity_digest(
        child.first_name, child.last_name, child.birth_date
    )


class Guardian(OrganisationOwned, db.Model):
    __tablename__ = "guardians"

    child_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("children.id", ondelete="CASCADE"), index=True
    )
    full_name = EncryptedText(nullable=False)
    phone = EncryptedText()
    email = EncryptedText()
    address = EncryptedText()
    relation: Mapped[GuardianRelation] = mapped_column(str_enum(GuardianRelation))
    has_parental_responsibility: Mapped[bool] = mapped_column(default=True)
    #: Language code for letters, links and interpreters, e.g. "nb", "ar", "ti".
    preferred_language: Mapped[str] = mapped_column(String(8), default="nb")
    needs_interpreter: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[CreatedAt]

    child: Mapped[Child] = relationship(back_populates="guardians")


def new_case_reference() -> str:
    return new_reference("FG")


class Case(OrganisationOwned, db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_organisation_status_referred", "organisation_id", "status", "referred_at"),
        Index("ix_cases_organisation_referred", "organisation_id", "referred_at"),
        Index("ix_cases_assigned_guide_status", "assigned_guide_id", "status"),
    )

    #: Empty once the child's personal data is erased; the case stays for anonymous figures.
    child_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("children.id", ondelete="SET NULL"), index=True
    )
    #: Random, never derived from personal data; safe in URLs, e-mails and on paper.
    reference: Mapped[str] = mapped_column(String(16), unique=True, default=new_case_reference)
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus), default=CaseStatus.referred)
    help_level: Mapped[HelpLevel] = mapped_column(str_enum(HelpLevel))
    #: The child's interests in the child's own words.
    interests_in_own_words = EncryptedText()
    #: Plain normalised tags for matching, e.g. ["football", "guitar"].
    interest_tags: Mapped[StringList]
    #: Barrier values (see ``Barrier``).
    barriers: Mapped[StringList]
    assigned_guide_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("guide_profiles.id", ondelete="SET NULL")
    )
    referred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[Timestamp | None]
    guide_assigned_at: Mapped[Timestamp | None]
    first_contact_at: Mapped[Timestamp | None]
    first_activity_at: Mapped[Timestamp | None]
    closed_at: Mapped[Timestamp | None]
    #: The newest visit's ``occurred_on``, kept by guide.cases.visits on every visit write;
    #: the dashboard finds the quiet cases by it.
    last_visit_on: Mapped[dt.date | None]
    close_reason: Mapped[CloseReason | None] = mapped_column(str_enum(CloseReason))
    close_note = EncryptedText()
    #: What the club should know to welcome the child; clubs see it only under consent.
    practical_needs = EncryptedText()
    #: Optimistic locking: a stale write raises StaleDataError instead of overwriting.
    version: Mapped[int] = mapped_column(nullable=False)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    child: Mapped[Child | None] = relationship(back_populates="cases")
    assigned_guide: Mapped[GuideProfile | None] = relationship(back_populates="cases")
    status_changes: Mapped[list[CaseStatusChange]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by=lambda: CaseStatusChange.changed_at,
    )
    visits: Mapped[list[Visit]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by=lambda: Visit.occurred_on.desc(),
    )
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by=lambda: FollowUp.due_on,
    )
    referrals: Mapped[list[Referral]] = relationship(back_populates="case", passive_deletes=True)
    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="case", cascade="all, delete-orphan", passive_deletes=True
    )
    support_grants: Mapped[list[SupportGrant]] = relationship(
        back_populates="case", cascade="all, delete-orphan", passive_deletes=True
    )
    equipment_loans: Mapped[list[EquipmentLoan]] = relationship(
        back_populates="case", cascade="all, delete-orphan", passive_deletes=True
    )


class CaseStatusChange(db.Model):
    """One transition, timestamped, so durations come from data."""

    __tablename__ = "case_status_changes"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[CaseStatus | None] = mapped_column(str_enum(CaseStatus))
    to_status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus))
    changed_by_id: Mapped[ActorId]
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    note = EncryptedText()

    case: Mapped[Case] = relationship(back_populates="status_changes")
    changed_by: Mapped[User | None] = relationship()


class Visit(db.Model):
    """A logged meeting, call or accompanied session."""

    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_case_occurred", "case_id", "occurred_on"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[VisitKind] = mapped_column(str_enum(VisitKind))
    occurred_on: Mapped[dt.date]
    duration_minutes: Mapped[int | None]
    notes = EncryptedText()
    #: What the child said, in the child's own words.
    child_words = EncryptedText()
    created_at: Mapped[CreatedAt]

    case: Mapped[Case] = relationship(back_populates="visits")
    author: Mapped[User] = relationship()


class FollowUp(db.Model):
    """A check-in due some months after the first activity."""

    __tablename__ = "follow_ups"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    months_after: Mapped[int]
    due_on: Mapped[dt.date] = mapped_column(index=True)
    done_at: Mapped[Timestamp | None]
    done_by_id: Mapped[ActorId]
    #: When the case closed with this follow-up not done; cleared if the case reopens.
    #: Set by guide.cases.workflow.change_status.
    cancelled_at: Mapped[Timestamp | None]
    note = EncryptedText()

    case: Mapped[Case] = relationship(back_populates="follow_ups")


#: Statuses in which a guide is expected to be in touch with the family.
VISITING_STATUSES = (CaseStatus.guide_assigned, CaseStatus.in_progress, CaseStatus.active)
#: A case its guide should be visiting. The statuses go into the SQL as literals, so a query
#: with this condition matches the partial index below (on SQLite, and in PostgreSQL's
#: generic plans, where bound values cannot prove that a row is in the index).
CASE_IS_VISITED = Case.status.in_(
    [literal(status, Case.status.type, literal_execute=True) for status in VISITING_STATUSES]
) & Case.assigned_guide_id.is_not(None)
#: Follow-ups still to be done: neither done nor cancelled by the case closing.
FOLLOW_UP_IS_OUTSTANDING = FollowUp.done_at.is_(None) & FollowUp.cancelled_at.is_(None)

# The dashboard's partial indexes, declared after the classes: their conditions use columns.
# Visited cases by their last visit (never visited: NULL).
Index(
    "ix_cases_quiet",
    Case.organisation_id,
    Case.last_visit_on,
    sqlite_where=CASE_IS_VISITED,
    postgresql_where=CASE_IS_VISITED,
)
# Outstanding follow-ups by due date.
Index(
    "ix_follow_ups_outstanding",
    FollowUp.due_on,
    FollowUp.id,
    sqlite_where=FOLLOW_UP_IS_OUTSTANDING,
    postgresql_where=FOLLOW_UP_IS_OUTSTANDING,
)
