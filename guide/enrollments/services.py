"""A child's activities on a case: proposed → trial → enrolled → ended, with the case following.

Enrolling moves the case to ``active`` and plans the follow-ups from the real start date;
ending the last activity the child is enrolled in moves it back to ``in_progress`` and puts
a follow-up for the coordinator on today's date. Every step is audited; nothing commits.
"""

from __future__ import annotations

import datetime as dt
import uuid

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from guide.access import load_scoped
from guide.accounts.models import User
from guide.activities.models import (
    Activity,
    Club,
    Enrollment,
    EnrollmentEndReason,
    EnrollmentStatus,
)
from guide.audit.services import record_event
from guide.cases.followups import schedule_follow_ups
from guide.cases.models import Case, CaseStatus, FollowUp
from guide.cases.workflow import change_status
from guide.dates import local_date
from guide.extensions import db

E = EnrollmentStatus
#: Which enrollment status may follow which.
NEXT_STATUSES: dict[EnrollmentStatus, frozenset[EnrollmentStatus]] = {
    E.proposed: frozenset({E.trial, E.enrolled, E.ended}),
    E.trial: frozenset({E.enrolled, E.ended}),
    E.enrolled: frozenset({E.ended}),
    E.ended: frozenset(),
}
#: Case statuses in which activities may be proposed and tried.
PROPOSING_STATUSES = frozenset(
    {CaseStatus.guide_assigned, CaseStatus.in_progress, CaseStatus.active, CaseStatus.paused}
)
#: Case statuses from which a child can start: a first contact has been logged.
ENROLLING_STATUSES = frozenset({CaseStatus.in_progress, CaseStatus.active, CaseStatus.paused})
#: ``FollowUp.months_after`` of the check-in raised when the child's last activity ends.
ENDED_FOLLOW_UP_MONTHS = 0


class EnrollmentRuleError(ValueError):
    """The step is not allowed now; the message says why, in the user's language."""


def case_enrollments(case: Case) -> list[Enrollment]:
    """The case's enrollments, open ones first, newest first, with activity and club."""
    rows = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.case_id == case.id)
        .options(
            joinedload(Enrollment.activity).joinedload(Activity.club),
            joinedload(Enrollment.activity).selectinload(Activity.extra_costs),
        )
        .order_by(Enrollment.created_at.desc(), Enrollment.id)
    ).unique()
    return sorted(rows, key=lambda enrollment: enrollment.status == E.ended)


#: Which of a case's activities is "the child's": started, then tried, then proposed.
_CLOSEST_FIRST = (E.enrolled, E.trial, E.proposed)


def current_club_id(case: Case) -> uuid.UUID | None:
    """The club of the child's current activity, else of the one tried or proposed last.

    The main activity wins among equals; None when no activity is open.
    """
    open_ones = [enrollment for enrollment in case.enrollments if enrollment.status != E.ended]
    if not open_ones:
        return None
    closest = min(
        open_ones,
        key=lambda enrollment: (
            _CLOSEST_FIRST.index(E(enrollment.status)),
            not enrollment.is_main,
            -enrollment.created_at.timestamp(),
        ),
    )
    return closest.activity.club_id


def load_enrollment(case: Case, enrollment_id: uuid.UUID) -> Enrollment:
    """One of ``case``'s enrollments, else 404 (the case was loaded through the object rule)."""
    enrollment = load_scoped(
        select(Enrollment)
        .where(Enrollment.id == enrollment_id, Enrollment.case_id == case.id)
        .options(joinedload(Enrollment.activity)),
        kind="enrollment",
        object_id=enrollment_id,
    )
    return enrollment


def load_proposable_activity(case: Case, activity_id: uuid.UUID | None) -> Activity:
    """An open activity of the case's organisation, else a rule error."""
    activity = None
    if activity_id is not None:
        activity = db.session.scalar(
            select(Activity)
            .join(Club, Activity.club_id == Club.id)
            .where(
                Activity.id == activity_id,
                Activity.organisation_id == case.organisation_id,
                Activity.is_active.is_(True),
                Club.is_active.is_(True),
            )
        )
    if activity is None:
        raise EnrollmentRuleError(_("That activity is not in the catalogue any more."))
    return activity


def propose_activity(case: Case, activity: Activity, *, by: User) -> Enrollment:
    """Add ``activity`` to the case as a proposal."""
    if CaseStatus(case.status) not in PROPOSING_STATUSES:
        raise EnrollmentRuleError(
            _("Activities can only be proposed on an open case with a guide.")
        )
    if activity.organisation_id != case.organisation_id:
        raise EnrollmentRuleError(_("That activity is not in the catalogue any more."))
    if any(e.activity_id == activity.id and e.status != E.ended for e in _enrollments_of(case)):
        raise EnrollmentRuleError(_("This activity is already on the child's list."))
    enrollment = Enrollment(
        case_id=case.id, activity_id=activity.id, status=E.proposed, proposed_by_id=by.id
    )
    db.session.add(enrollment)
    _audit("enrollment_proposed", enrollment, case, by=by)
    db.session.flush()
    return enrollment


