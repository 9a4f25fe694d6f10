"""Referral services: one transaction per referral, the referrer's stages, intake decisions."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from guide.audit.models import AuditEvent
from guide.audit.sealing import seal_pending
from guide.audit.verification import verify_chain
from guide.cases.models import Case, CaseStatus, Child, CloseReason, Guardian, GuardianRelation
from guide.cases.workflow import change_status
from guide.database import utcnow
from guide.outbox.models import OutboxMessage
from guide.referrals.models import ConsentToReferMethod, Referral, ReferralStatus
from guide.referrals.services import (
    GuardianDetails,
    ReferralDetails,
    ReferralStage,
    accept_referral,
    decline_referral,
    intake_queue,
    interest_tags,
    list_my_referrals,
    load_intake_item,
    merge_referral,
    referral_progress,
    submit_referral,
)
from guide.unit_of_work import StaleEdit
from tests import factories


def guardian_details(**changes) -> GuardianDetails:
    """A made-up mother who speaks Norwegian and needs no interpreter."""
    fields = {
        "full_name": "Forelder Tjenestesen",
        "relation": GuardianRelation.mother,
        "phone": "+4791234567",
        "email": None,
        "preferred_language": "nb",
        "needs_interpreter": False,
    }
    return GuardianDetails(**(fields | changes))


def referral_details(**changes) -> ReferralDetails:
    """A complete, valid referral of a made-up child."""
    guardian = guardian_details()
    details = ReferralDetails(
        first_name="Tjenestebarn",
        last_name="Tjenestesen",
        born_on=dt.date(2015, 4, 3),
        national_id=None,
        school=None,
        school_class=None,
        area_id=None,
        languages=["nb"],
        guardians=[guardian],
        interests_in_own_words="Jeg liker å tegne og spille gitar",
        barriers=["economy"],
        help_level="find_activity",
        reason="Fiktiv grunn",
        consent_given_by="Forelder Tjenestesen",
        consent_relation="mother",
        consent_method=ConsentToReferMethod.signed_paper,
        consent_given_on=dt.date(2026, 1, 5),
    )
    return dataclasses.replace(details, **changes)


@pytest.fixture
def people(db):
    org = factories.organisation()
    result = {
        "org": org,
        "referrer": factories.user(org, "referrer", referrer_kind="teacher"),
        "coordinator": factories.user(org, "coordinator"),
    }
    db.session.commit()
    return result


def test_submission_creates_child_guardian_case_referral_history_audit_and_mail(db, people):
    referral = submit_referral(details=referral_details(), referrer=people["referrer"])
    db.session.commit()
    counts = {
        model: db.session.scalar(select(func.count()).select_from(model))
        for model in (Child, Guardian, Case, Referral, OutboxMessage)
    }
    assert set(counts.values()) == {1}
    assert referral.case.child is referral.child
    assert referral.case.interest_tags == ["drawing", "guitar"]
    assert referral.referrer_kind == "teacher"
    history = referral.case.status_changes
    assert [(c.from_status, c.to_status, c.changed_by_id) for c in history] == [
        (None, CaseStatus.referred, people["referrer"].id)
    ]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "referral_submitted"))
    assert event.actor_id == people["referrer"].id
    assert "Tjeneste" not in str(event.details)


def test_referrals_sent_in_one_transaction_keep_the_audit_chain_whole(db, people):
    for _ in range(2):
        submit_referral(details=referral_details(), referrer=people["referrer"])
    db.session.commit()

    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "referral_submitted")
    ).all()
    assert len(events) == 2
    seal_pending()
    report = verify_chain()
    assert report.is_intact
    assert report.waiting == 0


def test_only_referrers_submit(db, people):
    with pytest.raises(PermissionError):
        submit_referral(details=referral_details(), referrer=people["coordinator"])


def test_a_referral_needs_consent_and_a_guardian(db, people):
    for changes in ({"consent_given_by": ""}, {"guardians": []}):
        with pytest.raises(ValueError):
            submit_referral(details=referral_details(**changes), referrer=people["referrer"])


def test_interest_tags_come_from_a_short_keyword_list():
    assert interest_tags("Vil spille FOTBALL og svømme") == ["football", "swimming"]
    assert interest_tags(None) == []


@pytest.mark.parametrize(
    ("status", "stage"),
    [
        ("accepted", ReferralStage.accepted),
        ("guide_assigned", ReferralStage.guide_assigned),
        ("in_progress", ReferralStage.guide_assigned),
        ("active", ReferralStage.activity_started),
        ("paused", ReferralStage.activity_started),
        ("closed", ReferralStage.closed),
    ],
)
def test_referrer_sees_a_stage_computed_from_the_case(db, people, status, stage):
    referral = submit_referral(details=referral_details(), referrer=people["referrer"])
    accept_referral(referral, by=people["coordinator"], seen_version=None)
    referral.case.status = status
    db.session.commit()
    assert referral_progress(referral).stage == stage


def test_stage_and_dates_follow_the_course(db, people):
    referral = submit_referral(details=referral_details(), referrer=people["referrer"])
    assert referral_progress(referral).stage == ReferralStage.received
    case = accept_referral(referral, by=people["coordinator"], seen_version=None)
    guide = factories.user(people["org"], "guide")
    case.assigned_guide = guide.guide_profile
    change_status(case, "guide_assigned", by=people["coordinator"])
    change_status(case, "closed", by=people["coordinator"], close_reason=CloseReason.moved)
    db.session.commit()
    progress = referral_progress(referral)
    assert progress.stage == ReferralStage.closed
    assert [stage for stage, _ in progress.milestones] == [
        ReferralStage.received,
        ReferralStage.accepted,
        ReferralStage.guide_assigned,
        ReferralStage.closed,
    ]


def test_my_referrals_lists_only_the_referrers_own(db, people):
    mine = submit_referral(details=referral_details(), referrer=people["referrer"])
    colleague = factories.user(people["org"], "referrer")
    submit_referral(details=referral_details(first_name="Annet"), referrer=colleague)
    db.session.commit()
    listed = list_my_referrals(referrer=people["referrer"])
    assert [progress.id for progress in listed] == [mine.id]


def test_queue_holds_received_referrals_oldest_first_and_finds_duplicates(db, people):
    older = submit_referral(details=referral_details(), referrer=people["referrer"])
    older.submitted_at = utcnow() - dt.timedelta(days=3)
    same_child = submit_referral(
        details=referral_details(first_name="TJENESTEBARN ", last_name=" tjenestesen"),
        referrer=people["referrer"],
    )
    other_child = submit_referral(
        details=referral_details(born_on=dt.date(2015, 4, 4)), referrer=people["referrer"]
    )
    decided = submit_referral(
        details=referral_details(first_name="Ferdig"), referrer=people["referrer"]
    )
    accept_referral(decided, by=people["coordinator"], seen_version=None)
    db.session.commit()
    items = intake_queue(coordinator=people["coordinator"])
    assert [item.referral.id for item in items] == [older.id, same_child.id, other_child.id]
    assert items[0].days_waiting == 3
    by_id = {item.referral.id: item for item in items}
    assert by_id[same_child.id].duplicates == [older.case]
    assert by_id[older.id].duplicates == [same_child.case]
    assert by_id[other_child.id].duplicates == []


def test_days_waiting_count_days_on_the_norwegian_calendar(db, people, monkeypatch):
    referral = submit_referral(details=referral_details(), referrer=people["referrer"])
    # 22:30 UTC on 9 March is 23:30 on 9 March in Oslo; 23:30 UTC is already 10 March there.
    referral.submitted_at = dt.datetime(2026, 3, 9, 22, 30, tzinfo=dt.UTC)
    db.session.commit()
    oslo_after_midnight = dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC)
    monkeypatch.setattr("guide.dates.utcnow", lambda: oslo_after_midnight)

    [item] = intake_queue(coordinator=people["coordinator"])
    assert item.days_waiting == 1
    opened = load_intake_item(coordinator=people["coordinator"], referral_id=referral.id)
    assert opened.days_waiting == 1


def test_duplicates_are_never_found_in_another_organisation(db, people):
    mine = submit_referral(details=referral_details(), referrer=people["referrer"])
    stranger = factories.user(factories.organisation(), "referrer")
    submit_referral(details=referral_details(), referrer=stranger)
    db.session.commit()
    [item] = intake_queue(coordinator=people["coordinator"])
    assert item.referral.id == mine.id
    assert item.duplicates == []


def test_a_referral_is_decided_only_once(db, people):
    referral = submit_referral(details=referral_details(), referrer=people["referrer"])
    accept_referral(referral, by=people["coordinator"], seen_version=None)
    with pytest.raises(StaleEdit):
        decline_referral(referral, by=people["coordinator"], reason="Nei", seen_version=None)


def test_a_decision_on_an_old_version_is_refused(db, people):
    referral = submit_referral(details=referral_details(), referrer=people["referrer"])
    db.session.commit()
    seen = referral.case.version
    referral.case.help_level = "information"
    db.session.commit()
    with pytest.raises(StaleEdit):
        accept_referral(referral, by=people["coordinator"], seen_version=seen)
    assert referral.status == ReferralStatus.received


def test_two_coordinators_deciding_at_once_cannot_both_win(db, people):
    referral = submit_referral(details=referral_details(), referrer=people["referrer"])
    db.session.commit()
    case_id = referral.case.id
    referral.case.version  # loaded now, as when the page was opened  # noqa: B018
    # The colleague's transaction commits first, on its own connection.
    with Session(db.engine) as colleague:
        their_case = colleague.get(Case, case_id)
        their_case.status = CaseStatus.accepted
        colleague.commit()
    with pytest.raises(StaleDataError):
        decline_referral(referral, by=people["coordinator"], reason="Nei", seen_version=None)
    db.session.rollback()
    assert db.session.get(Case, case_id).status == CaseStatus.accepted
    assert db.session.get(Referral, referral.id).decline_reason is None


def test_merge_keeps_known_guardians_moves_new_ones_and_removes_the_copy(db, people):
    existing = submit_referral(details=referral_details(), referrer=people["referrer"])
    accept_referral(existing, by=people["coordinator"], seen_version=None)
    new_guardian = GuardianDetails(
        full_name="Ny Foresatt",
        relation=GuardianRelation.father,
        phone="+4791234568",
        email=None,
        preferred_language="pl",
        needs_interpreter=True,
    )
    known_guardian = referral_details().guardians[0]
    duplicate = submit_referral(
        details=referral_details(
            guardians=[known_guardian, new_guardian],
            barriers=["transport"],
            national_id="kept-if-missing",
        ),
        referrer=people["referrer"],
    )
    db.session.commit()
    copy_case, copy_child = duplicate.case, duplicate.child
    into = existing.case
    merge_referral(duplicate, into=into, by=people["coordinator"], seen_version=copy_case.version)
    db.session.commit()
    assert duplicate.status == ReferralStatus.merged
    assert duplicate.case is into and duplicate.child is into.child
    assert db.session.get(Case, copy_case.id) is None
    assert db.session.get(Child, copy_child.id) is None
    assert sorted(g.full_name for g in into.child.guardians) == [
        "Forelder Tjenestesen",
        "Ny Foresatt",
    ]
    assert into.child.national_id == "kept-if-missing"
    assert into.barriers == ["economy", "transport"]
    assert into.status == CaseStatus.accepted  # merging never changes the status
    assert duplicate.reference in into.status_changes[-1].note
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "referral_merged"))
    assert event.details["guardians_moved"] == 1
    assert event.details["removed_case_id"] == str(copy_case.id)


def test_merge_only_into_an_open_duplicate(db, people):
    referral = submit_referral(details=referral_details(), referrer=people["referrer"])
    stranger = factories.child_case(people["org"], first_name="Annen")
    closed_twin = factories.child_case(
        people["org"],
        first_name="Tjenestebarn",
        last_name="Tjenestesen",
        birth_date="2015-04-03",
        status="closed",
    )
    for target in (stranger, closed_twin, referral.case):
        with pytest.raises(StaleEdit):
            merge_referral(referral, into=target, by=people["coordinator"], seen_version=None)
    assert referral.status == ReferralStatus.received
