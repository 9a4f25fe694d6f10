"""The To do page: who sees which tasks, done and not done, the menu's count, the e-mail choice."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from guide.accounts.models import TaskEmail
from guide.audit.models import AuditEvent
from guide.cases.assignment import unassign_guide
from guide.tasks import TaskKind, raise_task
from guide.tasks.models import Task
from tests import factories
from tests.web.helpers import csrf_token

CHILD_NAME = "Hemmeligbarn"


@pytest.fixture
def world(db):
    org = factories.organisation()
    other = factories.organisation()
    people = {
        "org": org,
        "coordinator": factories.user(org, "coordinator", preferred_locale="en"),
        "guide": factories.user(org, "guide", preferred_locale="en"),
        "other_coordinator": factories.user(other, "coordinator", preferred_locale="en"),
    }
    people["case"] = factories.child_case(
        org, first_name=CHILD_NAME, guide=people["guide"], status="guide_assigned"
    )
    db.session.commit()
    return people


def _raise(db, kind, case, **options):
    tasks = raise_task(kind, case=case, link=f"/cases/{case.id}", **options)
    db.session.commit()
    return tasks


def _menu_count(html: str) -> int | None:
    match = re.search(r'class="app-nav__count">(\d+)<', html)
    return int(match.group(1)) if match else None


def test_the_page_lists_the_persons_open_tasks_with_the_case_reference_and_a_link(
    db, world, client_for
):
    case = world["case"]
    _raise(db, TaskKind.CLUB_ABSENCE_REPORTED, case)

    page = client_for(world["guide"]).get("/todo")

    assert page.status_code == 200
    assert "The club reports that the child has not come for a while" in page.text
    assert case.reference in page.text
    assert f'href="/cases/{case.id}"' in page.text
    assert CHILD_NAME not in page.text
    assert _menu_count(page.text) == 1


def test_open_tasks_come_first_newest_first(db, world, client_for):
    case = world["case"]
    first = _raise(db, TaskKind.GUIDE_ASSIGNED, case)[0]
    _raise(db, TaskKind.SUPPORT_DECIDED, case)
    _raise(db, TaskKind.SHARED_WITH_CLUB, case)
    first.done_at = first.created_at
    db.session.commit()

    text = client_for(world["guide"]).get("/todo").text

    shared = text.index("shared with a club")
    decided = text.index("support request was decided")
    given = text.index("You have been given a new case")
    assert shared < decided < given


def test_mark_done_and_not_done(db, world, client_for):
    (task,) = _raise(db, TaskKind.GUIDE_ASSIGNED, world["case"])
    browser = client_for(world["guide"])
    page = browser.get("/todo")
    token = csrf_token(page.text)

    done = browser.post(f"/todo/{task.id}/done", data={"csrf_token": token, "version": 1})
    assert done.status_code == 302
    db.session.refresh(task)
    assert task.done_at is not None and task.done_by_id == world["guide"].id
    page = browser.get("/todo")
    assert _menu_count(page.text) is None
    assert "Done lately" in page.text

    # The same click again (a double click, the back button) changes nothing.
    again = browser.post(f"/todo/{task.id}/done", data={"csrf_token": token, "version": 1})
    assert again.status_code == 302
    db.session.refresh(task)
    assert task.version == 2

    undone = browser.post(f"/todo/{task.id}/not-done", data={"csrf_token": token, "version": 2})
    assert undone.status_code == 302
    db.session.refresh(task)
    assert task.done_at is None and task.done_by_id is None
    assert _menu_count(browser.get("/todo").text) == 1


def test_a_stale_page_gets_the_conflict_message(db, world, client_for):
    (task,) = _raise(db, TaskKind.GUIDE_ASSIGNED, world["case"])
    browser = client_for(world["guide"])
    token = csrf_token(browser.get("/todo").text)
    browser.post(f"/todo/{task.id}/done", data={"csrf_token": token, "version": 1})
    browser.post(f"/todo/{task.id}/not-done", data={"csrf_token": token, "version": 2})

    # A page opened before both clicks still says version 1 with "not done" showing "done".
    stale = browser.post(f"/todo/{task.id}/not-done", data={"csrf_token": token, "version": 1})
    assert stale.status_code == 302
    assert "changed this just now" not in browser.get("/todo").text  # already not done: no-op

    browser.post(f"/todo/{task.id}/done", data={"csrf_token": token, "version": 3})
    stale = browser.post(f"/todo/{task.id}/not-done", data={"csrf_token": token, "version": 1})
    assert stale.status_code == 302
    assert "changed this just now" in browser.get(stale.headers["Location"]).text
    db.session.refresh(task)
    assert task.done_at is not None


def test_marking_without_the_version_is_refused_beside_the_form(db, world, client_for):
    (task,) = _raise(db, TaskKind.GUIDE_ASSIGNED, world["case"])
    browser = client_for(world["guide"])
    token = csrf_token(browser.get("/todo").text)

    refused = browser.post(f"/todo/{task.id}/done", data={"csrf_token": token})

    assert refused.status_code == 400
    assert "The page is out of date" in refused.text
    db.session.refresh(task)
    assert task.done_at is None


def test_another_persons_or_organisations_task_is_a_404_with_one_audit_event(db, world, client_for):
    (task,) = _raise(db, TaskKind.GUIDE_ASSIGNED, world["case"])
    for intruder in (world["coordinator"], world["other_coordinator"]):
        browser = client_for(intruder)
        token = csrf_token(browser.get("/todo").text)
        before = len(db.session.scalars(select(AuditEvent)).all())

        answer = browser.post(f"/todo/{task.id}/done", data={"csrf_token": token, "version": 1})

        assert answer.status_code == 404
        events = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "task_access_denied", AuditEvent.actor_id == intruder.id
            )
        ).all()
        assert len(db.session.scalars(select(AuditEvent)).all()) == before + 1
        assert len(events) == 1  # the intruder's one refusal (rows come in no set order)
        db.session.refresh(task)
        assert task.done_at is None
        assert "You have been given a new case" not in browser.get("/todo").text


def test_a_guide_taken_off_the_case_no_longer_sees_its_tasks(db, world, client_for):
    case = world["case"]
    _raise(db, TaskKind.CLUB_ABSENCE_REPORTED, case)
    browser = client_for(world["guide"])
    assert _menu_count(browser.get("/todo").text) == 1

    unassign_guide(case, by=world["coordinator"], expected_version=case.version)
    db.session.commit()

    page = browser.get("/todo")
    assert "has not come for a while" not in page.text
    # What remains is the task that says the case was taken off them, without a link to it.
    assert "You are no longer the guide of case" in page.text
    assert f'href="/cases/{case.id}"' not in page.text
    assert _menu_count(page.text) == 1


def test_a_coordinator_whose_role_changes_no_longer_sees_coordinator_tasks(db, world, client_for):
    _raise(db, TaskKind.NEW_REFERRAL, world["case"])
    coordinator = world["coordinator"]
    coordinator.role = "referrer"
    db.session.commit()

    page = client_for(coordinator).get("/todo")

    assert "A new referral is waiting" not in page.text
    assert _menu_count(page.text) is None


def test_every_role_has_the_to_do_link_in_its_menu(db, world, client_for):
    org = world["org"]
    for role in ("admin", "coordinator", "referrer", "guide", "club_contact"):
        person = factories.user(org, role)
        db.session.commit()
        page = client_for(person).get("/todo")
        assert page.status_code == 200
        assert 'href="/todo" aria-current="page"' in page.text, role


def test_the_e_mail_choice_is_saved_on_the_account_page(db, world, client_for):
    guide = world["guide"]
    browser = client_for(guide)
    page = browser.get("/account")
    assert re.search(r'<input checked[^>]*value="at_once"', page.text)

    saved = browser.post(
        "/account",
        data={"csrf_token": csrf_token(page.text), "task_email": "daily", "seen": "at_once"},
    )

    assert saved.status_code == 302
    db.session.refresh(guide)
    assert guide.task_email == TaskEmail.daily


def test_a_wrong_e_mail_choice_is_refused_beside_the_field(db, world, client_for):
    guide = world["guide"]
    browser = client_for(guide)
    page = browser.get("/account")

    refused = browser.post(
        "/account",
        data={"csrf_token": csrf_token(page.text), "task_email": "hourly", "seen": "at_once"},
    )

    assert refused.status_code == 400
    assert "ds-validation-message" in refused.text
    db.session.refresh(guide)
    assert guide.task_email == TaskEmail.at_once


def test_tasks_hold_no_more_than_kind_link_and_case(db, world):
    _raise(db, TaskKind.NEW_REFERRAL, world["case"])
    columns = set(Task.__table__.columns.keys())
    assert columns == {
        "id",
        "organisation_id",
        "user_id",
        "case_id",
        "kind",
        "link",
        "once_key",
        "created_at",
        "done_at",
        "done_by_id",
        "version",
    }


def test_a_referrer_sees_the_outcome_of_own_referral_linking_to_its_status_page(
    db, world, client_for
):
    from guide.referrals.services import accept_referral, submit_referral
    from tests.db.test_referral_services import referral_details

    referrer = factories.user(
        world["org"], "referrer", referrer_kind="teacher", preferred_locale="en"
    )
    colleague = factories.user(
        world["org"], "referrer", referrer_kind="teacher", preferred_locale="en"
    )
    referral = submit_referral(details=referral_details(), referrer=referrer)
    db.session.commit()
    accept_referral(referral, by=world["coordinator"], seen_version=None)
    db.session.commit()

    page = client_for(referrer).get("/todo")
    assert "Your referral was accepted" in page.text
    assert f'href="/referrals/{referral.id}"' in page.text
    assert "Tjenestebarn" not in page.text
    assert _menu_count(page.text) == 1
    assert "Your referral was accepted" not in client_for(colleague).get("/todo").text
