"""Follow-ups after the first activity, marking them done, and the coordinator's dashboard."""

from __future__ import annotations

import datetime as dt

import pytest

from guide.cases.followups import schedule_follow_ups
from guide.cases.models import Case, CaseStatus, FollowUp, Visit
from guide.cases.workflow import change_status
from guide.dashboard.services import (
    cases_waiting_for_guide,
    cases_without_recent_visit,
    dashboard_for,
    overdue_follow_ups,
    referrals_in_intake,
)
from guide.dates import add_months, local_date
from tests import factories
from tests.web.helpers import csrf_token, signed_in_as

START = dt.date(2026, 1, 31)
#: Noon in Oslo on a fixed day, so "today" is the same date in UTC and locally.
NOON = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)


def reload(db, case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def test_becoming_active_the_first_time_schedules_the_follow_ups(db):
    org = factories.organisation()
    coordinator = factories.user(org, "coordinator")
    case = factories.child_case(org, status="in_progress", guide=factories.user(org, "guide"))
    moment = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    change_status(case, CaseStatus.active, by=coordinator, at=moment)
    db.session.commit()
    case = reload(db, case)
    assert [(f.months_after, f.due_on) for f in case.follow_ups] == [
        (1, dt.date(2026, 4, 2)),
        (3, dt.date(2026, 6, 2)),
        (6, dt.date(2026, 9, 2)),
    ]
    # Paused and active again: nothing new is planned.
    change_status(case, CaseStatus.paused, by=coordinator)
    change_status(case, CaseStatus.active, by=coordinator)
    db.session.commit()
    assert len(reload(db, case).follow_ups) == 3


def test_follow_up_months_come_from_the_organisation(db):
    org = factories.organisation()
    org.follow_up_months = [2, 12]
    case = factories.child_case(org, status="active")
    schedule_follow_ups(case, start=START)
    again = schedule_follow_ups(case, start=START)
    db.session.commit()
    assert again == []
    assert [f.due_on for f in reload(db, case).follow_ups] == [
        dt.date(2026, 3, 31),
        dt.date(2027, 1, 31),
    ]


def test_follow_up_is_overdue_the_day_after_it_is_due(db):
    org = factories.organisation()
    case = factories.child_case(org, status="active", guide=factories.user(org, "guide"))
    [first] = schedule_follow_ups(case, start=START)[:1]
    db.session.commit()
    assert overdue_follow_ups(organisation_id=org.id, today=first.due_on) == []
    next_day = first.due_on + dt.timedelta(days=1)
    assert [f.id for f in overdue_follow_ups(organisation_id=org.id, today=next_day)] == [first.id]


def test_done_follow_ups_and_closed_cases_are_not_overdue(db):
    org = factories.organisation()
    coordinator = factories.user(org, "coordinator")
    done = factories.child_case(org, status="active")
    closed = factories.child_case(org, status="active")
    for case in (done, closed):
        schedule_follow_ups(case, start=START)
    done.follow_ups[0].done_at = NOON
    change_status(closed, CaseStatus.closed, by=coordinator, close_reason="established")
    db.session.commit()
    overdue = overdue_follow_ups(organisation_id=org.id, today=dt.date(2026, 3, 1))
    assert [f.case_id for f in overdue] == []


def test_logging_a_follow_up_visit_ticks_off_the_earliest_follow_up(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, status="active", guide=guide)
    schedule_follow_ups(case, start=START)
    db.session.commit()
    page = client.get(f"/cases/{case.id}/visits/new")
    client.post(
        f"/cases/{case.id}/visits/new",
        data={
            "kind": "follow_up",
            "occurred_on": local_date().isoformat(),
            "csrf_token": csrf_token(page.text),
        },
    )
    follow_ups = reload(db, case).follow_ups
    assert [f.done_at is not None for f in follow_ups] == [True, False, False]
    assert follow_ups[0].done_by_id == guide.id


def test_marking_a_follow_up_done_needs_a_note(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, status="active", guide=guide)
    first = schedule_follow_ups(case, start=START)[0]
    db.session.commit()
    path = f"/cases/{case.id}/follow-ups/{first.id}"
    assert path in client.get(f"/cases/{case.id}").text
    page = client.get(path)
    refused = client.post(path, data={"note": "  ", "csrf_token": csrf_token(page.text)})
    assert refused.status_code == 400
    assert 'id="note-error"' in refused.text
    assert db.session.get(FollowUp, first.id).done_at is None

    done = client.post(path, data={"note": "Trives godt", "csrf_token": csrf_token(page.text)})
    assert done.status_code == 302
    db.session.expire_all()
    follow_up = db.session.get(FollowUp, first.id)
    assert follow_up.done_at is not None
    assert follow_up.note == "Trives godt"
    assert client.get(path).status_code == 404  # done: nothing left to mark


def _first_follow_up_page(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, status="active", guide=guide)
    first = schedule_follow_ups(case, start=START)[0]
    db.session.commit()
    path = f"/cases/{case.id}/follow-ups/{first.id}"
    return first.id, path, csrf_token(client.get(path).text)


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("n" * 10_000, "Shorten the text to 1000 characters or fewer."),
        ("Trives \u202egodt", "invisible control characters"),
    ],
    ids=["10000-characters", "direction-override"],
)
def test_invalid_follow_up_note_is_explained_and_nothing_is_marked(client, db, note, message):
    follow_up_id, path, token = _first_follow_up_page(client, db)
    refused = client.post(path, data={"note": note, "csrf_token": token})
    assert refused.status_code == 400
    beside = refused.text.split('id="note-error"', 1)
    assert len(beside) == 2, "no message beside the note"
    assert message in beside[1].split("</div>", 1)[0]
    follow_up = db.session.get(FollowUp, follow_up_id)
    assert (follow_up.done_at, follow_up.note) == (None, None)


