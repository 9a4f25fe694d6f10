"""Tasks ("To do"): whatever one person records reaches whoever must act next.

The shared entry point for every feature::

    from guide.tasks import raise_task, TaskKind
    raise_task(TaskKind.CLUB_ABSENCE_REPORTED, case=case,
               link=url_for("cases.case_detail", case_id=case.id))

See docs/tasks.md.
"""

from guide.tasks.kinds import RULES, Audience, once_key
from guide.tasks.mail import batched_mail
from guide.tasks.models import Task, TaskEmail, TaskKind
from guide.tasks.services import complete_tasks, path_for, raise_for_child, raise_task

__all__ = [
    "RULES",
    "Audience",
    "Task",
    "TaskEmail",
    "TaskKind",
    "batched_mail",
    "complete_tasks",
    "once_key",
    "path_for",
    "raise_for_child",
    "raise_task",
]
