"""Assigning a guide: ranked suggestions, refusals, conflicts, e-mail and lost access."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm.exc import StaleDataError

from guide.audit.models import AuditEvent
from guide.cases.assignment import (
    AssignmentRefused,
    assign_guide,
    guide_options,
    reassign_guide,
)
from guide.cases.models import Case, CaseStatus, CaseStatusChange
from guide.outbox.models import OutboxMessage
from guide.tasks import Task, TaskKind
from tests import factories
from tests.web.helpers import csrf_token, sign_in

CHILD = ("Zainab", "Hemmeligsen")
GUARDIAN = "Fatima Hemmeligsen"


@pytest.fixture
def coordinator(client, db):
    """A coordinator of a fresh organisation, signed in, reading English."""
    account = factories.user(factories.organisation(), "coordinator", preferred_locale="en")
    db.session.commit()
    assert sign_in(client, account.email).status_code == 302
    return account


def _guide(org, name: str, **profile_fields):
    account = factories.user(org, "guide", preferred_locale="en")
    account.full_name = name
    if "areas" in profile_fields:
        profile_fields["areas"] = [factories.area(org, area) for area in profile_fields["areas"]]
    for field, value in profile_fields.items():
        setattr(account.guide_profile, field, value)
    return account


def _waiting_case(org, *, area="Nord", guardian_language="ar", tags=("football",)):
    case = factories.child_case(
        org, first_name=CHILD[0], last_name=CHILD[1], guardian_name=GUARDIAN, status="accepted"
    )
    factories.place_child(case, area)
    case.child.languages = ["nb", guardian_language]
    case.child.guardians[0].preferred_language = guardian_language
    case.interest_tags = list(tags)
    return case


def _assignment_page(client, case):
    page = client.get(f"/cases/{case.id}/assignment")
    assert page.status_code == 200
    return page.text


def _post_assignment(client, case, guide, *, version=None, note=""):
    token = csrf_token(_assignment_page(client, case))
    data = {"csrf_token": token, "guide": str(guide.guide_profile.id), "note": note}
    data["version"] = str(case.version if version is None else version)
    return client.post(f"/cases/{case.id}/assignment", data=data)


def _suggested_names(html: str) -> list[str]:
    return re.findall(r'<label class="ds-label"[^>]*for="guide-\d+"[^>]*>([^<]+)</label>', html)


def _reload(db, case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def test_guide_speaking_the_guardians_language_in_the_same_area_ranks_first(
    client, db, coordinator
):
    org = coordinator.organisation
    _guide(org, "Area Only", languages=["nb"], areas=["Nord"], interests=[], capacity=3)
    _guide(org, "Best Match", languages=["nb", "ar"], areas=["Nord"], capacity=3)
    _guide(org, "Language Only", languages=["nb", "ar"], areas=["Sør"], capacity=3)
    _guide(org, "Nothing Shared", languages=["nb"], areas=["Sør"], interests=[], capacity=3)
    case = _waiting_case(org)
    db.session.commit()
    html = _assignment_page(client, case)
    assert _suggested_names(html) == ["Best Match", "Language Only", "Area Only", "Nothing Shared"]
    assert "speaks Arabic · same area · 3 of 3 places free · also likes football" in html


def test_a_guide_in_a_neighbouring_area_ranks_after_the_same_area_and_before_others(
    client, db, coordinator
):
    org = coordinator.organisation
    nord = factories.area(org, "Nord")
    factories.area(org, "Nordby", neighbours=[nord])
    _guide(org, "Far Away", languages=["nb"], areas=["Sør"], interests=[], capacity=3)
    _guide(org, "Next Door", languages=["nb"], areas=["Nord"], interests=[], capacity=3)
    _guide(org, "Same Area", languages=["nb"], areas=["Nordby"], interests=[], capacity=3)
    case = _waiting_case(org, area="Nordby")
    db.session.commit()
    html = _assignment_page(client, case)
    assert _suggested_names(html) == ["Same Area", "Next Door", "Far Away"]
    assert "neighbouring area · 3 of 3 places free" in html


def test_full_and_uncleared_guides_are_not_suggested_and_the_page_says_why(client, db, coordinator):
    org = coordinator.organisation
    full = _guide(org, "Full Guide", capacity=1)
    factories.child_case(org, guide=full, status="active")
    _guide(org, "Unchecked Guide", police_certificate_checked_on=None)
    _guide(org, "Paused Guide", is_paused=True)
    _guide(org, "Free Guide")
    case = _waiting_case(org)
    db.session.commit()
    html = _assignment_page(client, case)
    assert _suggested_names(html) == ["Free Guide"]
    unavailable = html.split("Guides who cannot take the case now")[1]
    assert "Full Guide</strong>: All 1 place is taken." in unavailable
    assert "Unchecked Guide</strong>: The police certificate has not been checked." in unavailable
    assert "Paused Guide</strong>: The guide has paused" in unavailable


def test_uncleared_guide_cannot_be_assigned_even_by_a_forged_post(client, db, coordinator):
    org = coordinator.organisation
    unchecked = _guide(org, "Unchecked Guide", confidentiality_signed_on=None)
    _guide(org, "Free Guide")
    case = _waiting_case(org)
    db.session.commit()
    response = _post_assignment(client, case, unchecked)
    assert response.status_code == 400
    assert "The confidentiality declaration has not been signed." in response.text
    stored = _reload(db, case)
    assert (stored.status, stored.assigned_guide_id) == (CaseStatus.accepted, None)
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_a_certificate_that_ran_out_at_midnight_in_oslo_blocks_assignment_before_utc_midnight(
    client, db, coordinator, monkeypatch
):
    org = coordinator.organisation
    # Valid 36 months: runs out on 10 March 2026, which begins at 23:00 UTC on 9 March.
    midnight = _guide(org, "Midnight Guide", police_certificate_checked_on=dt.date(2023, 3, 10))
    case = _waiting_case(org)
    db.session.commit()
    oslo_after_midnight = dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC)
    monkeypatch.setattr("guide.dates.utcnow", lambda: oslo_after_midnight)

    assert "Midnight Guide" not in _suggested_names(_assignment_page(client, case))
    response = _post_assignment(client, case, midnight)
    assert response.status_code == 400
    assert "The police certificate is too old" in response.text
    assert _reload(db, case).assigned_guide_id is None


def test_guide_of_another_organisation_cannot_be_assigned(client, db, coordinator):
    stranger = _guide(factories.organisation(), "Stranger Guide")
    case = _waiting_case(coordinator.organisation)
    db.session.commit()
    response = _post_assignment(client, case, stranger)
    assert response.status_code == 400
    assert "Choose a guide from the list." in response.text
    assert _reload(db, case).assigned_guide_id is None


def test_assigning_moves_the_case_and_mails_the_guide_without_names(client, db, coordinator):
    guide = _guide(coordinator.organisation, "Chosen Guide")
    case = _waiting_case(coordinator.organisation)
    db.session.commit()
    response = _post_assignment(client, case, guide)
    assert response.status_code == 302
    stored = _reload(db, case)
    assert stored.status == CaseStatus.guide_assigned
    assert stored.assigned_guide_id == guide.guide_profile.id
    assert stored.guide_assigned_at is not None
    assert stored.status_changes[-1].changed_by_id == coordinator.id
    (mail,) = db.session.scalars(select(OutboxMessage)).all()
    assert mail.recipient == guide.email
    assert mail.subject == "You have a new task in Fritidsguide"
    assert "/todo" in mail.body_text
    (task,) = db.session.scalars(select(Task)).all()
    assert (task.user_id, task.kind, task.link) == (
        guide.id,
        TaskKind.GUIDE_ASSIGNED,
        f"/cases/{case.id}",
    )
    for secret in (*CHILD, GUARDIAN, *GUARDIAN.split()):
        assert secret not in mail.subject
        assert secret not in mail.body_text
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case_guide_assigned"))


def test_assignment_mail_is_in_the_guides_language(client, db, coordinator):
    guide = _guide(coordinator.organisation, "Nynorsk Guide")
    guide.preferred_locale = "nn"
    case = _waiting_case(coordinator.organisation)
    db.session.commit()
    assert _post_assignment(client, case, guide).status_code == 302
    mail = db.session.scalar(select(OutboxMessage))
    assert mail.locale == "nn"
    assert mail.subject == "Du har ei ny oppgåve i Fritidsguide"


def test_stale_version_shows_a_conflict_and_keeps_the_first_assignment(client, db, coordinator):
    first = _guide(coordinator.organisation, "First Guide")
    second = _guide(coordinator.organisation, "Second Guide")
    case = _waiting_case(coordinator.organisation)
    db.session.commit()
    seen_version = case.version
    token = csrf_token(_assignment_page(client, case))
    # Another coordinator assigns first, while this one still has the page open.
    assign_with_request(db, case, first, by=coordinator)
    response = client.post(
        f"/cases/{case.id}/assignment",
        data={"csrf_token": token, "guide": str(second.guide_profile.id), "version": seen_version},
    )
    assert response.status_code == 302
    assert "Someone else changed this just now" in client.get(response.headers["Location"]).text
    stored = _reload(db, case)
    assert stored.assigned_guide_id == first.guide_profile.id
    assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == [first.email]


def test_a_write_conflict_at_flush_time_is_reported_too(client, db, coordinator, monkeypatch):
    guide = _guide(coordinator.organisation, "Some Guide")
    case = _waiting_case(coordinator.organisation)
    db.session.commit()

    def lose_the_race(*_args, **_kwargs):
        raise StaleDataError("UPDATE statement on table 'cases' expected to update 1 row")

    monkeypatch.setattr("guide.cases.assignment_views.assign_guide", lose_the_race)
    response = _post_assignment(client, case, guide)
    assert response.status_code == 302
    assert "Someone else changed this just now" in client.get(response.headers["Location"]).text
    assert _reload(db, case).assigned_guide_id is None


def test_missing_version_is_refused(client, db, coordinator):
    guide = _guide(coordinator.organisation, "Some Guide")
    case = _waiting_case(coordinator.organisation)
    db.session.commit()
    token = csrf_token(_assignment_page(client, case))
    response = client.post(
        f"/cases/{case.id}/assignment",
        data={"csrf_token": token, "guide": str(guide.guide_profile.id)},
    )
    assert response.status_code == 400
    assert "The page is out of date" in response.text
    assert _reload(db, case).assigned_guide_id is None


def test_guide_loses_access_at_once_after_unassignment(app, client, db, coordinator):
    guide = _guide(coordinator.organisation, "Leaving Guide")
    case = _waiting_case(coordinator.organisation)
    db.session.commit()
    assert _post_assignment(client, case, guide).status_code == 302
    guide_client = app.test_client()
    sign_in(guide_client, guide.email)
    assert guide_client.get(f"/cases/{case.id}").status_code == 200

    case = _reload(db, case)
    token = csrf_token(_assignment_page(client, case))
    response = client.post(
        f"/cases/{case.id}/assignment/remove",
        data={"csrf_token": token, "unassign-version": case.version, "unassign-note": "Moved"},
    )
    assert response.status_code == 302
    assert guide_client.get(f"/cases/{case.id}").status_code == 404
    stored = _reload(db, case)
    assert (stored.status, stored.assigned_guide_id) == (CaseStatus.accepted, None)
    assert stored.status_changes[-1].note == "Moved"


def test_guide_loses_access_after_reassignment_and_the_new_one_gains_it(
    app, client, db, coordinator
):
    former = _guide(coordinator.organisation, "Former Guide")
    successor = _guide(coordinator.organisation, "Successor Guide")
    case = factories.child_case(coordinator.organisation, guide=former, status="in_progress")
    db.session.commit()
    former_client, successor_client = app.test_client(), app.test_client()
    sign_in(former_client, former.email)
    sign_in(successor_client, successor.email)
    assert former_client.get(f"/cases/{case.id}").status_code == 200
    assert successor_client.get(f"/cases/{case.id}").status_code == 404

    response = _post_assignment(client, case, successor, note="Closer to the family")
    assert response.status_code == 302
    assert former_client.get(f"/cases/{case.id}").status_code == 404
    assert successor_client.get(f"/cases/{case.id}").status_code == 200
    stored = _reload(db, case)
    assert stored.status == CaseStatus.in_progress
    note = db.session.scalar(select(CaseStatusChange).where(CaseStatusChange.case_id == case.id))
    assert (note.from_status, note.to_status, note.note) == (
        CaseStatus.in_progress,
        CaseStatus.in_progress,
        "Closer to the family",
    )
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "case_guide_reassigned")
    )
    assert event.details == {
        "from_guide_id": str(former.guide_profile.id),
        "to_guide_id": str(successor.guide_profile.id),
    }
    # Both are told: the successor of the new case, the former guide that it was taken off.
    recipients = {m.recipient for m in db.session.scalars(select(OutboxMessage))}
    assert recipients == {successor.email, former.email}
    tasks = {(t.user_id, t.kind) for t in db.session.scalars(select(Task))}
    assert tasks == {
        (successor.id, TaskKind.GUIDE_ASSIGNED),
        (former.id, TaskKind.GUIDE_UNASSIGNED),
    }


def test_a_case_in_an_activity_cannot_go_back_to_waiting(client, db, coordinator):
    guide = _guide(coordinator.organisation, "Busy Guide")
    case = factories.child_case(coordinator.organisation, guide=guide, status="active")
    db.session.commit()
    html = _assignment_page(client, case)
    assert "Remove the guide" not in html
    token = csrf_token(html)
    response = client.post(
        f"/cases/{case.id}/assignment/remove",
        data={"csrf_token": token, "unassign-version": case.version},
    )
    assert response.status_code == 400
    assert "cannot go back to waiting" in response.text
    assert _reload(db, case).assigned_guide_id == guide.guide_profile.id


def test_a_bad_removal_says_why_where_no_removal_is_offered(client, db, coordinator):
    guide = _guide(coordinator.organisation, "Busy Guide")
    case = factories.child_case(coordinator.organisation, guide=guide, status="active")
    db.session.commit()
    token = csrf_token(_assignment_page(client, case))
    response = client.post(
        f"/cases/{case.id}/assignment/remove",
        data={"csrf_token": token, "unassign-version": "not a number"},
    )
    assert response.status_code == 400
    assert "Not a valid integer value." in response.text
    assert _reload(db, case).assigned_guide_id == guide.guide_profile.id


def test_a_case_not_yet_accepted_cannot_get_a_guide(client, db, coordinator):
    guide = _guide(coordinator.organisation, "Eager Guide")
    case = factories.child_case(coordinator.organisation, status="referred")
    db.session.commit()
    response = _post_assignment(client, case, guide)
    assert response.status_code == 400
    assert "Only an accepted case" in response.text
    assert _reload(db, case).status == CaseStatus.referred


@pytest.mark.parametrize("role", ["guide", "referrer", "admin"])
def test_only_coordinators_open_the_assignment_page(client, db, role):
    org = factories.organisation()
    account = factories.user(org, role)
    case = _waiting_case(org)
    db.session.commit()
    sign_in(client, account.email)
    assert client.get(f"/cases/{case.id}/assignment").status_code == 404


def test_case_of_another_organisation_cannot_be_assigned(client, db, coordinator):
    case = _waiting_case(factories.organisation())
    db.session.commit()
    assert client.get(f"/cases/{case.id}/assignment").status_code == 404


def test_paused_guide_is_refused_by_the_service(app, db):
    org = factories.organisation()
    coordinator = factories.user(org, "coordinator")
    paused = _guide(org, "Paused Guide", is_paused=True)
    case = _waiting_case(org)
    db.session.commit()
    with app.test_request_context(), pytest.raises(AssignmentRefused):
        assign_guide(case, paused.guide_profile, by=coordinator, expected_version=case.version)
    assert case.assigned_guide_id is None


def test_reassigning_to_the_same_guide_is_refused(app, db):
    org = factories.organisation()
    coordinator = factories.user(org, "coordinator")
    guide = _guide(org, "Same Guide")
    case = factories.child_case(org, guide=guide, status="guide_assigned")
    db.session.commit()
    with app.test_request_context(), pytest.raises(AssignmentRefused):
        reassign_guide(case, guide.guide_profile, by=coordinator, expected_version=case.version)


def test_suggestions_take_the_same_number_of_queries_for_few_and_many_guides(app, db):
    def queries_for(guide_count: int) -> int:
        org = factories.organisation()
        for number in range(guide_count):
            guide = _guide(org, f"Guide {number:02d}", languages=["nb", "ar"])
            factories.child_case(org, guide=guide, status="in_progress")
        case = _waiting_case(org)
        db.session.commit()
        case = db.session.get(Case, case.id)
        _ = case.child.guardians  # the case page loads these with the case
        statements: list[str] = []

        def count(*args, **_kwargs):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            with app.test_request_context():
                options = guide_options(case)
                _ = [s.guide.user.full_name for s in options.suggestions]
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert len(options.suggestions) == guide_count
        return len(statements)

    # The guides, their areas, their open cases, and the neighbours of the child's area.
    assert queries_for(12) == queries_for(2) <= 4


def assign_with_request(db, case, guide, *, by):
    """What another coordinator's request does: assign through the service and commit."""
    from flask import current_app

    with current_app.test_request_context():
        assign_guide(case, guide.guide_profile, by=by, expected_version=case.version)
        db.session.commit()


