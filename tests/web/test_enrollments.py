"""A child's activities on a case: proposed → trial → enrolled → ended, and the case following."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from guide.activities.models import Enrollment, EnrollmentEndReason, EnrollmentStatus
from guide.audit.models import AuditEvent
from guide.cases.models import Case, CaseStatus, FollowUp
from guide.dates import add_months, local_date
from guide.enrollments.services import EnrollmentRuleError, end_enrollment, enroll, record_trial
from tests import factories
from tests.web.helpers import csrf_token, signed_in_as


@pytest.fixture
def guide_case(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, guide=guide, status="in_progress")
    activity = factories.activity(org, name="Gitargruppe")
    db.session.commit()
    return guide, case, activity


def token(client, case) -> str:
    return csrf_token(client.get(f"/cases/{case.id}/activities").text)


def propose(client, case, activity):
    return client.post(
        f"/cases/{case.id}/activities/propose",
        data={"activity_id": str(activity.id), "csrf_token": token(client, case)},
    )


def enrollments(db, case) -> list[Enrollment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Enrollment).where(Enrollment.case_id == case.id)))


def only_enrollment(db, case) -> Enrollment:
    (enrollment,) = enrollments(db, case)
    return enrollment


def reload(db, case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def action(client, case, enrollment, step: str, **data):
    path = f"/cases/{case.id}/activities/{enrollment.id}/{step}"
    form_page = client.get(path) if step in ("start", "end") else None
    csrf = csrf_token(form_page.text) if form_page is not None else token(client, case)
    return client.post(path, data={"csrf_token": csrf, **data})


def test_proposal_trial_and_start_make_the_case_active(client, db, guide_case):
    guide, case, activity = guide_case
    response = propose(client, case, activity)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}/activities")
    enrollment = only_enrollment(db, case)
    assert enrollment.status == EnrollmentStatus.proposed
    assert enrollment.proposed_by_id == guide.id

    assert action(client, case, enrollment, "trial").status_code == 302
    assert only_enrollment(db, case).status == EnrollmentStatus.trial
    assert reload(db, case).status == CaseStatus.in_progress

    started = local_date() - dt.timedelta(days=3)
    response = action(
        client, case, enrollment, "start", started_on=started.isoformat(), own_choice="yes"
    )
    assert response.status_code == 302
    enrollment = only_enrollment(db, case)
    assert enrollment.status == EnrollmentStatus.enrolled
    assert enrollment.started_on == started
    assert enrollment.is_own_choice is True
    assert enrollment.is_main is True
    case = reload(db, case)
    assert case.status == CaseStatus.active
    assert case.first_activity_at is not None
    # Follow-ups are counted from the day the child really started.
    assert [f.due_on for f in case.follow_ups] == [add_months(started, m) for m in (1, 3, 6)]
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"enrollment_proposed", "enrollment_trial", "enrollment_enrolled"} <= actions
    assert "case_status_changed" in actions

    page = client.get(f"/cases/{case.id}/activities").text
    assert "main activity" in page and "Started" in page


def test_starting_needs_a_logged_first_contact(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, guide=guide, status="guide_assigned")
    activity = factories.activity(org)
    db.session.commit()
    propose(client, case, activity)
    enrollment = only_enrollment(db, case)

    response = action(
        client, case, enrollment, "start", started_on=local_date().isoformat(), own_choice="no"
    )
    assert response.status_code == 302
    assert "Log the first contact with the family" in client.get(response.headers["Location"]).text
    assert only_enrollment(db, case).status == EnrollmentStatus.proposed
    assert reload(db, case).status == CaseStatus.guide_assigned


def test_invalid_start_input_is_explained_and_stores_nothing(client, db, guide_case):
    _guide, case, activity = guide_case
    propose(client, case, activity)
    enrollment = only_enrollment(db, case)
    tomorrow = local_date() + dt.timedelta(days=1)
    response = action(client, case, enrollment, "start", started_on=tomorrow.isoformat())
    assert response.status_code == 400
    assert "The date cannot be in the future." in response.text
    assert "Say whether the child chose the activity." in response.text
    assert only_enrollment(db, case).status == EnrollmentStatus.proposed
    assert reload(db, case).status == CaseStatus.in_progress


def test_ending_the_last_activity_returns_the_case_and_raises_a_follow_up(client, db, guide_case):
    _guide, case, activity = guide_case
    propose(client, case, activity)
    enrollment = only_enrollment(db, case)
    started = local_date() - dt.timedelta(days=40)
    action(client, case, enrollment, "start", started_on=started.isoformat(), own_choice="yes")

    before = (started - dt.timedelta(days=1)).isoformat()
    refused = action(client, case, enrollment, "end", ended_on=before, reason="too_expensive")
    assert refused.status_code == 400
    assert "The end date cannot be before the start date." in refused.text

    response = action(
        client, case, enrollment, "end", ended_on=local_date().isoformat(), reason="too_expensive"
    )
    assert response.status_code == 302
    enrollment = only_enrollment(db, case)
    assert enrollment.status == EnrollmentStatus.ended
    assert enrollment.end_reason == EnrollmentEndReason.too_expensive
    assert enrollment.is_main is False
    case = reload(db, case)
    assert case.status == CaseStatus.in_progress
    raised = [f for f in case.follow_ups if f.months_after == 0]
    assert len(raised) == 1
    assert raised[0].due_on == local_date() and raised[0].done_at is None
    assert "last activity has ended" in raised[0].note
    assert "follow_up_raised" in set(db.session.scalars(select(AuditEvent.action)))


def test_ending_one_of_two_keeps_the_case_active_and_moves_main(db, client, guide_case):
    _guide, case, first_activity = guide_case
    second_activity = factories.activity(case.organisation, name="Dans")
    db.session.commit()
    propose(client, case, first_activity)
    propose(client, case, second_activity)
    first, second = sorted(enrollments(db, case), key=lambda e: e.activity.name != "Gitargruppe")
    today = local_date().isoformat()
    action(client, case, first, "start", started_on=today, own_choice="yes")
    action(client, case, second, "start", started_on=today, own_choice="no")
    assert only_main(db, case).id == first.id

    action(client, case, second, "main")
    assert only_main(db, case).id == second.id

    action(client, case, second, "end", ended_on=today, reason="transport")
    assert only_main(db, case).id == first.id
    assert reload(db, case).status == CaseStatus.active
    assert db.session.scalars(select(FollowUp).where(FollowUp.months_after == 0)).all() == []


def only_main(db, case) -> Enrollment:
    (main,) = [e for e in enrollments(db, case) if e.is_main]
    return main


def test_status_rules(db):
    org = factories.organisation()
    guide = factories.user(org, "guide")
    case = factories.child_case(org, guide=guide, status="in_progress")
    enrollment = Enrollment(
        case_id=case.id, activity_id=factories.activity(org).id, status=EnrollmentStatus.enrolled
    )
    db.session.add(enrollment)
    db.session.flush()
    with pytest.raises(EnrollmentRuleError):
        record_trial(enrollment, by=guide)
    with pytest.raises(EnrollmentRuleError):
        enroll(enrollment, by=guide, started_on=local_date(), is_own_choice=True)
    end_enrollment(
        enrollment, by=guide, ended_on=local_date(), reason=EnrollmentEndReason.lost_interest
    )
    for step in (
        lambda: record_trial(enrollment, by=guide),
        lambda: enroll(enrollment, by=guide, started_on=local_date(), is_own_choice=True),
        lambda: end_enrollment(
            enrollment, by=guide, ended_on=local_date(), reason=EnrollmentEndReason.other
        ),
    ):
        with pytest.raises(EnrollmentRuleError):
            step()


def test_the_same_activity_cannot_be_proposed_twice_while_open(client, db, guide_case):
    _guide, case, activity = guide_case
    propose(client, case, activity)
    response = propose(client, case, activity)
    assert "already on the child" in client.get(response.headers["Location"]).text
    assert len(enrollments(db, case)) == 1


def test_an_activity_of_another_organisation_cannot_be_proposed(client, db, guide_case):
    _guide, case, _activity = guide_case
    foreign = factories.activity(factories.organisation(), name="Elsewhere")
    db.session.commit()
    propose(client, case, foreign)
    assert enrollments(db, case) == []


def test_guide_cannot_enroll_on_an_unassigned_case(client, db, guide_case):
    _guide, case, activity = guide_case
    org = case.organisation
    other_case = factories.child_case(org, guide=factories.user(org, "guide"), status="in_progress")
    enrollment = Enrollment(case_id=other_case.id, activity_id=activity.id)
    db.session.add(enrollment)
    db.session.commit()
    mine = token(client, case)

    assert client.get(f"/cases/{other_case.id}/activities").status_code == 404
    proposal = client.post(
        f"/cases/{other_case.id}/activities/propose",
        data={"activity_id": str(activity.id), "csrf_token": mine},
    )
    assert proposal.status_code == 404
    start = client.post(
        f"/cases/{other_case.id}/activities/{enrollment.id}/start",
        data={"started_on": local_date().isoformat(), "own_choice": "yes", "csrf_token": mine},
    )
    assert start.status_code == 404
    # Nor through their own case's address with someone else's enrollment.
    assert (
        client.post(
            f"/cases/{case.id}/activities/{enrollment.id}/trial", data={"csrf_token": mine}
        ).status_code
        == 404
    )
    assert only_enrollment(db, other_case).status == EnrollmentStatus.proposed
    assert reload(db, other_case).status == CaseStatus.in_progress


def test_coordinator_may_record_enrollments(client, db):
    org = factories.organisation()
    case = factories.child_case(org, guide=factories.user(org, "guide"), status="paused")
    activity = factories.activity(org)
    signed_in_as(client, org, "coordinator", preferred_locale="en")
    assert propose(client, case, activity).status_code == 302
    enrollment = only_enrollment(db, case)
    action(client, case, enrollment, "start", started_on=local_date().isoformat(), own_choice="no")
    assert reload(db, case).status == CaseStatus.active
    assert only_enrollment(db, case).is_own_choice is False


def test_propose_without_csrf_token_is_refused(client, db, guide_case):
    _guide, case, activity = guide_case
    response = client.post(
        f"/cases/{case.id}/activities/propose", data={"activity_id": str(activity.id)}
    )
    assert response.status_code in (302, 400)
    assert enrollments(db, case) == []
