"""The visit log: meetings, calls and accompanied sessions a guide (or coordinator) records."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ColumnElement, Connection, event, func, inspect, or_, select, update

from guide.accounts.models import User
from guide.audit.services import record_event
from guide.cases.followups import complete_follow_up, next_open_follow_up
from guide.cases.models import Case, CaseStatus, Visit, VisitKind
from guide.cases.services import GUIDE_OPEN_STATUSES
from guide.cases.workflow import change_status
from guide.extensions import db
from guide.tasks import TaskKind, complete_tasks


def can_log_visit(case: Case) -> bool:
    return case.assigned_guide_id is not None and CaseStatus(case.status) in GUIDE_OPEN_STATUSES


def log_visit(
    case: Case,
    *,
    by: User,
    kind: VisitKind,
    occurred_on: dt.date,
    duration_minutes: int | None = None,
    notes: str | None = None,
    child_words: str | None = None,
) -> Visit:
    """Record a visit; the first contact starts the case, a follow-up visit ticks one off."""
    visit = Visit(
        author=by,
        kind=VisitKind(kind),
        occurred_on=occurred_on,
        duration_minutes=duration_minutes,
        notes=notes or None,
        child_words=child_words or None,
    )
    case.visits.append(visit)
    if case.status == CaseStatus.guide_assigned:
        change_status(case, CaseStatus.in_progress, by=by)
    if visit.kind == VisitKind.follow_up:
        due = next_open_follow_up(case)
        if due is not None:
            complete_follow_up(due, by=by)
    # Only the kind goes to the audit log; notes and the child's words stay encrypted.
    record_event("visit_logged", actor=by, obj=case, details={"kind": visit.kind.value})
    db.session.flush()
    complete_tasks(TaskKind.CASE_QUIET, case=case, by=by)  # the case is quiet no longer
    # Someone got in touch: that answers a club's report that the child stopped coming.
    complete_tasks(TaskKind.CLUB_ABSENCE_REPORTED, case=case, by=by)
    return visit


# Every visit written through the ORM, wherever, keeps its case's ``last_visit_on`` (the
# dashboard's quiet list reads it). Plain SQL on the flush's connection: the date is derived,
# so the case's version (optimistic locking) and ``updated_at`` stay as they are, and a Case
# already loaded in the session sees the new date after the commit.
_cases = Case.__table__


@event.listens_for(Visit, "after_insert")
def _visit_added(_mapper: Any, connection: Connection, visit: Visit) -> None:
    # Only ever later: a back-dated visit, or one logged at the same time, cannot undo it.
    later = or_(_cases.c.last_visit_on.is_(None), _cases.c.last_visit_on < visit.occurred_on)
    _write_last_visit(connection, visit.case_id, visit.occurred_on, later)


@event.listens_for(Visit, "after_update")
def _visit_changed(_mapper: Any, connection: Connection, visit: Visit) -> None:
    attrs = inspect(visit).attrs
    if attrs.occurred_on.history.has_changes() or attrs.case_id.history.has_changes():
        for case_id in {visit.case_id, *attrs.case_id.history.deleted}:
            _recount_last_visit(connection, case_id)


@event.listens_for(Visit, "after_delete")
def _visit_removed(_mapper: Any, connection: Connection, visit: Visit) -> None:
    _recount_last_visit(connection, visit.case_id)


def _recount_last_visit(connection: Connection, case_id: uuid.UUID) -> None:
    newest = connection.scalar(select(func.max(Visit.occurred_on)).where(Visit.case_id == case_id))
    _write_last_visit(connection, case_id, newest)


def _write_last_visit(
    connection: Connection, case_id: uuid.UUID, day: dt.date | None, *conditions: ColumnElement
) -> None:
    connection.execute(
        update(_cases)
        .where(_cases.c.id == case_id, *conditions)
        # Named, so the column's onupdate does not move it.
        .values(last_visit_on=day, updated_at=_cases.c.updated_at)
    )
