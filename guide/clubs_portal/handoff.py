"""The one place where a club's report becomes tasks for the people who act on it.

The coordinators and the case's guide get a task linking to the case (the audience follows
from the task kind); taking the report back takes its tasks back.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import delete

from guide.clubs_portal.models import ClubReport, ClubReportKind
from guide.extensions import db
from guide.tasks import Task, TaskKind, raise_task

TASK_KINDS = {
    ClubReportKind.started: TaskKind.CLUB_START_CONFIRMED,
    ClubReportKind.absent: TaskKind.CLUB_ABSENCE_REPORTED,
}


def once_key(report: ClubReport) -> str:
    """Names the report's tasks: raised once, found again when the report is taken back."""
    return f"club-report:{report.id}"


def hand_over(report: ClubReport) -> None:
    """Tasks for the coordinators and the guide of the report's case."""
    raise_task(
        TASK_KINDS[report.kind],
        case=report.case,
        link=url_for("cases.case_detail", case_id=report.case_id),
        once_key=once_key(report),
    )


def withdraw_hand_over(report: ClubReport) -> int:
    """The report's tasks are deleted with it, done or not: what they pointed at is gone.

    (The tasks API has no "cancel"; a task is found again by the report's once key.)
    An e-mail already sent said only that there is something to do, nothing about whom.
    """
    result = db.session.execute(
        delete(Task)
        .where(Task.once_key == once_key(report))
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount
