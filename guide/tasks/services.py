"""Raising tasks, and reading them as their person may see them now.

``raise_task`` is the one way a task is made. It decides who is told (the kind's audience,
or ``users=``), keeps only active people of the case's organisation who hold the kind's
permission and may see the case, writes one row per person, and tells each person by
e-mail as they chose (guide.tasks.mail). It never commits: the task belongs
to the transaction of the event that raised it.

What a person sees is decided again at read time (``visible_tasks``): a guide taken off
a case, or a coordinator whose role changed, no longer sees the tasks it raised.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from flask import current_app
from sqlalchemy import ColumnElement, Select, bindparam, false, func, or_, select, true
from sqlalchemy.orm import selectinload

from guide.access import load_scoped
from guide.accounts.models import TaskEmail, User
from guide.accounts.services import active_users
from guide.audit.services import record_event
from guide.cases.models import Case, CaseStatus
from guide.cases.services import case_scope
from guide.database import utcnow
from guide.extensions import db
from guide.policy import Permission, Scope, allowed, role_of, scope_for
from guide.referrals.models import Referral
from guide.roles import Role
from guide.tasks.kinds import RULES, Audience, KindRule, rule_for
from guide.tasks.mail import tell_at_once
from guide.tasks.models import Task, TaskKind
from guide.unit_of_work import StaleEdit
from guide.validation.versions import check_version


def raise_task(
    kind: TaskKind,
    *,
    case: Case | None = None,
    link: str,
    users: Iterable[User] | None = None,
    organisation_id: uuid.UUID | None = None,
    once_key: str | None = None,
    not_for: User | None = None,
) -> list[Task]:
    """Give each person who must act on ``kind`` a task linking to ``link``; the new tasks.

    ``users`` replaces the kind's audience; ``not_for`` is the person who acted, who needs
    no task about it. Nobody outside the organisation, nobody inactive, nobody without the
    kind's permission or (for case tasks) without access to the case gets one. With
    ``once_key``, a person who already has a task with that key gets no second one.
    Adds the tasks to the session; never commits.
    """
    kind = TaskKind(kind)
    rule = rule_for(kind)
    organisation_id = _organisation_of(case, organisation_id)
    if not link.startswith("/") or link.startswith("//"):
        raise ValueError("a task's link is a path inside the app (from url_for)")
    # No flush here: the checks below read the case only where they must (a query then
    # autoflushes it), so a request that makes a case writes nothing before its commit.
    candidates = list(users) if users is not None else audience(rule, case, organisation_id)
    if not_for is not None:
        candidates = [user for user in candidates if user.id != not_for.id]
    told = _eligible(candidates, rule, case, organisation_id)
    if once_key is not None and told:
        already = set(
            db.session.scalars(
                select(Task.user_id).where(
                    Task.once_key == once_key, Task.user_id.in_([user.id for user in told])
                )
            )
        )
        told = [user for user in told if user.id not in already]
    tasks = [
        Task(
            organisation_id=organisation_id,
            user_id=user.id,
            user=user,
            case_id=case.id if case is not None else None,
            kind=kind,
            link=link,
            once_key=once_key,
            created_at=utcnow(),
        )
        for user in told
    ]
    db.session.add_all(tasks)
    tell_at_once(tasks)
    return tasks


#: Cases of a child that people still work on: a task about the child goes to these.
FINISHED_STATUSES = (CaseStatus.closed, CaseStatus.declined)


def raise_for_child(
    kind: TaskKind, *, child_id: uuid.UUID, link: Callable[[Case], str], not_for: User | None
) -> list[Task]:
    """``raise_task`` on each case of the child that is neither closed nor declined."""
    cases = db.session.scalars(
        select(Case)
        .where(Case.child_id == child_id, Case.status.not_in(FINISHED_STATUSES))
        .order_by(Case.referred_at)
    ).all()
    tasks = []
    for case in cases:
        tasks += raise_task(kind, case=case, link=link(case), not_for=not_for)
    return tasks


def complete_tasks(kind: TaskKind, *, case: Case, by: User, once_key: str | None = None) -> int:
    """Mark everyone's open ``kind`` tasks on ``case`` (with ``once_key``) done: ``by`` acted."""
    now = utcnow()
    query = select(Task).where(Task.case_id == case.id, Task.kind == kind, Task.done_at.is_(None))
    if once_key is not None:
        query = query.where(Task.once_key == once_key)
    tasks = db.session.scalars(query).all()
    for task in tasks:
        task.done_at = now
        task.done_by_id = by.id
    db.session.flush()
    return len(tasks)


