"""The visit log: who may log, what the first contact does, and refused input storing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from guide.cases.models import Case, CaseStatus, CaseStatusChange, Visit
from guide.cases.workflow import change_status
from guide.dates import local_date
from tests import factories
from tests.web.helpers import csrf_token, signed_in_as


def visit_path(case) -> str:
    return f"/cases/{case.id}/visits/new"


def visit_form(**overrides) -> dict[str, str]:
    """A good home visit today, with the child's own words."""
    return {
        "kind": "home_visit",
        "occurred_on": local_date().isoformat(),
        "duration_minutes": "45",
        "notes": "Vi snakket om fotball.",
        "child_words": "Jeg vil prøve!",
        **overrides,
    }


def post_visit(client, case, **overrides):
    page = client.get(visit_path(case))
    assert page.status_code == 200
    data = visit_form(csrf_token=csrf_token(page.text), **overrides)
    return client.post(visit_path(case), data=data)


def visit_count(db, case) -> int:
    return db.session.scalar(select(func.count(Visit.id)).where(Visit.case_id == case.id))


def reload(db, case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


@pytest.fixture
def guide_case(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, guide=guide, status="guide_assigned")
    db.session.commit()
    return guide, case


def test_first_visit_moves_the_case_to_in_progress(client, db, guide_case):
    guide, case = guide_case
    response = post_visit(client, case)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}")

    case = reload(db, case)
    assert case.status == CaseStatus.in_progress
    assert case.first_contact_at is not None
    change = case.status_changes[-1]
    assert (change.from_status, change.to_status) == ("guide_assigned", "in_progress")
    assert change.changed_by_id == guide.id
    [visit] = case.visits
    assert visit.kind == "home_visit"
    assert visit.duration_minutes == 45
    assert visit.notes == "Vi snakket om fotball."
    assert visit.child_words == "Jeg vil prøve!"
    assert visit.author_id == guide.id
    assert "The visit is logged." in client.get(f"/cases/{case.id}").text


def test_second_visit_does_not_change_the_status_again(client, db, guide_case):
    _, case = guide_case
    post_visit(client, case)
    post_visit(client, case, kind="phone_call", duration_minutes="")
    case = reload(db, case)
    assert visit_count(db, case) == 2
    assert [change.to_status for change in case.status_changes] == ["in_progress"]
    assert {visit.duration_minutes for visit in case.visits} == {45, None}


def test_guide_cannot_open_or_log_a_visit_on_an_unassigned_case(client, db, guide_case):
    guide, mine = guide_case
    other_guide = factories.user(guide.organisation, "guide")
    others = factories.child_case(guide.organisation, guide=other_guide, status="guide_assigned")
    unassigned = factories.child_case(guide.organisation, status="accepted")
    db.session.commit()
    token = csrf_token(client.get(visit_path(mine)).text)
    for case in (others, unassigned):
        assert client.get(visit_path(case)).status_code == 404
        response = client.post(
            visit_path(case),
            data={
                "kind": "home_visit",
                "occurred_on": local_date().isoformat(),
                "csrf_token": token,
            },
        )
        assert response.status_code == 404
        assert visit_count(db, case) == 0
    assert reload(db, others).status == CaseStatus.guide_assigned


def test_guide_loses_the_visit_log_when_unassigned(client, db, guide_case):
    _, case = guide_case
    case.assigned_guide = None
    db.session.commit()
    assert client.get(visit_path(case)).status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("occurred_on", "tomorrow", "The date cannot be in the future."),
        ("occurred_on", "2026-02-30", "Enter a real date"),
        ("occurred_on", "", "Enter the date of the contact."),
        ("occurred_on", "2001-01-01", "The date is before the child was referred."),
        ("duration_minutes", "-5", "Enter minutes between 0 and 600."),
        ("duration_minutes", "601", "Enter minutes between 0 and 600."),
        ("duration_minutes", "en time", "Enter the duration as whole minutes"),
        ("notes", "x" * 10_000, "Shorten the text to 5000 characters or fewer."),
        ("child_words", "y" * 10_000, "Shorten the text to 2000 characters or fewer."),
        ("notes", "innocent \u202etxt.exe", "invisible control characters"),
        ("kind", "", "Choose what kind of contact it was."),
        ("kind", "party", "Not a valid choice"),
    ],
)
def test_invalid_visit_input_is_explained_beside_the_field_and_stores_nothing(
    client, db, guide_case, field, value, message
):
    _, case = guide_case
    if value == "tomorrow":
        value = (local_date() + dt.timedelta(days=1)).isoformat()
    response = post_visit(client, case, **{field: value})
    assert response.status_code == 400
    error_block = response.text.split(f'id="{field}-error"', 1)
    assert len(error_block) == 2, f"no message beside {field}"
    assert message in error_block[1].split("</div>", 1)[0]
    assert visit_count(db, case) == 0
    assert reload(db, case).status == CaseStatus.guide_assigned


def test_emoji_and_right_to_left_text_are_kept(client, db, guide_case):
    _, case = guide_case
    words = "أحب كرة القدم ⚽️"
    assert post_visit(client, case, notes="Bra møte 👍", child_words=words).status_code == 302
    [visit] = reload(db, case).visits
    assert visit.notes == "Bra møte 👍"
    assert visit.child_words == words


def test_visit_without_csrf_token_is_refused(client, db, guide_case):
    _, case = guide_case
    response = client.post(
        visit_path(case), data={"kind": "home_visit", "occurred_on": local_date().isoformat()}
    )
    assert response.status_code == 400
    assert visit_count(db, case) == 0


def test_coordinator_may_log_a_visit_too(client, db):
    org = factories.organisation()
    coordinator = signed_in_as(client, org, "coordinator")
    guide = factories.user(org, "guide")
    case = factories.child_case(org, guide=guide, status="guide_assigned")
    db.session.commit()
    assert post_visit(client, case, kind="club_meeting").status_code == 302
    case = reload(db, case)
    assert case.status == CaseStatus.in_progress
    assert case.visits[0].author_id == coordinator.id


def test_no_visit_on_a_closed_case(client, db, guide_case):
    guide, case = guide_case
    change_status(case, CaseStatus.closed, by=guide, close_reason="moved")
    db.session.commit()
    response = client.get(visit_path(case))
    assert response.status_code == 302
    assert visit_count(db, case) == 0


def test_visit_notes_are_not_written_to_the_audit_log(client, db, guide_case):
    from guide.audit.models import AuditEvent

    _, case = guide_case
    post_visit(client, case, notes="Hemmelig notat")
    events = db.session.scalars(select(AuditEvent)).all()
    assert any(event.action == "visit_logged" for event in events)
    assert all("Hemmelig" not in str(event.details) for event in events)
    assert db.session.scalar(select(func.count(CaseStatusChange.id))) == 1
