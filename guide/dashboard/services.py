"""The coordinator's dashboard: what needs doing now, each list read by bounded index ranges."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import cache

from sqlalchemy import ColumnElement, Select, bindparam, func, select

from guide.accounts.models import User
from guide.audit.services import record_event
from guide.cases.models import (
    CASE_IS_VISITED,
    FOLLOW_UP_IS_OUTSTANDING,
    Case,
    CaseStatus,
    Child,
    FollowUp,
    Visit,
)
from guide.cases.services import join_child_and_guide
from guide.clubs_portal.models import ClubReport, ClubReportKind
from guide.dates import local_date
from guide.extensions import db
from guide.referrals.models import Referral, ReferralStatus
from guide.tenant import Organisation

#: Each list shows at most this many rows; the oldest come first, so nothing urgent hides.
LIST_LIMIT = 100
#: Used when the viewer's organisation cannot be found.
DEFAULT_NO_VISIT_WEEKS = 3


@dataclass(frozen=True, slots=True)
class CaseLine:
    """A case as the dashboard's lists show it: only those columns, the name decrypted."""

    id: uuid.UUID
    reference: str
    #: None once the child's personal data is erased.
    child_first_name: str | None
    child_area: str | None
    #: None while no guide is assigned.
    guide_name: str | None


@dataclass(frozen=True, slots=True)
class OverdueFollowUp:
    id: uuid.UUID
    months_after: int
    due_on: dt.date
    case: CaseLine


@dataclass(frozen=True, slots=True)
class WaitingCase:
    case: CaseLine
    days_waiting: int


@dataclass(frozen=True, slots=True)
class QuietCase:
    case: CaseLine
    last_visit_on: dt.date | None


@dataclass(frozen=True, slots=True)
class AbsenceReported:
    case: CaseLine
    #: The newest day a club reported it.
    reported_on: dt.date


@dataclass(frozen=True)
class Dashboard:
    overdue_follow_ups: list[OverdueFollowUp]
    waiting_for_guide: list[WaitingCase]
    referrals_in_intake: int
    quiet_cases: list[QuietCase]
    no_visit_weeks: int
    absence_reported: list[AbsenceReported]


def _with_case_line(query: Select) -> Select:
    """``query``, which reads from ``cases``, with a ``CaseLine``'s columns at the end of each row.

    Plain rows rather than objects: a few hundred narrow rows, no identity map.
    """
    return join_child_and_guide(
        query.add_columns(
            Case.id,
            Case.reference,
            Child.id,
            Child.first_name.sealed_column,
            Child.area,
            User.full_name,
        )
    )


def _case_line(case_id, reference, child_id, sealed_first_name, area, guide_name) -> CaseLine:
    return CaseLine(
        id=case_id,
        reference=reference,
        child_first_name=Child.first_name.reveal(sealed_first_name, row_id=child_id),
        child_area=area,
        guide_name=guide_name,
    )


# Each query below is built once (``@cache``) and run with its values bound: building a
# statement costs about as much as running these index-backed queries.


@cache
def _overdue_follow_ups_query() -> Select:
    return (
        _with_case_line(
            select(FollowUp.id, FollowUp.months_after, FollowUp.due_on).join(
                Case, FollowUp.case_id == Case.id
            )
        )
        .where(
            FOLLOW_UP_IS_OUTSTANDING,  # the partial index, in due order
            FollowUp.due_on < bindparam("today"),
            Case.organisation_id == bindparam("organisation_id"),
            # Closing cancels a case's follow-ups; a case stored as closed without the
            # workflow (an import, a test) is still left out by its status.
            Case.status != CaseStatus.closed,
        )
        .order_by(FollowUp.due_on, FollowUp.id)
        .limit(LIST_LIMIT)
    )


def overdue_follow_ups(*, organisation_id: uuid.UUID, today: dt.date) -> list[OverdueFollowUp]:
    """Follow-ups of open cases not done by the day after they fell due, oldest first."""
    rows = db.session.execute(
        _overdue_follow_ups_query(), {"organisation_id": organisation_id, "today": today}
    )
    return [
        OverdueFollowUp(id=follow_up_id, months_after=months, due_on=due_on, case=_case_line(*line))
        for follow_up_id, months, due_on, *line in rows
    ]


@cache
def _waiting_for_guide_query() -> Select:
    return (
        _with_case_line(select(Case.referred_at))
        .where(
            Case.organisation_id == bindparam("organisation_id"),
            Case.status == CaseStatus.accepted,
        )
        .order_by(Case.referred_at, Case.id)
        .limit(LIST_LIMIT)
    )


def cases_waiting_for_guide(*, organisation_id: uuid.UUID, today: dt.date) -> list[WaitingCase]:
    """Accepted cases without a guide, longest wait (since referral) first."""
    rows = db.session.execute(_waiting_for_guide_query(), {"organisation_id": organisation_id})
    return [
        WaitingCase(case=_case_line(*line), days_waiting=(today - local_date(referred_at)).days)
        for referred_at, *line in rows
    ]


@cache
def _intake_count_query() -> Select:
    # count(*), not count(id): the (organisation, status) index alone answers it.
    return select(func.count()).where(
        Referral.organisation_id == bindparam("organisation_id"),
        Referral.status == ReferralStatus.received,
    )


def referrals_in_intake(*, organisation_id: uuid.UUID) -> int:
    """How many referrals wait for a coordinator's decision."""
    return db.session.scalar(_intake_count_query(), {"organisation_id": organisation_id})