def path_for(endpoint: str, **values: object) -> str:
    """The app path of ``endpoint`` for a task's link, also without a request (sweeps, CLI)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _organisation_of(case: Case | None, organisation_id: uuid.UUID | None) -> uuid.UUID:
    if case is not None:
        if organisation_id is not None and organisation_id != case.organisation_id:
            raise ValueError("a case's task belongs to the case's organisation")
        return case.organisation_id
    if organisation_id is None:
        raise ValueError("a task without a case needs organisation_id")
    return organisation_id


def audience(rule: KindRule, case: Case | None, organisation_id: uuid.UUID) -> list[User]:
    """The people a kind tells by default about ``case`` (before the checks)."""
    people: list[User] = []
    for who in rule.audiences:
        if who == Audience.coordinators:
            with db.session.no_autoflush:  # the accounts do not depend on what is pending
                people += active_users(Role.coordinator, User.organisation_id == organisation_id)
        elif case is None:
            continue
        elif who == Audience.guide:
            if case.assigned_guide is not None:
                people.append(case.assigned_guide.user)
        elif who == Audience.referrer:
            people += db.session.scalars(
                select(User)
                .join(Referral, Referral.referred_by_id == User.id)
                .where(Referral.case_id == case.id)
                .order_by(User.id)
            ).unique()
    return people


def _eligible(
    candidates: Iterable[User], rule: KindRule, case: Case | None, organisation_id: uuid.UUID
) -> list[User]:
    seen: set[uuid.UUID] = set()
    eligible = []
    for user in candidates:
        if user.id in seen:
            continue
        seen.add(user.id)
        if user.organisation_id != organisation_id or not allowed(user, rule.permission):
            continue
        if case is not None and rule.needs_case_access and not may_see_case(user, case):
            continue
        eligible.append(user)
    return eligible


# --- Reading ----------------------------------------------------------------------------


def visible_case_ids(viewer: User) -> Select:
    """Ids of the cases whose tasks ``viewer`` may see: the case scope, and own referrals."""
    in_scope = case_scope(viewer).with_only_columns(Case.id)
    if scope_for(viewer, Permission.referral_view_status_own) != Scope.referred_by_me:
        return in_scope
    referred = select(Referral.case_id).where(
        Referral.organisation_id == viewer.organisation_id,
        Referral.referred_by_id == viewer.id,
        Referral.case_id.is_not(None),
    )
    return in_scope.union(referred)


def may_see_case(user: User, case: Case) -> bool:
    """True when ``user`` may see tasks on ``case`` (the rule the To do page applies)."""
    if sees_every_case(user):
        return case.organisation_id == user.organisation_id
    found = db.session.scalar(
        select(Case.id).where(Case.id == case.id, Case.id.in_(visible_case_ids(user)))
    )
    return found is not None


def sees_every_case(viewer: User | Role) -> bool:
    """True when ``viewer`` (or a role) sees every case of the organisation."""
    return scope_for(viewer, Permission.case_view) == Scope.own_organisation


@cache
def _kinds_of_role(role: Role) -> tuple[TaskKind, ...]:
    # Permissions follow the role alone (guide/policy.py): worked out once per role, not
    # for each kind on every page that shows the menu's count.
    return tuple(kind for kind, rule in RULES.items() if allowed(role, rule.permission))


def visibility(viewer: User) -> list[ColumnElement]:
    """Conditions on ``Task`` for the tasks ``viewer`` may see now."""
    role = role_of(viewer)
    if role is None:
        return [false()]
    # A role that sees every case of its organisation needs no subquery over all of them: a
    # task's case is always of the task's organisation.
    sees_case = true() if sees_every_case(role) else Task.case_id.in_(visible_case_ids(viewer))
    return _conditions(role, viewer.id, viewer.organisation_id, sees_case)


def _conditions(
    role: Role, user_id: object, organisation_id: object, sees_case: ColumnElement
) -> list[ColumnElement]:
    kinds = _kinds_of_role(role)
    if not kinds:
        return [false()]
    without_case_access = [kind for kind in kinds if not RULES[kind].needs_case_access]
    return [
        Task.user_id == user_id,
        Task.organisation_id == organisation_id,
        Task.kind.in_(kinds),
        or_(
            Task.case_id.is_(None),
            Task.kind.in_(without_case_access) if without_case_access else false(),
            sees_case,
        ),
    ]


def visible_tasks(viewer: User) -> Select:
    """``viewer``'s tasks as they may see them now: open first, then newest first."""
    return (
        select(Task)
        .where(*visibility(viewer))
        .order_by(Task.done_at.is_not(None), Task.created_at.desc(), Task.id)
    )


