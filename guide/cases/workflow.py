"""A case's course: which status may follow which, and what each step records.

Every status change goes through :func:`change_status`, so the history table,
the milestone timestamps and the audit log can never disagree. Concurrent
changes to one case are caught by the case's version column at flush time.
"""

from __future__ import annotations

import datetime as dt

from guide.accounts.models import User
from guide.audit.services import record_event
from guide.cases.followups import schedule_follow_ups
from guide.cases.models import Case, CaseStatus, CaseStatusChange, CloseReason
from guide.database import utcnow
from guide.dates import local_date

S = CaseStatus

#: status → the statuses it may move to. Everything not listed is refused.
ALLOWED_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.referred: frozenset({S.accepted, S.declined}),
    S.declined: frozenset({S.referred}),  # a declined referral is reconsidered
    S.accepted: frozenset({S.guide_assigned, S.closed}),
    S.guide_assigned: frozenset({S.in_progress, S.accepted, S.closed}),
    S.in_progress: frozenset({S.active, S.paused, S.accepted, S.closed}),
    S.active: frozenset({S.paused, S.in_progress, S.closed}),
    S.paused: frozenset({S.active, S.in_progress, S.closed}),
    S.closed: frozenset({S.accepted, S.in_progress}),  # reopening
}

#: The milestone each status stamps the first time the case reaches it.
MILESTONES = {
    S.accepted: "accepted_at",
    S.guide_assigned: "guide_assigned_at",
    S.in_progress: "first_contact_at",
    S.active: "first_activity_at",
}


class TransitionError(ValueError):
    """The requested status change is not allowed from the case's current status."""

    def __init__(self, current: CaseStatus, wanted: CaseStatus) -> None:
        super().__init__(f"A case cannot go from {current} to {wanted}")
        self.current = current
        self.wanted = wanted


def can_change(case: Case, to: CaseStatus) -> bool:
    return CaseStatus(to) in ALLOWED_TRANSITIONS[CaseStatus(case.status)]


def change_status(
    case: Case,
    to: CaseStatus,
    *,
    by: User | None,
    at: dt.datetime | None = None,
    close_reason: CloseReason | None = None,
    note: str | None = None,
) -> CaseStatusChange:
    """Move ``case`` to ``to``, record the history row and audit event; the caller commits."""
    to = CaseStatus(to)
    current = CaseStatus(case.status)
    if not can_change(case, to):
        raise TransitionError(current, to)
    if to == S.closed and close_reason is None:
        raise ValueError("Closing a case needs a reason")
    at = at or utcnow()
    milestone = MILESTONES.get(to)
    first_time = milestone is not None and getattr(case, milestone) is None
    if first_time:
        setattr(case, milestone, at)
    if first_time and to == S.active:
        # Enrollment code may schedule from the real start date first; this is idempotent.
        schedule_follow_ups(case, start=local_date(at))
    if to == S.closed:
        case.closed_at = at
        case.close_reason = CloseReason(close_reason)
        case.close_note = note
        _cancel_follow_ups(case, at=at)
    elif current == S.closed:
        case.closed_at = None
        case.close_reason = None
        _restore_follow_ups(case)
    case.status = to
    change = CaseStatusChange(
        from_status=current, to_status=to, changed_by=by, changed_at=at, note=note
    )
    case.status_changes.append(change)
    record_event(
        "case_status_changed",
        actor=by,
        organisation_id=case.organisation_id,
        obj=case,
        details={"from": current.value, "to": to.value},
    )
    return change


def _cancel_follow_ups(case: Case, *, at: dt.datetime) -> None:
    """A closing case calls off its follow-ups not done yet (the dashboard skips those)."""
    for follow_up in case.follow_ups:
        if follow_up.done_at is None:
            follow_up.cancelled_at = at


def _restore_follow_ups(case: Case) -> None:
    """A reopened case has no cancelled follow-ups."""
    for follow_up in case.follow_ups:
        follow_up.cancelled_at = None
