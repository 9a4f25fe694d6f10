"""What a club contact reports about a shared child: it has started, or has not come lately."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guide.crypto.fields import EncryptedText
from guide.database import ActorId, OrganisationOwned, UTCDateTime, str_enum, utcnow
from guide.extensions import db

if TYPE_CHECKING:
    from guide.accounts.models import User
    from guide.activities.models import Club
    from guide.cases.models import Case


class ClubReportKind(enum.StrEnum):
    started = "started"
    absent = "absent"


class ClubReport(OrganisationOwned, db.Model):
    """One report by a club about a child's case; one per club, kind and local day.

    It belongs to the case (deleted with it). Taking it back the same day deletes it.
    """

    __tablename__ = "club_reports"
    __table_args__ = (
        #: A second press the same day finds the first report instead of making another.
        UniqueConstraint("case_id", "club_id", "kind", "reported_on"),
        #: The dashboard's count of absence reports.
        Index("ix_club_reports_organisation_kind", "organisation_id", "kind", "reported_on"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    club_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    kind: Mapped[ClubReportKind] = mapped_column(str_enum(ClubReportKind))
    reported_by_id: Mapped[ActorId]
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The Norwegian calendar day of ``reported_at``: the day on which it can be taken back.
    reported_on: Mapped[dt.date]
    #: What the club noticed, in its own words; shown to the coordinators and the case's guide.
    note = EncryptedText()
    #: True when the report itself recorded the start on the case (it cannot be taken back).
    is_start_recorded: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship()
    club: Mapped[Club] = relationship()
    reported_by: Mapped[User | None] = relationship()
