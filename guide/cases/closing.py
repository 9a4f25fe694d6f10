"""Closing a case with a reason, and reopening it; both go through ``change_status``."""

from __future__ import annotations

from guide.accounts.models import User
from guide.cases.models import Case, CaseStatus, CaseStatusChange, CloseReason
from guide.cases.workflow import TransitionError, can_change, change_status
from guide.extensions import db


def can_close(case: Case) -> bool:
    return can_change(case, CaseStatus.closed)


def close_case(
    case: Case, *, by: User, reason: CloseReason, note: str | None = None
) -> CaseStatusChange:
    """Close ``case`` with a reason and an optional short note (stored encrypted)."""
    change = change_status(
        case, CaseStatus.closed, by=by, close_reason=CloseReason(reason), note=note or None
    )
    db.session.flush()
    return change


def can_reopen(case: Case) -> bool:
    # Only closing is undone here; change_status alone would also let open cases move.
    return CaseStatus(case.status) == CaseStatus.closed


def reopen_status(case: Case) -> CaseStatus:
    """Back to work with the guide if one is still assigned, else back in the guide queue."""
    return CaseStatus.in_progress if case.assigned_guide_id else CaseStatus.accepted


def reopen_case(case: Case, *, by: User) -> CaseStatusChange:
    """Reopen a closed case; the closing stays in the history."""
    if not can_reopen(case):
        raise TransitionError(CaseStatus(case.status), reopen_status(case))
    change = change_status(case, reopen_status(case), by=by)
    db.session.flush()
    return change
