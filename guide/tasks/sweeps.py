"""Tasks that time raises: overdue loans, due follow-ups, quiet cases, expiring certificates.

``sweep_organisation`` raises each task once (a ``once_key`` per loan, follow-up, quiet
spell and certificate) and tells each person at most once per run (``batched_mail``).
guide.tasks.worker runs it for every active organisation, committing once per
organisation: from the outbox worker's round every hour, or ``flask tasks sweep``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from guide.accounts.models import User
from guide.cases.models import CASE_IS_VISITED, FOLLOW_UP_IS_OUTSTANDING, Case, FollowUp
from guide.extensions import db
from guide.guides.certificates import last_check_running_out
from guide.guides.models import GuideProfile
from guide.support.models import EquipmentLoan
from guide.tasks.kinds import once_key
from guide.tasks.mail import batched_mail
from guide.tasks.models import Task, TaskKind
from guide.tasks.services import FINISHED_STATUSES, path_for, raise_task
from guide.tenant import Organisation


@dataclass
class SweepReport:
    loans_overdue: int = 0
    follow_ups_due: int = 0
    quiet_cases: int = 0
    certificates_expiring: int = 0

    @property
    def raised(self) -> int:
        return (
            self.loans_overdue + self.follow_ups_due + self.quiet_cases + self.certificates_expiring
        )


def active_organisations() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.is_active.is_(True)).order_by(Organisation.id)
        )
    )


def sweep_organisation(
    organisation: Organisation, *, today: dt.date, report: SweepReport | None = None
) -> SweepReport:
    """Raise the tasks time has made due in one organisation (flushed; the caller commits)."""
    report = report or SweepReport()
    with batched_mail():
        report.loans_overdue += _raise_each(
            TaskKind.LOAN_OVERDUE, _loans_overdue(organisation.id, today)
        )
        report.follow_ups_due += _raise_each(
            TaskKind.FOLLOW_UP_DUE, _follow_ups_due(organisation.id, today)
        )
        report.quiet_cases += _raise_each(TaskKind.CASE_QUIET, _quiet_cases(organisation, today))
        report.certificates_expiring += _raise_certificate_tasks(organisation, today)
    return report


@dataclass(frozen=True)
class Due:
    """One thing time made due: on which case, where to act, and its once key."""

    case_id: uuid.UUID
    link: str
    once_key: str


def _raise_each(kind: TaskKind, due: Iterator[Due]) -> int:
    raised = 0
    for item in due:
        case = db.session.get(Case, item.case_id)
        if case is not None and raise_task(kind, case=case, link=item.link, once_key=item.once_key):
            raised += 1
    return raised


def _known_keys(organisation_id: uuid.UUID, kind: TaskKind) -> set[str]:
    """Once keys of ``kind`` already raised in the organisation: those need no second look."""
    return set(
        db.session.scalars(
            select(Task.once_key)
            .where(
                Task.organisation_id == organisation_id,
                Task.kind == kind,
                Task.once_key.is_not(None),
            )
            .distinct()
        )
    )


def _open_case(organisation_id: uuid.UUID):
    return and_(Case.organisation_id == organisation_id, Case.status.not_in(FINISHED_STATUSES))


def _loans_overdue(organisation_id: uuid.UUID, today: dt.date) -> Iterator[Due]:
    known = _known_keys(organisation_id, TaskKind.LOAN_OVERDUE)
    rows = db.session.execute(
        select(EquipmentLoan.id, EquipmentLoan.case_id)
        .join(Case, EquipmentLoan.case_id == Case.id)
        .where(
            _open_case(organisation_id),
            EquipmentLoan.returned_on.is_(None),
            EquipmentLoan.due_on < today,
        )
        .order_by(EquipmentLoan.due_on, EquipmentLoan.id)
    ).all()
    for loan_id, case_id in rows:
        key = once_key(TaskKind.LOAN_OVERDUE, loan_id)
        if key not in known:
            yield Due(case_id, path_for("loans.case_loans_view", case_id=case_id), key)


def _follow_ups_due(organisation_id: uuid.UUID, today: dt.date) -> Iterator[Due]:
    known = _known_keys(organisation_id, TaskKind.FOLLOW_UP_DUE)
    rows = db.session.execute(
        select(FollowUp.id, FollowUp.case_id)
        .join(Case, FollowUp.case_id == Case.id)
        .where(_open_case(organisation_id), FOLLOW_UP_IS_OUTSTANDING, FollowUp.due_on <= today)
        .order_by(FollowUp.due_on, FollowUp.id)
    ).all()
    for follow_up_id, case_id in rows:
        key = once_key(TaskKind.FOLLOW_UP_DUE, follow_up_id)
        if key not in known:
            link = path_for("cases.follow_up_done", case_id=case_id, follow_up_id=follow_up_id)
            yield Due(case_id, link, key)


def _quiet_cases(organisation: Organisation, today: dt.date) -> Iterator[Due]:
    """Cases with a guide and no visit for the organisation's ``no_visit_nudge_weeks``.

    Counted from the assignment when nothing is logged yet, as on the dashboard. Each
    quiet spell is raised once: the key holds the last visit's day, so a case that goes
    quiet again after a new visit is raised again.
    """
    known = _known_keys(organisation.id, TaskKind.CASE_QUIET)
    cutoff = today - dt.timedelta(weeks=organisation.no_visit_nudge_weeks)
    cutoff_moment = dt.datetime.combine(cutoff, dt.time.min, tzinfo=dt.UTC)
    assigned_at = func.coalesce(Case.guide_assigned_at, Case.referred_at)
    rows = db.session.execute(
        select(Case.id, Case.last_visit_on)
        .where(
            Case.organisation_id == organisation.id,
            CASE_IS_VISITED,
            or_(
                Case.last_visit_on < cutoff,
                and_(Case.last_visit_on.is_(None), assigned_at < cutoff_moment),
            ),
        )
        .order_by(Case.id)
    ).all()
    for case_id, last_visit_on in rows:
        key = once_key(TaskKind.CASE_QUIET, case_id, last_visit_on or "never")
        if key not in known:
            yield Due(case_id, path_for("cases.case_detail", case_id=case_id), key)


def _raise_certificate_tasks(organisation: Organisation, today: dt.date) -> int:
    """Coordinators get a task for each active guide whose certificate runs out soon."""
    known = _known_keys(organisation.id, TaskKind.CERTIFICATE_EXPIRING)
    latest = last_check_running_out(today, organisation.police_certificate_valid_months)
    rows = db.session.execute(
        select(GuideProfile.user_id, GuideProfile.police_certificate_checked_on)
        .join(User, GuideProfile.user_id == User.id)
        .where(
            GuideProfile.organisation_id == organisation.id,
            User.is_active.is_(True),
            GuideProfile.police_certificate_checked_on <= latest,
        )
        .order_by(GuideProfile.user_id)
    ).all()
    raised = 0
    for user_id, checked_on in rows:
        key = once_key(TaskKind.CERTIFICATE_EXPIRING, user_id, checked_on)
        if key in known:
            continue
        tasks = raise_task(
            TaskKind.CERTIFICATE_EXPIRING,
            organisation_id=organisation.id,
            link=path_for("guides.edit", user_id=user_id),
            once_key=key,
        )
        raised += bool(tasks)
    return raised
