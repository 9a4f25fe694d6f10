"""The visit log: meetings, calls and accompanied sessions a guide (or coordinator) records."""

from __future__ import annotations

import datetime as dt

from guide.accounts.models import User
from guide.audit.services import record_event
from guide.cases.followups import complete_follow_up, next_open_follow_up
from guide.cases.models import Case, CaseStatus, Visit, VisitKind
from guide.cases.services import GUIDE_OPEN_STATUSES
from guide.cases.workflow import change_status
from guide.extensions import db


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
    return visit
