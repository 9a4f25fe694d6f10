"""Follow-ups: check-ins due some months after a child starts an activity."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from guide.access import load_scoped
from guide.accounts.models import User
from guide.audit.services import record_event
from guide.cases.models import Case, FollowUp
from guide.database import utcnow
from guide.dates import add_months
from guide.extensions import db
from guide.tasks import TaskKind, complete_tasks, once_key
from guide.tenant import default_follow_up_months


def schedule_follow_ups(case: Case, *, start: dt.date) -> list[FollowUp]:
    """Add the organisation's follow-ups counted from ``start``; months already planned are kept."""
    months = case.organisation.follow_up_months or default_follow_up_months()
    planned = {follow_up.months_after for follow_up in case.follow_ups}
    added = []
    for month in sorted(set(months) - planned):
        follow_up = FollowUp(months_after=month, due_on=add_months(start, month))
        case.follow_ups.append(follow_up)
        added.append(follow_up)
    if added:
        record_event(
            "follow_ups_scheduled",
            organisation_id=case.organisation_id,
            obj=case,
            details={"months": [follow_up.months_after for follow_up in added]},
        )
    return added


def next_open_follow_up(case: Case) -> FollowUp | None:
    """The earliest follow-up not yet done (``case.follow_ups`` is ordered by due date)."""
    return next((follow_up for follow_up in case.follow_ups if follow_up.done_at is None), None)


def complete_follow_up(
    follow_up: FollowUp, *, by: User, note: str | None = None, at: dt.datetime | None = None
) -> FollowUp:
    """Mark ``follow_up`` done, with who, when and an optional note; the caller commits."""
    follow_up.done_at = at or utcnow()
    follow_up.done_by_id = by.id
    if note:
        follow_up.note = note
    record_event(
        "follow_up_done",
        actor=by,
        obj=follow_up,
        details={"case_id": str(follow_up.case_id), "months_after": follow_up.months_after},
    )
    db.session.flush()
    # Done: everyone's "follow-up due" task for it is done too.
    complete_tasks(
        TaskKind.FOLLOW_UP_DUE,
        case=follow_up.case,
        by=by,
        once_key=once_key(TaskKind.FOLLOW_UP_DUE, follow_up.id),
    )
    return follow_up


def load_open_follow_up(case: Case, follow_up_id: uuid.UUID) -> FollowUp:
    """One of ``case``'s follow-ups that is not done yet, else 404."""
    follow_up = load_scoped(
        select(FollowUp).where(
            FollowUp.id == follow_up_id, FollowUp.case_id == case.id, FollowUp.done_at.is_(None)
        ),
        kind="follow_up",
        object_id=follow_up_id,
    )
    return follow_up
