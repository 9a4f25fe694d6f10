"""Telling people of their tasks by e-mail, as each chose: at once, a daily digest, or never.

Every mail goes through the outbox in the person's language and carries no personal data:
no name, no case, no reference. It says that there is something to do and links to the
To do page, where access control applies.

At once: one mail per person per ``raise_task`` call, or per ``batched_mail()`` block (a
sweep that raises many tasks tells each person once). Daily: one mail per person per day
from ``guide.tasks.worker.send_digests`` (the outbox worker's round, or ``flask tasks
digest``), counting the new tasks by kind; a ``task_digests`` row per person and day makes
it idempotent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

from flask import current_app
from sqlalchemy import func, select

from guide.accounts.models import User
from guide.database import utcnow
from guide.dates import local_date, local_zone
from guide.extensions import db
from guide.outbox.services import absolute_url, queue_email
from guide.tasks.models import Task, TaskDigest, TaskEmail

#: The local hour from which the day's digests go out.
DIGEST_HOUR = 7

_pending: ContextVar[dict[uuid.UUID, User] | None] = ContextVar("pending_task_mail", default=None)


def todo_path() -> str:
    """The To do page's path, built without a request (workers and CLI have none)."""
    return current_app.url_map.bind("localhost").build("tasks.todo", {})


def tell_at_once(tasks: Iterable[Task]) -> None:
    """Queue (or, inside ``batched_mail``, collect) one mail per person who chose "at once"."""
    people = {task.user.id: task.user for task in tasks if wants(task.user, TaskEmail.at_once)}
    pending = _pending.get()
    if pending is not None:
        pending.update(people)
        return
    _queue_new_task_mails(people.values())


@contextlib.contextmanager
def batched_mail() -> Iterator[None]:
    """Inside this block, people told at once get one mail at its end, however many tasks."""
    if _pending.get() is not None:  # already batching: the outer block sends
        yield
        return
    pending: dict[uuid.UUID, User] = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    _queue_new_task_mails(pending.values())


def wants(user: User, choice: TaskEmail) -> bool:
    return user.is_active and TaskEmail(user.task_email) == choice


def _queue_new_task_mails(people: Iterable[User]) -> None:
    link = absolute_url(todo_path())
    for user in people:
        queue_email(
            to=user.email,
            template="task_new",
            locale=user.preferred_locale,
            context={"link": link},
            organisation_id=user.organisation_id,
        )


# --- The daily digest -------------------------------------------------------------------


def digest_due(now: dt.datetime | None = None) -> bool:
    """True from ``DIGEST_HOUR`` local time on."""
    return (now or utcnow()).astimezone(local_zone()).hour >= DIGEST_HOUR


def people_due_a_digest(now: dt.datetime) -> list[uuid.UUID]:
    """Who gets a digest now: nobody before ``DIGEST_HOUR``; see ``_people_with_new_tasks``."""
    if not digest_due(now):
        return []
    return _people_with_new_tasks(local_date(now))


def send_digest(user_id: uuid.UUID, *, now: dt.datetime) -> bool:
    """Queue today's digest to one person (flushed; the caller commits); False if none went.

    The ``task_digests`` row is claimed first: a second digest the same day (another
    worker's) raises IntegrityError, and the caller rolls back.
    """
    user = db.session.get(User, user_id)
    if user is None or not wants(user, TaskEmail.daily):
        return False
    return _send_one_digest(user, today=local_date(now), now=now)


def _last_digest_subquery():
    return (
        select(TaskDigest.user_id, func.max(TaskDigest.created_at).label("last_at"))
        .group_by(TaskDigest.user_id)
        .subquery()
    )


def _people_with_new_tasks(today: dt.date) -> list[uuid.UUID]:
    """Active people who chose the digest, had none today, and got open tasks since the last."""
    last = _last_digest_subquery()
    digested_today = select(TaskDigest.user_id).where(TaskDigest.day == today)
    query = (
        select(User.id)
        .join(Task, Task.user_id == User.id)
        .outerjoin(last, last.c.user_id == User.id)
        .where(
            User.is_active.is_(True),
            User.task_email == TaskEmail.daily,
            User.id.not_in(digested_today),
            Task.done_at.is_(None),
            (last.c.last_at.is_(None)) | (Task.created_at > last.c.last_at),
        )
        .group_by(User.id)
        .order_by(User.id)
    )
    return list(db.session.scalars(query))


def _send_one_digest(user: User, *, today: dt.date, now: dt.datetime) -> bool:
    from guide.tasks.kinds import RULES
    from guide.tasks.services import open_task_count, visibility

    last_at = db.session.scalar(
        select(func.max(TaskDigest.created_at)).where(TaskDigest.user_id == user.id)
    )
    # A plain INSERT under UNIQUE (user_id, day), no savepoint (see docs/unit-of-work.md): a
    # second run the same day fails here, and its caller rolls the whole unit back.
    db.session.add(TaskDigest(user_id=user.id, day=today, created_at=now))
    db.session.flush()
    new = select(Task.kind).where(*visibility(user), Task.done_at.is_(None))
    if last_at is not None:
        new = new.where(Task.created_at > last_at)
    counts = Counter(db.session.scalars(new))
    if not counts:
        return False
    open_total = open_task_count(user)
    lines = [(RULES[kind].digest_label, counts[kind]) for kind in RULES if counts[kind]]
    queue_email(
        to=user.email,
        template="task_digest",
        locale=user.preferred_locale,
        context={
            "lines": lines,
            "new_total": sum(counts.values()),
            "open_total": open_total,
            "link": absolute_url(todo_path()),
        },
        organisation_id=user.organisation_id,
    )
    return True
