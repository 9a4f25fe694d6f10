"""raise_task: who is told, once keys, and tasks going with their case."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from guide.outbox.models import OutboxMessage
from guide.tasks import TaskKind, raise_task
from guide.tasks.models import Task
from tests import factories

LINK = "/cases"


@pytest.fixture
def world(db):
    org = factories.organisation()
    other = factories.organisation()
    return {
        "org": org,
        "coordinator": factories.user(org, "coordinator"),
        "second_coordinator": factories.user(org, "coordinator"),
        "inactive_coordinator": factories.user(org, "coordinator", is_active=False),
        "guide": factories.user(org, "guide"),
        "other_guide": factories.user(org, "guide"),
        "other_org_coordinator": factories.user(other, "coordinator"),
    }


def _told(tasks):
    return {task.user_id for task in tasks}


def test_coordinators_of_the_case_organisation_are_told_of_a_new_referral(db, world):
    case = factories.child_case(world["org"])

    tasks = raise_task(TaskKind.NEW_REFERRAL, case=case, link=LINK)

    assert _told(tasks) == {world["coordinator"].id, world["second_coordinator"].id}
    assert all(task.case_id == case.id and task.done_at is None for task in tasks)
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 2


def test_the_guide_audience_is_the_assigned_guide_only(db, world):
    case = factories.child_case(world["org"], guide=world["guide"], status="guide_assigned")

    tasks = raise_task(TaskKind.GUIDE_ASSIGNED, case=case, link=LINK)

    assert _told(tasks) == {world["guide"].id}


def test_named_users_outside_the_case_scope_or_organisation_get_nothing(db, world):
    case = factories.child_case(world["org"], guide=world["guide"], status="guide_assigned")
    named = [world["other_guide"], world["other_org_coordinator"], world["inactive_coordinator"]]

    assert raise_task(TaskKind.CLUB_ABSENCE_REPORTED, case=case, link=LINK, users=named) == []
    assert db.session.scalars(select(Task)).all() == []


def test_a_once_key_raises_the_task_once_per_person(db, world):
    case = factories.child_case(world["org"])
    first = raise_task(TaskKind.CASE_QUIET, case=case, link=LINK, once_key="quiet:1")
    again = raise_task(TaskKind.CASE_QUIET, case=case, link=LINK, once_key="quiet:1")

    assert len(first) == 2
    assert again == []


def test_tasks_go_with_their_case(db, world):
    case = factories.child_case(world["org"])
    raise_task(TaskKind.NEW_REFERRAL, case=case, link=LINK)
    db.session.commit()

    db.session.delete(case)
    db.session.commit()

    assert db.session.scalars(select(Task)).all() == []


def test_a_link_must_be_a_path_inside_the_app(db, world):
    case = factories.child_case(world["org"])
    with pytest.raises(ValueError):
        raise_task(TaskKind.NEW_REFERRAL, case=case, link="https://elsewhere.example/")