def _assigned_case(client, db, coordinator):
    """A case already given to one guide, and a second guide who could take over."""
    first = _guide(coordinator.organisation, "First Guide")
    second = _guide(coordinator.organisation, "Second Guide")
    case = _waiting_case(coordinator.organisation)
    db.session.commit()
    assert _post_assignment(client, case, first).status_code == 302
    return _reload(db, case), first, second


def _error_beside(html: str, field_id: str) -> str:
    beside = html.split(f'id="{field_id}-error"', 1)
    assert len(beside) == 2, f"no message beside {field_id}"
    return beside[1].split("</div>", 1)[0]


INVALID_NOTES = [
    ("n" * 10_000, "Shorten the text to 1000 characters or fewer."),
    ("Flyttet \u202etxt.exe", "invisible control characters"),
    ("Flyttet\u0007", "invisible control characters"),
]


@pytest.mark.parametrize(("note", "message"), INVALID_NOTES, ids=["long", "override", "bell"])
def test_invalid_reassignment_note_is_explained_and_the_guide_stays(
    client, db, coordinator, note, message
):
    case, first, second = _assigned_case(client, db, coordinator)
    history = len(case.status_changes)
    response = _post_assignment(client, case, second, note=note)
    assert response.status_code == 400
    assert message in _error_beside(response.text, "note")
    stored = _reload(db, case)
    assert stored.assigned_guide_id == first.guide_profile.id
    assert len(stored.status_changes) == history


@pytest.mark.parametrize(("note", "message"), INVALID_NOTES, ids=["long", "override", "bell"])
def test_invalid_unassignment_note_is_explained_and_the_guide_stays(
    client, db, coordinator, note, message
):
    case, first, _second = _assigned_case(client, db, coordinator)
    token = csrf_token(_assignment_page(client, case))
    response = client.post(
        f"/cases/{case.id}/assignment/remove",
        data={"csrf_token": token, "unassign-version": case.version, "unassign-note": note},
    )
    assert response.status_code == 400
    assert message in _error_beside(response.text, "unassign-note")
    stored = _reload(db, case)
    assert (stored.status, stored.assigned_guide_id) == (
        CaseStatus.guide_assigned,
        first.guide_profile.id,
    )


def test_reassignment_note_in_arabic_with_emoji_is_kept(client, db, coordinator):
    case, _first, second = _assigned_case(client, db, coordinator)
    note = "Ny guide snakker arabisk 🙂 يتحدث العربية"
    assert _post_assignment(client, case, second, note=note).status_code == 302
    stored = _reload(db, case)
    assert stored.assigned_guide_id == second.guide_profile.id
    assert stored.status_changes[-1].note == note
