"""Tasks time raises: overdue loans, due follow-ups, quiet cases, certificates; each once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from guide.cases.models import FollowUp
from guide.database import utcnow
from guide.outbox.models import OutboxMessage
from guide.support.models import EquipmentLoan
from guide.tasks.models import Task, TaskKind
from guide.tasks.worker import sweep
from tests import factories

TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def s(db):
    org = factories.organisation()
    other = factories.organisation()
    guide = factories.user(org, "guide")
    people = {
        "org": org,
        "coordinator": factories.user(org, "coordinator"),
        "guide": guide,
        "unassigned_guide": factories.user(org, "guide"),
        "other_coordinator": factories.user(other, "coordinator"),
        "case": factories.child_case(org, guide=guide, status="active"),
    }
    # Visited yesterday, so the case is not quiet unless a test makes it so.
    people["case"].last_visit_on = TODAY - dt.timedelta(days=1)
    for profile_user in (guide, people["unassigned_guide"]):
        profile_user.guide_profile.police_certificate_checked_on = TODAY
    db.session.commit()
    return people


def tasks_of(db, kind) -> list[Task]:
    return list(db.session.scalars(select(Task).where(Task.kind == kind)))


def who(tasks) -> set:
    return {task.user_id for task in tasks}


def test_an_overdue_loan_is_a_task_for_the_coordinators_and_the_guide_once(db, s):
    def lent(item_type: str, **dates) -> EquipmentLoan:
        return EquipmentLoan(
            organisation_id=s["org"].id,
            case_id=s["case"].id,
            item_type=item_type,
            source="equipment_library",
            lent_on=TODAY - dt.timedelta(days=30),
            **dates,
        )

    loan = lent("Skøyter", due_on=TODAY - dt.timedelta(days=1))
    returned = lent(
        "Ski", due_on=TODAY - dt.timedelta(days=1), returned_on=TODAY - dt.timedelta(days=2)
    )
    not_yet_due = lent("Hjelm", due_on=TODAY)
    db.session.add_all([loan, returned, not_yet_due])
    db.session.commit()

    assert sweep(today=TODAY).loans_overdue == 1
    assert sweep(today=TODAY).loans_overdue == 0

    tasks = tasks_of(db, TaskKind.LOAN_OVERDUE)
    assert who(tasks) == {s["coordinator"].id, s["guide"].id}
    assert {task.link for task in tasks} == {f"/cases/{s['case'].id}/loans"}


def test_a_due_follow_up_is_a_task_until_done(db, s):
    due = FollowUp(case_id=s["case"].id, months_after=1, due_on=TODAY)
    done = FollowUp(case_id=s["case"].id, months_after=3, due_on=TODAY, done_at=utcnow())
    later = FollowUp(case_id=s["case"].id, months_after=6, due_on=TODAY + dt.timedelta(days=1))
    db.session.add_all([due, done, later])
    db.session.commit()

    assert sweep(today=TODAY).follow_ups_due == 1
    tasks = tasks_of(db, TaskKind.FOLLOW_UP_DUE)
    assert who(tasks) == {s["coordinator"].id, s["guide"].id}
    assert {task.link for task in tasks} == {f"/cases/{s['case'].id}/follow-ups/{due.id}"}

    # The next day the later one falls due: one new task each, none again for the first.
    assert sweep(today=TODAY + dt.timedelta(days=1)).follow_ups_due == 1
    assert len(tasks_of(db, TaskKind.FOLLOW_UP_DUE)) == 4


def test_a_case_quiet_for_the_organisations_weeks_is_a_task_once_per_quiet_spell(db, s):
    org, case = s["org"], s["case"]
    org.no_visit_nudge_weeks = 2
    case.last_visit_on = TODAY - dt.timedelta(weeks=2, days=1)
    db.session.commit()

    assert sweep(today=TODAY).quiet_cases == 1
    assert sweep(today=TODAY + dt.timedelta(days=1)).quiet_cases == 0
    assert who(tasks_of(db, TaskKind.CASE_QUIET)) == {s["coordinator"].id, s["guide"].id}

    # A visit, then quiet again: a new spell, a new task.
    case.last_visit_on = TODAY
    db.session.commit()
    assert sweep(today=TODAY + dt.timedelta(weeks=1)).quiet_cases == 0
    assert sweep(today=TODAY + dt.timedelta(weeks=2, days=1)).quiet_cases == 1


def test_a_case_visited_within_the_organisations_weeks_is_not_quiet(db, s):
    s["org"].no_visit_nudge_weeks = 4
    s["case"].last_visit_on = TODAY - dt.timedelta(weeks=3)
    db.session.commit()

    assert sweep(today=TODAY).quiet_cases == 0


def test_a_police_certificate_about_to_expire_is_a_task_for_the_coordinators(db, s):
    org = s["org"]
    guide = s["guide"]
    guide.guide_profile.police_certificate_checked_on = TODAY - dt.timedelta(
        days=org.police_certificate_valid_months * 30
    )
    db.session.commit()

    assert sweep(today=TODAY).certificates_expiring == 1
    assert sweep(today=TODAY).certificates_expiring == 0

    (task,) = tasks_of(db, TaskKind.CERTIFICATE_EXPIRING)
    assert (task.user_id, task.case_id) == (s["coordinator"].id, None)
    assert task.link == f"/guides/{guide.id}/edit"


def test_a_sweep_mails_each_person_once_per_organisation_and_never_another_organisation(db, s):
    case = s["case"]
    s["org"].no_visit_nudge_weeks = 1
    case.last_visit_on = TODAY - dt.timedelta(weeks=2)
    db.session.add(FollowUp(case_id=case.id, months_after=1, due_on=TODAY))
    db.session.commit()

    report = sweep(today=TODAY)

    assert (report.quiet_cases, report.follow_ups_due) == (1, 1)
    recipients = sorted(m.recipient for m in db.session.scalars(select(OutboxMessage)))
    assert recipients == sorted([s["coordinator"].email, s["guide"].email])
    everyone_told = {task.user_id for task in db.session.scalars(select(Task))}
    assert s["other_coordinator"].id not in everyone_told
    assert s["unassigned_guide"].id not in everyone_told


def test_doing_what_a_sweep_task_asks_marks_everyones_task_done(db, s):
    from guide.cases.followups import complete_follow_up
    from guide.cases.visits import log_visit
    from guide.support.loans import mark_returned

    case, guide = s["case"], s["guide"]
    s["org"].no_visit_nudge_weeks = 1
    case.last_visit_on = TODAY - dt.timedelta(weeks=2)
    follow_up = FollowUp(case_id=case.id, months_after=1, due_on=TODAY)
    loan = EquipmentLoan(
        organisation_id=s["org"].id,
        case_id=case.id,
        item_type="Skøyter",
        source="equipment_library",
        lent_on=TODAY - dt.timedelta(days=30),
        due_on=TODAY - dt.timedelta(days=1),
    )
    db.session.add_all([follow_up, loan])
    db.session.commit()
    sweep(today=TODAY)

    complete_follow_up(follow_up, by=guide)
    mark_returned(loan, by=guide, returned_on=TODAY)
    log_visit(case, by=guide, kind="phone_call", occurred_on=TODAY)
    db.session.commit()

    for kind in (TaskKind.FOLLOW_UP_DUE, TaskKind.LOAN_OVERDUE, TaskKind.CASE_QUIET):
        tasks = tasks_of(db, kind)
        assert len(tasks) == 2, kind
        assert {(task.done_at is not None, task.done_by_id) for task in tasks} == {
            (True, guide.id)
        }, kind
