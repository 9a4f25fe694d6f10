"""Tasks ("To do"): one row per person told that something asks them to act.

A task belongs to one person (``user_id``) of one organisation, and usually to one case:
it goes with the case (``ON DELETE CASCADE``), so erasing a case erases its tasks. It holds
no personal data: its kind, a link into the app, and the case it is about. What a person
sees of it is decided again when they read it (guide.tasks.services.visible_tasks).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guide.accounts.models import TaskEmail
from guide.database import ActorId, CreatedAt, OrganisationOwned, Timestamp, str_enum
from guide.extensions import db

if TYPE_CHECKING:
    from guide.accounts.models import User
    from guide.cases.models import Case


__all__ = ["Task", "TaskDigest", "TaskEmail", "TaskKind"]


class TaskKind(enum.StrEnum):
    """What asks someone to act. The values are stable: they are stored and shared."""

    NEW_REFERRAL = "new_referral"
    REFERRAL_ACCEPTED = "referral_accepted"
    REFERRAL_DECLINED = "referral_declined"
    GUIDE_ASSIGNED = "guide_assigned"
    GUIDE_UNASSIGNED = "guide_unassigned"
    CLUB_START_CONFIRMED = "club_start_confirmed"
    CLUB_ABSENCE_REPORTED = "club_absence_reported"
    #: One kind for yes, partly and no: the answer itself is shown from the case.
    FAMILY_ANSWERED = "family_answered"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    SUPPORT_REQUESTED = "support_requested"
    SUPPORT_DECIDED = "support_decided"
    SHARED_WITH_CLUB = "shared_with_club"
    LOAN_OVERDUE = "loan_overdue"
    FOLLOW_UP_DUE = "follow_up_due"
    CASE_QUIET = "case_quiet"
    CERTIFICATE_EXPIRING = "certificate_expiring"


class Task(OrganisationOwned, db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        #: "My open tasks, newest first" and the menu's count of open tasks.
        Index("ix_tasks_user_done_created", "user_id", "done_at", "created_at"),
        #: A time-based sweep raises each of its tasks once per person.
        UniqueConstraint("user_id", "once_key", name="uq_tasks_user_id_once_key"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: Empty for tasks about no case (a guide's police certificate).
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[TaskKind] = mapped_column(str_enum(TaskKind))
    #: Where to act: a path inside the app (from ``url_for``), never an outside address.
    link: Mapped[str] = mapped_column(String(500))
    #: Set by callers that may raise the same task again (sweeps): one task per person and key.
    once_key: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[CreatedAt]
    done_at: Mapped[Timestamp | None]
    done_by_id: Mapped[ActorId]
    #: Optimistic locking for "done" and "not done" from a page that may be stale.
    version: Mapped[int] = mapped_column(nullable=False)

    __mapper_args__ = {"version_id_col": version}

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    case: Mapped[Case | None] = relationship()

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


#: When a person last got their daily digest of tasks (one per person per day).
class TaskDigest(db.Model):
    __tablename__ = "task_digests"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_task_digests_user_id_day"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[dt.date]
    created_at: Mapped[CreatedAt]