def open_task_count(viewer: User) -> int:
    """How many of ``viewer``'s visible tasks are not done (the menu's count)."""
    role = role_of(viewer)
    if role is not None and sees_every_case(role):
        # Every page's menu asks: for a role that sees every case of its organisation, the
        # statement depends on the role alone and is built once.
        values = {"user_id": viewer.id, "organisation_id": viewer.organisation_id}
        return db.session.scalar(_open_count_of_role(role), values) or 0
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Task)
            .where(*visibility(viewer), Task.done_at.is_(None))
        )
        or 0
    )


@cache
def _open_count_of_role(role: Role) -> Select:
    conditions = _conditions(role, bindparam("user_id"), bindparam("organisation_id"), true())
    return select(func.count()).select_from(Task).where(*conditions, Task.done_at.is_(None))


#: Done tasks the To do page still shows, newest first, below the open ones.
DONE_SHOWN = 30


@dataclass(frozen=True)
class TodoList:
    open: list[Task]
    done: list[Task]


def todo_list(viewer: User) -> TodoList:
    """``viewer``'s open tasks (all, newest first) and the latest done ones."""
    # The reference only: a case row also holds encrypted text the page never shows.
    query = visible_tasks(viewer).options(selectinload(Task.case).load_only(Case.reference))
    return TodoList(
        open=list(db.session.scalars(query.where(Task.done_at.is_(None)))),
        done=list(db.session.scalars(query.where(Task.done_at.is_not(None)).limit(DONE_SHOWN))),
    )


def load_task(*, viewer: User, task_id: uuid.UUID) -> Task:
    """One of ``viewer``'s visible tasks, else an audited 404."""
    return load_scoped(
        visible_tasks(viewer).where(Task.id == task_id), kind="task", object_id=task_id
    )


def mark_task(task: Task, *, done: bool, by: User, seen_version: int | None) -> None:
    """Mark ``task`` done or not done. Asking for the state it is in changes nothing."""
    if task.is_done == done:
        return  # a second click, or the same choice from another tab: already so
    check_version(task, seen_version)
    task.done_at = utcnow() if done else None
    task.done_by_id = by.id if done else None
    db.session.flush()


def choose_task_email(user: User, choice: str, *, seen: str | None) -> None:
    """Store how ``user`` is told of new tasks; a choice changed meanwhile is a stale edit."""
    choice = TaskEmail(choice)
    if choice == user.task_email:
        return
    if seen != user.task_email:
        raise StaleEdit()
    user.task_email = choice
    record_event("task_email_chosen", actor=user, obj=user, details={"choice": choice.value})
    db.session.flush()
