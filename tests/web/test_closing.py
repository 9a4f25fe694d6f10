"""Closing a case with a reason, reopening it, and the history with who and when."""

from __future__ import annotations

from guide.cases.models import Case, CaseStatus
from tests import factories
from tests.web.helpers import csrf_token, signed_in_as


def reload(db, case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def post_close(client, case, **overrides):
    page = client.get(f"/cases/{case.id}/close")
    assert page.status_code == 200
    version = page.text.split('name="version" type="hidden" value="', 1)[1].split('"', 1)[0]
    data = {
        "reason": "established",
        "note": "Går videre på egen hånd.",
        "version": version,
        "csrf_token": csrf_token(page.text),
        **overrides,
    }
    return client.post(f"/cases/{case.id}/close", data=data)


def post_reopen(client, case):
    page = client.get(f"/cases/{case.id}")
    version = page.text.split('name="version" type="hidden" value="', 1)[1].split('"', 1)[0]
    return client.post(
        f"/cases/{case.id}/reopen", data={"version": version, "csrf_token": csrf_token(page.text)}
    )


def coordinator_and_case(client, db, *, status="in_progress", with_guide=True):
    org = factories.organisation()
    coordinator = signed_in_as(client, org, "coordinator", preferred_locale="en")
    guide = factories.user(org, "guide") if with_guide else None
    case = factories.child_case(org, guide=guide, status=status)
    db.session.commit()
    return coordinator, case


def test_coordinator_closes_a_case_with_a_reason_and_note(client, db):
    coordinator, case = coordinator_and_case(client, db)
    response = post_close(client, case)
    assert response.status_code == 302
    case = reload(db, case)
    assert case.status == CaseStatus.closed
    assert case.close_reason == "established"
    assert case.close_note == "Går videre på egen hånd."
    assert case.closed_at is not None
    change = case.status_changes[-1]
    assert change.changed_by_id == coordinator.id
    assert change.note == "Går videre på egen hånd."


def test_closing_without_a_reason_is_refused(client, db):
    _, case = coordinator_and_case(client, db)
    response = post_close(client, case, reason="")
    assert response.status_code == 400
    assert 'id="reason-error"' in response.text
    assert "Choose why the case is closed." in response.text
    assert reload(db, case).status == CaseStatus.in_progress


def test_closing_with_an_unknown_reason_or_a_long_note_is_refused(client, db):
    _, case = coordinator_and_case(client, db)
    assert post_close(client, case, reason="bored").status_code == 400
    response = post_close(client, case, note="n" * 10_000)
    assert 'id="note-error"' in response.text
    assert "Shorten the text to 500 characters or fewer." in response.text
    case = reload(db, case)
    assert case.status == CaseStatus.in_progress
    assert case.status_changes == []


def test_closing_note_with_a_direction_override_is_refused(client, db):
    _, case = coordinator_and_case(client, db)
    response = post_close(client, case, note="Flyttet \u202etxt.exe")
    assert response.status_code == 400
    beside = response.text.split('id="note-error"', 1)
    assert len(beside) == 2, "no message beside the note"
    assert "invisible control characters" in beside[1].split("</div>", 1)[0]
    case = reload(db, case)
    assert (case.status, case.close_reason, case.status_changes) == (
        CaseStatus.in_progress,
        None,
        [],
    )


def test_closing_note_in_arabic_with_emoji_is_kept(client, db):
    _, case = coordinator_and_case(client, db)
    note = "Trives i klubben 🎉 تستمر بدون مساعدة"
    assert post_close(client, case, note=note).status_code == 302
    case = reload(db, case)
    assert case.status == CaseStatus.closed
    assert case.status_changes[-1].note == note


def test_history_shows_who_closed_and_when(client, db):
    coordinator, case = coordinator_and_case(client, db)
    post_close(client, case, reason="moved")
    html = client.get(f"/cases/{case.id}").text
    history = html.split("History", 1)[1]
    assert "Closed" in history
    assert coordinator.full_name in history
    assert "Moved away" in html


def test_reopening_with_a_guide_goes_back_to_in_progress(client, db):
    _, case = coordinator_and_case(client, db)
    post_close(client, case)
    response = post_reopen(client, case)
    assert response.status_code == 302
    case = reload(db, case)
    assert case.status == CaseStatus.in_progress
    assert case.closed_at is None
    assert [change.to_status for change in case.status_changes] == ["closed", "in_progress"]


def test_reopening_without_a_guide_goes_back_to_the_queue(client, db):
    _, case = coordinator_and_case(client, db, status="accepted", with_guide=False)
    post_close(client, case, reason="no_contact")
    post_reopen(client, case)
    assert reload(db, case).status == CaseStatus.accepted


def test_an_open_case_cannot_be_reopened(client, db):
    _, case = coordinator_and_case(client, db)
    page = client.get(f"/cases/{case.id}")
    response = client.post(
        f"/cases/{case.id}/reopen",
        data={"version": str(case.version), "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 302
    assert reload(db, case).status_changes == []


def test_a_stale_close_form_reports_a_conflict(client, db):
    _, case = coordinator_and_case(client, db)
    page = client.get(f"/cases/{case.id}/close")
    # Someone else changes the case after the form was opened.
    reload(db, case).help_level = "full_follow_up"
    db.session.commit()
    response = client.post(
        f"/cases/{case.id}/close",
        data={
            "reason": "other",
            "version": page.text.split('name="version" type="hidden" value="', 1)[1].split('"')[0],
            "csrf_token": csrf_token(page.text),
        },
    )
    assert response.status_code == 302
    assert "Someone else changed this just now" in client.get(f"/cases/{case.id}").text
    assert reload(db, case).status == CaseStatus.in_progress


def test_guide_cannot_close_or_reopen(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide")
    case = factories.child_case(org, guide=guide, status="in_progress")
    db.session.commit()
    assert client.get(f"/cases/{case.id}/close").status_code == 404
    page = client.get(f"/cases/{case.id}")
    assert f"/cases/{case.id}/close" not in page.text
    token = csrf_token(page.text)
    for action in ("close", "reopen"):
        response = client.post(
            f"/cases/{case.id}/{action}",
            data={"reason": "other", "version": str(case.version), "csrf_token": token},
        )
        assert response.status_code == 404
    assert reload(db, case).status == CaseStatus.in_progress


def test_coordinator_of_another_organisation_cannot_close(client, db):
    coordinator_and_case(client, db)
    foreign = factories.child_case(factories.organisation(), status="in_progress")
    db.session.commit()
    assert client.get(f"/cases/{foreign.id}/close").status_code == 404