def record_trial(enrollment: Enrollment, *, by: User) -> Enrollment:
    """The child tried the activity (a free trial)."""
    case = enrollment.case
    if CaseStatus(case.status) not in PROPOSING_STATUSES:
        raise EnrollmentRuleError(
            _("Activities can only be proposed on an open case with a guide.")
        )
    _move(enrollment, E.trial)
    _audit("enrollment_trial", enrollment, case, by=by)
    db.session.flush()
    return enrollment


def enroll(
    enrollment: Enrollment,
    *,
    by: User,
    started_on: dt.date,
    is_own_choice: bool,
    is_main: bool = False,
) -> Enrollment:
    """The child has started: the case becomes ``active`` and follow-ups are planned."""
    case = enrollment.case
    if CaseStatus(case.status) == CaseStatus.guide_assigned:
        raise EnrollmentRuleError(
            _("Log the first contact with the family before recording that the child has started.")
        )
    if CaseStatus(case.status) not in ENROLLING_STATUSES:
        raise EnrollmentRuleError(_("A child can only start an activity on an open case."))
    _move(enrollment, E.enrolled)
    enrollment.started_on = started_on
    enrollment.is_own_choice = is_own_choice
    others = [e for e in _enrollments_of(case) if e is not enrollment]
    if is_main or not any(e.is_main for e in others):
        _make_main(enrollment, others)
    if case.first_activity_at is None:
        # Counted from the real start date; change_status would count from today.
        schedule_follow_ups(case, start=started_on)
    if CaseStatus(case.status) != CaseStatus.active:
        change_status(case, CaseStatus.active, by=by)
    _audit(
        "enrollment_enrolled",
        enrollment,
        case,
        by=by,
        is_own_choice=is_own_choice,
        is_main=enrollment.is_main,
    )
    db.session.flush()
    return enrollment


def end_enrollment(
    enrollment: Enrollment, *, by: User, ended_on: dt.date, reason: EnrollmentEndReason
) -> Enrollment:
    """The child stopped (or never started); if it was the last activity, tell the coordinator."""
    case = enrollment.case
    was_enrolled = enrollment.status == E.enrolled
    if enrollment.started_on is not None and ended_on < enrollment.started_on:
        raise EnrollmentRuleError(_("The end date cannot be before the start date."))
    _move(enrollment, E.ended)
    enrollment.ended_on = ended_on
    enrollment.end_reason = EnrollmentEndReason(reason)
    still_enrolled = [
        e for e in _enrollments_of(case) if e is not enrollment and e.status == E.enrolled
    ]
    if enrollment.is_main:
        enrollment.is_main = False
        if still_enrolled:
            earliest = min(still_enrolled, key=lambda e: (e.started_on or dt.date.max, e.id))
            earliest.is_main = True
    _audit("enrollment_ended", enrollment, case, by=by, reason=enrollment.end_reason.value)
    if was_enrolled and not still_enrolled and CaseStatus(case.status) == CaseStatus.active:
        change_status(case, CaseStatus.in_progress, by=by)
        _raise_coordinator_follow_up(case, enrollment)
    db.session.flush()
    return enrollment


def make_main(enrollment: Enrollment, *, by: User) -> Enrollment:
    """Make this the case's one main activity."""
    if enrollment.status == E.ended:
        raise EnrollmentRuleError(_("An ended activity cannot be the main one."))
    case = enrollment.case
    _make_main(enrollment, [e for e in _enrollments_of(case) if e is not enrollment])
    _audit("enrollment_made_main", enrollment, case, by=by)
    db.session.flush()
    return enrollment


def _enrollments_of(case: Case) -> list[Enrollment]:
    db.session.flush()  # include proposals added in this request
    return list(db.session.scalars(select(Enrollment).where(Enrollment.case_id == case.id)))


def _make_main(enrollment: Enrollment, others: list[Enrollment]) -> None:
    for other in others:
        other.is_main = False
    enrollment.is_main = True


def _move(enrollment: Enrollment, to: EnrollmentStatus) -> None:
    if to not in NEXT_STATUSES[EnrollmentStatus(enrollment.status)]:
        raise EnrollmentRuleError(_("That step does not fit where this activity is now."))
    enrollment.status = to


def _raise_coordinator_follow_up(case: Case, enrollment: Enrollment) -> None:
    # The note is written in the language of whoever ended it; the reason stays a code.
    follow_up = FollowUp(
        months_after=ENDED_FOLLOW_UP_MONTHS,
        due_on=local_date(),
        note=_(
            "The child's last activity has ended. "
            "Talk with the guide and the family about what comes next."
        ),
    )
    case.follow_ups.append(follow_up)
    record_event(
        "follow_up_raised",
        organisation_id=case.organisation_id,
        obj=case,
        details={"reason": "last_activity_ended", "enrollment_id": str(enrollment.id)},
    )


def _audit(action: str, enrollment: Enrollment, case: Case, *, by: User, **details: object) -> None:
    record_event(
        action,
        actor=by,
        organisation_id=case.organisation_id,
        obj=case,
        details={
            "enrollment_id": str(enrollment.id),
            "activity_id": str(enrollment.activity_id),
            "status": str(enrollment.status),
            **details,
        },
    )
