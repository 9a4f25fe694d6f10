"""The coordinator's dashboard: what needs doing now, each list one bounded query."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from guide.accounts.models import User
from guide.audit.services import record_event
from guide.cases.models import Case, CaseStatus, FollowUp, Visit
from guide.cases.services import local_date
from guide.extensions import db
from guide.guides.models import GuideProfile
from guide.organisations.models import Organisation
from guide.referrals.models import Referral, ReferralStatus

#: Each list shows at most this many rows; the oldest come first, so nothing urgent hides.
LIST_LIMIT = 100
#: Statuses in which a guide is expected to be in touch with the family.
VISITING_STATUSES = (CaseStatus.guide_assigned, CaseStatus.in_progress, CaseStatus.active)


@dataclass(frozen=True)
class WaitingCase:
    case: Case
    days_waiting: int


@dataclass(frozen=True)
class QuietCase:
    case: Case
    last_visit_on: dt.date | None


@dataclass(frozen=True)
class Dashboard:
    overdue_follow_ups: list[FollowUp]
    waiting_for_guide: list[WaitingCase]
    referrals_in_intake: int
    quiet_cases: list[QuietCase]
    no_visit_weeks: int


def overdue_follow_ups(*, organisation_id: uuid.UUID, today: dt.date) -> list[FollowUp]:
    """Follow-ups of open cases not done by the day after they fell due, oldest first."""
    query = (
        select(FollowUp)
        .join(FollowUp.case)
        .where(
            Case.organisation_id == organisation_id,
            Case.status != CaseStatus.closed,
            FollowUp.done_at.is_(None),
            FollowUp.due_on < today,
        )
        .options(
            contains_eager(FollowUp.case).joinedload(Case.child),
            contains_eager(FollowUp.case)
            .joinedload(Case.assigned_guide)
            .joinedload(GuideProfile.user),
        )
        .order_by(FollowUp.due_on, FollowUp.id)
        .limit(LIST_LIMIT)
    )
    return list(db.session.scalars(query).unique())


def cases_waiting_for_guide(*, organisation_id: uuid.UUID, today: dt.date) -> list[WaitingCase]:
    """Accepted cases without a guide, longest wait (since referral) first."""
    query = (
        select(Case)
        .where(Case.organisation_id == organisation_id, Case.status == CaseStatus.accepted)
        .options(joinedload(Case.child))
        .order_by(Case.referred_at, Case.id)
        .limit(LIST_LIMIT)
    )
    return [
        WaitingCase(case=case, days_waiting=(today - local_date(case.referred_at)).days)
        for case in db.session.scalars(query).unique()
    ]


def referrals_in_intake(*, organisation_id: uuid.UUID) -> int:
    """How many referrals wait for a coordinator's decision."""
    return db.session.scalar(
        select(func.count(Referral.id)).where(
            Referral.organisation_id == organisation_id,
            Referral.status == ReferralStatus.received,
        )
    )


def cases_without_recent_visit(
    *, organisation_id: uuid.UUID, today: dt.date, weeks: int
) -> list[QuietCase]:
    """Cases with a guide but no visit for ``weeks`` weeks (counted from the assignment
    when nothing is logged yet), quietest first."""
    cutoff = today - dt.timedelta(weeks=weeks)
    # Start of the cutoff day as a UTC moment, to compare with assignment timestamps.
    cutoff_moment = dt.datetime.combine(cutoff, dt.time.min, tzinfo=dt.UTC)
    last_visit = (
        select(func.max(Visit.occurred_on))
        .where(Visit.case_id == Case.id)
        .correlate(Case)
        .scalar_subquery()
    )
    assigned_at = func.coalesce(Case.guide_assigned_at, Case.referred_at)
    query = (
        select(Case, last_visit.label("last_visit_on"))
        .where(
            Case.organisation_id == organisation_id,
            Case.status.in_(VISITING_STATUSES),
            Case.assigned_guide_id.is_not(None),
            or_(
                last_visit < cutoff,
                last_visit.is_(None) & (assigned_at < cutoff_moment),
            ),
        )
        .options(
            joinedload(Case.child),
            joinedload(Case.assigned_guide).joinedload(GuideProfile.user),
        )
        .order_by(last_visit.is_not(None), last_visit, assigned_at, Case.id)
        .limit(LIST_LIMIT)
    )
    return [
        QuietCase(case=case, last_visit_on=last_visit_on)
        for case, last_visit_on in db.session.execute(query).unique()
    ]


def dashboard_for(*, viewer: User, today: dt.date | None = None) -> Dashboard:
    """Everything on the coordinator's dashboard for the viewer's organisation; audited."""
    today = today or local_date()
    organisation_id = viewer.organisation_id
    organisation = db.session.get(Organisation, organisation_id)
    weeks = organisation.no_visit_nudge_weeks if organisation is not None else 3
    board = Dashboard(
        overdue_follow_ups=overdue_follow_ups(organisation_id=organisation_id, today=today),
        waiting_for_guide=cases_waiting_for_guide(organisation_id=organisation_id, today=today),
        referrals_in_intake=referrals_in_intake(organisation_id=organisation_id),
        quiet_cases=cases_without_recent_visit(
            organisation_id=organisation_id, today=today, weeks=weeks
        ),
        no_visit_weeks=weeks,
    )
    shown = [follow_up.case for follow_up in board.overdue_follow_ups]
    shown += [row.case for row in board.waiting_for_guide] + [row.case for row in board.quiet_cases]
    record_event(
        "dashboard_viewed",
        actor=viewer,
        details={"case_ids": sorted({str(case.id) for case in shown})},
    )
    return board