def _quiet_cases_query(*conditions: ColumnElement[bool], order_by: list[ColumnElement]) -> Select:
    """Visited cases of the organisation meeting ``conditions``, through the partial index."""
    return (
        _with_case_line(select(Case.last_visit_on))
        .where(Case.organisation_id == bindparam("organisation_id"), CASE_IS_VISITED, *conditions)
        .order_by(*order_by, Case.id)
        .limit(bindparam("limit"))
    )


def _assigned_at() -> ColumnElement[dt.datetime]:
    return func.coalesce(Case.guide_assigned_at, Case.referred_at)


@cache
def _never_visited_query() -> Select:
    return _quiet_cases_query(
        Case.last_visit_on.is_(None),
        _assigned_at() < bindparam("cutoff_moment"),
        order_by=[_assigned_at()],
    )


@cache
def _visited_long_ago_query() -> Select:
    return _quiet_cases_query(
        Case.last_visit_on < bindparam("cutoff"), order_by=[Case.last_visit_on, _assigned_at()]
    )


def cases_without_recent_visit(
    *, organisation_id: uuid.UUID, today: dt.date, weeks: int
) -> list[QuietCase]:
    """Cases with a guide but no visit for ``weeks`` weeks (counted from the assignment
    when nothing is logged yet), quietest first: never visited, then the longest ago."""
    cutoff = today - dt.timedelta(weeks=weeks)
    # Start of the cutoff day as a UTC moment, to compare with assignment timestamps.
    cutoff_moment = dt.datetime.combine(cutoff, dt.time.min, tzinfo=dt.UTC)
    # Two index ranges, each read in order. One query would order by last_visit_on NULLS
    # FIRST: PostgreSQL reads that from an index only if declared so, which SQLite cannot do.
    params = {"organisation_id": organisation_id, "cutoff": cutoff, "cutoff_moment": cutoff_moment}
    rows = db.session.execute(_never_visited_query(), {**params, "limit": LIST_LIMIT}).all()
    if len(rows) < LIST_LIMIT:
        rows += db.session.execute(
            _visited_long_ago_query(), {**params, "limit": LIST_LIMIT - len(rows)}
        ).all()
    return [
        QuietCase(case=_case_line(*line), last_visit_on=last_visit_on)
        for last_visit_on, *line in rows
    ]


@cache
def _absence_reported_query() -> Select:
    latest = (
        select(
            ClubReport.case_id,
            func.max(ClubReport.reported_on).label("reported_on"),
            func.max(ClubReport.reported_at).label("reported_at"),
        )
        .where(
            ClubReport.organisation_id == bindparam("organisation_id"),
            ClubReport.kind == ClubReportKind.absent,
        )
        .group_by(ClubReport.case_id)
        .subquery()
    )
    # Open until someone logs a contact (a visit or a call) after the report came, that
    # took place on the report's day or later: a call logged that morning does not close it.
    contact_since = (
        select(Visit.id)
        .where(
            Visit.case_id == Case.id,
            Visit.created_at > latest.c.reported_at,
            Visit.occurred_on >= latest.c.reported_on,
        )
        .exists()
    )
    return (
        _with_case_line(
            select(latest.c.reported_on).select_from(latest).join(Case, Case.id == latest.c.case_id)
        )
        .where(Case.status != CaseStatus.closed, ~contact_since)
        .order_by(latest.c.reported_on, Case.id)
        .limit(LIST_LIMIT)
    )


def absence_reported(*, organisation_id: uuid.UUID) -> list[AbsenceReported]:
    """Open cases a club said the child has stopped coming to, with no contact logged since."""
    rows = db.session.execute(_absence_reported_query(), {"organisation_id": organisation_id})
    return [
        AbsenceReported(case=_case_line(*line), reported_on=reported_on)
        for reported_on, *line in rows
    ]


@cache
def _no_visit_weeks_query() -> Select:
    return select(Organisation.no_visit_nudge_weeks).where(
        Organisation.id == bindparam("organisation_id")
    )


def no_visit_weeks(*, organisation_id: uuid.UUID) -> int:
    """Weeks without a visit before the organisation wants its coordinator nudged."""
    weeks = db.session.scalar(_no_visit_weeks_query(), {"organisation_id": organisation_id})
    return DEFAULT_NO_VISIT_WEEKS if weeks is None else weeks


def dashboard_for(*, viewer: User, today: dt.date | None = None) -> Dashboard:
    """Everything on the coordinator's dashboard for the viewer's organisation; audited."""
    today = today or local_date()
    organisation_id = viewer.organisation_id
    weeks = no_visit_weeks(organisation_id=organisation_id)
    board = Dashboard(
        overdue_follow_ups=overdue_follow_ups(organisation_id=organisation_id, today=today),
        waiting_for_guide=cases_waiting_for_guide(organisation_id=organisation_id, today=today),
        referrals_in_intake=referrals_in_intake(organisation_id=organisation_id),
        quiet_cases=cases_without_recent_visit(
            organisation_id=organisation_id, today=today, weeks=weeks
        ),
        no_visit_weeks=weeks,
        absence_reported=absence_reported(organisation_id=organisation_id),
    )
    lists = (
        board.overdue_follow_ups,
        board.waiting_for_guide,
        board.quiet_cases,
        board.absence_reported,
    )
    record_event(
        "dashboard_viewed",
        actor=viewer,
        details={"case_ids": sorted({str(row.case.id) for rows in lists for row in rows})},
    )
    return board