def test_follow_up_note_in_arabic_with_emoji_is_kept(client, db):
    follow_up_id, path, token = _first_follow_up_page(client, db)
    note = "Trives godt ⚽ تحب الفريق"
    assert client.post(path, data={"note": note, "csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(FollowUp, follow_up_id).note == note


def test_dashboard_lists_what_needs_doing(client, db, monkeypatch):
    org = factories.organisation()
    coordinator = signed_in_as(client, org, "coordinator", preferred_locale="en")
    guide = factories.user(org, "guide")
    today = NOON.date()
    active = factories.child_case(org, first_name="Aktiv", status="active", guide=guide)
    schedule_follow_ups(active, start=add_months(today, -1) - dt.timedelta(days=1))
    old_wait = factories.child_case(
        org, first_name="Lengst", status="accepted", referred_at=NOON - dt.timedelta(days=20)
    )
    factories.child_case(
        org, first_name="Nyere", status="accepted", referred_at=NOON - dt.timedelta(days=2)
    )
    quiet = factories.child_case(org, first_name="Stille", status="in_progress", guide=guide)
    quiet.visits.append(
        Visit(author=guide, kind="phone_call", occurred_on=today - dt.timedelta(weeks=4))
    )
    busy = factories.child_case(org, first_name="Travel", status="in_progress", guide=guide)
    busy.visits.append(
        Visit(author=guide, kind="home_visit", occurred_on=today - dt.timedelta(days=3))
    )
    db.session.commit()
    monkeypatch.setattr("guide.dates.utcnow", lambda: NOON)

    html = client.get("/dashboard").text
    overdue = html.split('id="overdue-follow-ups"', 1)[1].split("</ul>", 1)[0]
    assert active.reference in overdue
    waiting = html.split('id="waiting-for-guide"', 1)[1].split("</ul>", 1)[0]
    assert waiting.index("Lengst") < waiting.index("Nyere")
    assert "waiting 20 days" in waiting
    quiet_list = html.split('id="quiet-cases"', 1)[1].split("</ul>", 1)[0]
    assert "Stille" in quiet_list
    assert "Travel" not in quiet_list
    assert old_wait.reference in html
    assert "0 referrals wait for a decision." in html
    assert coordinator.full_name in html  # the page frame: signed in as the coordinator


def test_quiet_cases_count_from_the_assignment_when_no_visit_is_logged(db):
    org = factories.organisation()
    guide = factories.user(org, "guide")
    fresh = factories.child_case(org, status="guide_assigned", guide=guide)
    fresh.guide_assigned_at = NOON - dt.timedelta(days=5)
    stale = factories.child_case(org, status="guide_assigned", guide=guide)
    stale.guide_assigned_at = NOON - dt.timedelta(weeks=5)
    paused = factories.child_case(org, status="paused", guide=guide)
    paused.guide_assigned_at = NOON - dt.timedelta(weeks=5)
    db.session.commit()
    rows = cases_without_recent_visit(organisation_id=org.id, today=NOON.date(), weeks=3)
    assert [(row.case.id, row.last_visit_on) for row in rows] == [(stale.id, None)]


def test_waiting_days_count_from_the_referral(db):
    org = factories.organisation()
    case = factories.child_case(org, status="accepted", referred_at=NOON - dt.timedelta(days=9))
    factories.child_case(factories.organisation(), status="accepted")
    db.session.commit()
    rows = cases_waiting_for_guide(organisation_id=org.id, today=NOON.date())
    assert [(row.case.id, row.days_waiting) for row in rows] == [(case.id, 9)]


def test_intake_count_counts_only_received_referrals_of_the_organisation(db):
    from tests.web.test_guide_pages import add_referral

    org = factories.organisation()
    referrer = factories.user(org, "referrer")
    for status in ("received", "received", "accepted"):
        add_referral(db, factories.child_case(org), referrer).status = status
    db.session.commit()
    assert referrals_in_intake(organisation_id=org.id) == 2
    coordinator = factories.user(org, "coordinator")
    assert dashboard_for(viewer=coordinator, today=NOON.date()).referrals_in_intake == 2


def test_guide_cannot_open_the_dashboard(client, db):
    org = factories.organisation()
    signed_in_as(client, org, "guide")
    assert client.get("/dashboard").status_code == 403
