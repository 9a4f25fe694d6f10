"""The club's reports ("has started", "has not come for a while") as a handoff.

The club confirms on a step of its own with an optional note, sees what it sent, can take it
back the same day; the coordinators and the case's guide get a task, the case history shows
the report and the note (to them only), the dashboard counts absence reports.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from consent import Category
from guide.activities.models import Club, Enrollment, EnrollmentStatus
from guide.audit.models import AuditEvent
from guide.cases.models import Case, FollowUp, Visit, VisitKind
from guide.clubs_portal.models import ClubReport, ClubReportKind
from guide.consents.sharing import share_with_club
from guide.dates import local_date
from guide.tasks.models import Task, TaskKind
from tests import factories
from tests.sharing_helpers import CHILD_FIRST_NAME, give, scene
from tests.stored import database_bytes
from tests.web.helpers import csrf_token, sign_in

NOTE = "Har ikke vært på de tre siste treningene, virket lei seg sist"
SUBMISSION = re.compile(
    r'name="submission"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="submission"'
)


def _shared(app, db, *, enrolled: bool = True):
    s = scene(enrolled=enrolled)
    s.contact.full_name = "Kari Klubbkontakt"
    give(s)
    with app.test_request_context():
        share_with_club(
            child=s.child, club=s.club, categories=[Category.IDENTITY], by=s.coordinator
        )
    db.session.commit()
    return s


def _child_page(s) -> str:
    return f"/klubb/barn/{s.child.id}"


def _send(client, s, kind: str = "absent", note: str = ""):
    """Open the confirmation step and send it, as the browser does."""
    step = client.get(f"{_child_page(s)}/{kind}")
    assert step.status_code == 200, step.status_code
    match = SUBMISSION.search(step.text)
    data = {"csrf_token": csrf_token(step.text), "note": note}
    if match:
        data["submission"] = match.group(1) or match.group(2)
    return client.post(f"{_child_page(s)}/{kind}", data=data)


def _take_back(client, s, kind: str = "absent"):
    page = client.get(_child_page(s))
    return client.post(
        f"{_child_page(s)}/{kind}/take-back", data={"csrf_token": csrf_token(page.text)}
    )


def _reports(db) -> list[ClubReport]:
    db.session.expire_all()
    return list(db.session.scalars(select(ClubReport)))


def _tasks(db, kind: TaskKind) -> list[Task]:
    return list(db.session.scalars(select(Task).where(Task.kind == kind)))


def _as(app, user):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


def _guide_of(s):
    return s.case.assigned_guide.user


# --- sending ----------------------------------------------------------------------------


def test_the_club_confirms_an_absence_with_a_note_and_sees_that_it_was_sent(app, db, client):
    s = _shared(app, db)
    assert sign_in(client, s.contact.email).status_code == 302

    step = client.get(f"{_child_page(s)}/absent")
    assert 'name="note"' in step.text and "<textarea" in step.text
    assert _reports(db) == []  # opening the step sends nothing

    sent = _send(client, s, note=NOTE)

    assert sent.status_code == 302 and sent.headers["Location"].endswith(_child_page(s))
    [report] = _reports(db)
    assert report.kind == ClubReportKind.absent and report.note == NOTE
    assert report.case_id == s.case.id and report.club_id == s.club.id
    assert report.reported_by_id == s.contact.id and report.reported_on == local_date()
    page = client.get(_child_page(s)).text
    assert s.contact.full_name in page and NOTE in page
    assert f"{_child_page(s)}/absent/take-back" in page
    # The task is the handoff now: no silent follow-up beside it.
    assert db.session.scalars(select(FollowUp)).all() == []


def test_the_club_may_send_without_a_note(app, db, client):
    s = _shared(app, db)
    assert sign_in(client, s.contact.email).status_code == 302
    assert _send(client, s).status_code == 302
    [report] = _reports(db)
    assert report.note is None
    assert db.session.scalar(select(ClubReport.__table__.c.note)) is None


def test_a_too_long_or_hidden_character_note_is_refused_beside_the_field(app, db, client):
    s = _shared(app, db)
    assert sign_in(client, s.contact.email).status_code == 302
    for bad in ("x" * 501, "Hei\u202ekom ikke"):
        answer = _send(client, s, note=bad)
        assert answer.status_code == 400
        assert 'id="note-error"' in answer.text
        assert bad in answer.text  # nothing typed is lost
    assert _reports(db) == []
    assert _send(client, s, note="x" * 500).status_code == 302


def test_the_note_is_encrypted_at_rest(app, db, client):
    s = _shared(app, db)
    assert sign_in(client, s.contact.email).status_code == 302
    _send(client, s, note=NOTE)
    [report] = _reports(db)

    row = db.session.execute(
        select(ClubReport.__table__).where(ClubReport.__table__.c.id == report.id)
    ).one()
    secret = NOTE.encode()
    assert all(
        secret not in (value if isinstance(value, bytes) else str(value).encode()) for value in row
    )
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "club_reported_absence")
    )
    assert all(NOTE not in str(event.details) for event in audit)
    assert secret not in database_bytes(db)


# --- who sees the report ----------------------------------------------------------------


def test_the_coordinator_and_the_guide_see_the_report_and_note_in_the_history(app, db, client):
    s = _shared(app, db)
    assert sign_in(client, s.contact.email).status_code == 302
    _send(client, s, note=NOTE)

    for viewer in (s.coordinator, _guide_of(s)):
        page = _as(app, viewer).get(f"/cases/{s.case.id}")
        assert page.status_code == 200
        history = page.text.split('class="app-club-report-history"', 1)
        assert len(history) == 2, viewer.role
        line = history[1].split("</li>", 1)[0]
        assert s.club.name in line and s.contact.full_name in line and NOTE in line


def test_an_unassigned_guide_and_another_club_never_see_the_note(app, db, client):
    s = _shared(app, db)
    other_club = Club(organisation_id=s.org.id, name="Nordby Sjakklubb", is_active=True)
    db.session.add(other_club)
    db.session.flush()
    other_contact = factories.user(s.org, "club_contact", club_id=other_club.id)
    give(s, club=other_club)
    with app.test_request_context():
        share_with_club(
            child=s.child, club=other_club, categories=[Category.IDENTITY], by=s.coordinator
        )
    stranger = factories.user(s.org, "guide")
    db.session.commit()
    assert sign_in(client, s.contact.email).status_code == 302
    _send(client, s, note=NOTE)

    other_club_page = _as(app, other_contact).get(_child_page(s))
    assert other_club_page.status_code == 200 and CHILD_FIRST_NAME in other_club_page.text
    assert NOTE not in other_club_page.text and s.contact.full_name not in other_club_page.text
    assert f"{_child_page(s)}/absent/take-back" not in other_club_page.text
    assert _as(app, stranger).get(f"/cases/{s.case.id}").status_code == 404


# --- taking back ------------------------------------------------------------------------


def test_the_club_takes_the_report_back_the_same_day_with_its_tasks(app, db, client):
    s = _shared(app, db)
    assert sign_in(client, s.contact.email).status_code == 302
    _send(client, s, note=NOTE)
    assert _tasks(db, TaskKind.CLUB_ABSENCE_REPORTED)

    answer = _take_back(client, s)

    assert answer.status_code == 302
    assert _reports(db) == []
    assert _tasks(db, TaskKind.CLUB_ABSENCE_REPORTED) == []
    assert NOTE not in _as(app, s.coordinator).get(f"/cases/{s.case.id}").text
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "club_report_taken_back")
    )
    # Taken back, it can be sent again.
    assert _send(client, s).status_code == 302
    assert len(_reports(db)) == 1


def test_after_the_day_it_was_sent_the_report_cannot_be_taken_back(app, db, client):
    s = _shared(app, db)
    assert sign_in(client, s.contact.email).status_code == 302
    _send(client, s, note=NOTE)
    [report] = _reports(db)
    yesterday = local_date() - dt.timedelta(days=1)
    report.reported_on = yesterday
    report.reported_at = report.reported_at - dt.timedelta(days=1)
    db.session.commit()

    page = client.get(_child_page(s)).text
    assert "/absent/take-back" not in page
    assert f'href="{_child_page(s)}/absent"' in page  # a new report is possible
    answer = _take_back(client, s)

    assert answer.status_code == 302
    [kept] = _reports(db)
    assert kept.id == report.id and kept.reported_on == yesterday
    assert len(_tasks(db, TaskKind.CLUB_ABSENCE_REPORTED)) == 2


# --- once a day -------------------------------------------------------------------------


def test_a_second_press_the_same_day_shows_the_first_report(app, db, client):
    s = _shared(app, db)
    assert sign_in(client, s.contact.email).status_code == 302
    first = client.get(f"{_child_page(s)}/absent")  # two tabs, both opened before sending
    assert _send(client, s, note=NOTE).status_code == 302
    second = client.post(
        f"{_child_page(s)}/absent",
        data={
            "csrf_token": csrf_token(first.text),
            "submission": SUBMISSION.search(first.text).group(1)
            or SUBMISSION.search(first.text).group(2),
            "note": "Noe annet",
        },
    )

    assert second.status_code == 302 and second.headers["Location"].endswith(_child_page(s))
    [report] = _reports(db)
    assert report.note == NOTE
    assert len(_tasks(db, TaskKind.CLUB_ABSENCE_REPORTED)) == 2  # coordinator and guide, once
    # The step itself now leads to what was sent.
    assert client.get(f"{_child_page(s)}/absent").status_code == 302


def test_the_service_returns_the_days_report_instead_of_a_second(app, db):
    from guide.clubs_portal.services import load_shared_child, report_case, send_report

    s = _shared(app, db)
    with app.test_request_context():
        child = load_shared_child(contact=s.contact, child_id=s.child.id)
        case = report_case(child)
        first, made_first = send_report(
            contact=s.contact, child=child, case=case, kind=ClubReportKind.absent, note=None
        )
        again, made_again = send_report(
            contact=s.contact, child=child, case=case, kind=ClubReportKind.absent, note=NOTE
        )
    assert (made_first, made_again) == (True, False)
    assert again.id == first.id and again.note is None
    assert db.session.scalar(select(func.count()).select_from(ClubReport)) == 1


# --- tasks ------------------------------------------------------------------------------


def test_an_absence_gives_the_coordinators_and_the_guide_a_task(app, db, client):
    s = _shared(app, db)
    second_coordinator = factories.user(s.org, "coordinator")
    bystander_guide = factories.user(s.org, "guide")
    elsewhere = factories.user(factories.organisation(), "coordinator")
    db.session.commit()
    assert sign_in(client, s.contact.email).status_code == 302
    _send(client, s, note=NOTE)

    tasks = _tasks(db, TaskKind.CLUB_ABSENCE_REPORTED)
    told = {task.user_id for task in tasks}
    assert told == {s.coordinator.id, second_coordinator.id, _guide_of(s).id}
    assert not told & {bystander_guide.id, elsewhere.id, s.contact.id}
    assert {task.link for task in tasks} == {f"/cases/{s.case.id}"}
    assert all(task.case_id == s.case.id for task in tasks)


def test_a_contact_logged_after_the_absence_report_marks_its_tasks_done(app, db, client):
    from guide.cases.models import VisitKind
    from guide.cases.visits import log_visit

    s = _shared(app, db)
    assert sign_in(client, s.contact.email).status_code == 302
    _send(client, s)
    assert all(task.done_at is None for task in _tasks(db, TaskKind.CLUB_ABSENCE_REPORTED))

    guide = _guide_of(s)
    with app.test_request_context():
        log_visit(s.case, by=guide, kind=VisitKind.phone_call, occurred_on=local_date())
    db.session.commit()

    tasks = _tasks(db, TaskKind.CLUB_ABSENCE_REPORTED)
    assert len(tasks) == 2
    assert all(task.done_at is not None and task.done_by_id == guide.id for task in tasks)


def test_a_start_enrolls_the_child_and_gives_a_task_and_cannot_be_taken_back(app, db, client):
    s = _shared(app, db)
    assert sign_in(client, s.contact.email).status_code == 302
    _send(client, s, kind="started", note="Kom på første trening i dag")

    [report] = _reports(db)
    assert report.kind == ClubReportKind.started and report.is_start_recorded
    assert db.session.scalars(select(Enrollment)).one().status == EnrollmentStatus.enrolled
    told = {task.user_id for task in _tasks(db, TaskKind.CLUB_START_CONFIRMED)}
    assert told == {s.coordinator.id, _guide_of(s).id}
    page = client.get(_child_page(s)).text
    assert "/started/take-back" not in page
    _take_back(client, s, "started")
    assert len(_reports(db)) == 1


def test_a_start_the_case_does_not_know_can_be_taken_back(app, db, client):
    s = _shared(app, db, enrolled=False)
    assert sign_in(client, s.contact.email).status_code == 302
    _send(client, s, kind="started")
    [report] = _reports(db)
    assert not report.is_start_recorded
    assert len(_tasks(db, TaskKind.CLUB_START_CONFIRMED)) == 2
    assert db.session.scalars(select(FollowUp)).all() == []

    _take_back(client, s, "started")

    assert _reports(db) == [] and _tasks(db, TaskKind.CLUB_START_CONFIRMED) == []


# --- dashboard --------------------------------------------------------------------------


def _absence_list(coordinator_client) -> str:
    page = coordinator_client.get("/dashboard")
    assert page.status_code == 200
    return page.text.split('aria-labelledby="absence-heading"', 1)[1].split("</section>", 1)[0]


def test_the_dashboard_counts_absence_reports_until_someone_gets_in_touch(app, db):
    s = _shared(app, db)
    coordinator = _as(app, s.coordinator)
    elsewhere = _shared(app, db)  # another organisation's report is not counted
    _send(_as(app, elsewhere.contact), elsewhere)
    assert "absence-reported" not in _absence_list(coordinator)

    def call_the_family() -> None:
        db.session.add(
            Visit(
                case_id=s.case.id,
                author_id=_guide_of(s).id,
                kind=VisitKind.phone_call,
                occurred_on=local_date(),
            )
        )
        db.session.get(Case, s.case.id).last_visit_on = local_date()
        db.session.commit()

    call_the_family()  # that morning, before the club's report: it does not answer it
    _send(_as(app, s.contact), s, note=NOTE)
    listed = _absence_list(coordinator)
    assert ": 1</h2>" in listed
    assert f'href="/cases/{s.case.id}"' in listed and s.case.reference in listed
    assert NOTE not in listed

    call_the_family()
    listed = _absence_list(coordinator)
    assert ": 0</h2>" in listed and s.case.reference not in listed


def test_two_presses_at_once_from_two_tabs_make_one_report(app, db):
    """Two different submissions at the same moment: the lock and the day's check hold."""
    from tests.web.test_double_submit import (
        form_named,
        made,
        once_more,
        open_form,
        opened,
        send_at_once,
    )

    form = form_named("the club reports an absence")
    o = opened(app, db, form)
    two_tabs = [o.fields, open_form(o.client, o.sent)]

    answers = send_at_once(app, o.client, o.sent, two_tabs)

    assert [getattr(answer, "status_code", answer) for answer in answers] == [302, 302]
    assert made(db, form) == once_more(o.before, form)


def test_the_childs_page_with_both_reports_has_unique_ids(app, db, client):
    s = _shared(app, db, enrolled=False)
    assert sign_in(client, s.contact.email).status_code == 302
    _send(client, s, kind="started")
    _send(client, s, kind="absent", note=NOTE)

    page = client.get(_child_page(s)).text

    assert page.count("/take-back") == 2
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(ids)
