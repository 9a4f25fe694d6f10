"""Each event that asks someone to act: who gets the task and the e-mail, and who does not.

Every scene has a second organisation, an inactive coordinator and a guide of the same
organisation not assigned to the case: none of them may ever get a task about it. Every
e-mail is checked for the child's and the guardian's names.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from guide.accounts.models import TaskEmail
from guide.cases.assignment import assign_guide, unassign_guide
from guide.consents.services import withdraw_consent
from guide.consents.sharing import share_with_club
from guide.outbox.models import OutboxMessage
from guide.referrals.models import Referral
from guide.referrals.services import accept_referral, decline_referral, submit_referral
from guide.support.models import PayeeKind, SupportKind
from guide.support.services import GrantDetails, reject_grant, request_grant
from guide.tasks import TaskKind, raise_task
from guide.tasks.models import Task
from tests import factories
from tests.consent_helpers import signed_consent
from tests.db.test_referral_services import referral_details

CHILD = "Hemmeligbarn"
GUARDIAN = "Forelder Eksempelsen"
REFERRED_CHILD = "Tjenestebarn"


@pytest.fixture
def s(db):
    """The organisation's people, a case with a guide, and the people who must never be told."""
    org = factories.organisation()
    other = factories.organisation()
    people = _People(
        org=org,
        coordinator=factories.user(org, "coordinator"),
        second_coordinator=factories.user(org, "coordinator", preferred_locale="nn"),
        inactive_coordinator=factories.user(org, "coordinator", is_active=False),
        guide=factories.user(org, "guide"),
        unassigned_guide=factories.user(org, "guide"),
        referrer=factories.user(org, "referrer", referrer_kind="school_nurse"),
        admin=factories.user(org, "admin"),
        other_coordinator=factories.user(other, "coordinator"),
        other_guide=factories.user(other, "guide"),
    )
    people.case = factories.child_case(
        org, first_name=CHILD, guardian_name=GUARDIAN, guide=people.guide, status="in_progress"
    )
    db.session.commit()
    return people


class _People:
    def __init__(self, **people):
        self.__dict__.update(people)

    @property
    def never_told(self):
        return [
            self.inactive_coordinator,
            self.unassigned_guide,
            self.admin,
            self.other_coordinator,
            self.other_guide,
        ]


def told(db, kind: TaskKind) -> set:
    return set(db.session.scalars(select(Task.user_id).where(Task.kind == kind)))


def mailed(db) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage)))


def assert_told_exactly(db, s, kind, expected):
    db.session.commit()
    assert told(db, kind) == {person.id for person in expected}
    recipients = sorted(mail.recipient for mail in mailed(db))
    assert recipients == sorted(person.email for person in expected)
    for person in s.never_told:
        assert person.id not in told(db, kind)
    for mail in mailed(db):
        for secret in (CHILD, GUARDIAN, REFERRED_CHILD, s.case.reference):
            assert secret not in mail.subject and secret not in mail.body_text
        assert "/todo" in mail.body_text


# --- referrals -------------------------------------------------------------------------


def test_a_new_referral_is_a_task_for_each_active_coordinator(db, s):
    submit_referral(details=referral_details(), referrer=s.referrer)

    assert_told_exactly(db, s, TaskKind.NEW_REFERRAL, [s.coordinator, s.second_coordinator])
    nynorsk = next(m for m in mailed(db) if m.recipient == s.second_coordinator.email)
    assert nynorsk.subject == "Du har ei ny oppgåve i Fritidsguide"


def _referral(db, s) -> Referral:
    referral = submit_referral(details=referral_details(), referrer=s.referrer)
    db.session.commit()
    db.session.execute(OutboxMessage.__table__.delete())
    return referral


def test_accepting_tells_the_referrer_and_ends_the_coordinators_tasks(db, s):
    referral = _referral(db, s)

    accept_referral(referral, by=s.coordinator, seen_version=None)

    assert_told_exactly(db, s, TaskKind.REFERRAL_ACCEPTED, [s.referrer])
    (task,) = db.session.scalars(select(Task).where(Task.kind == TaskKind.REFERRAL_ACCEPTED))
    assert task.link == f"/referrals/{referral.id}"
    new_referral_tasks = db.session.scalars(select(Task).where(Task.kind == TaskKind.NEW_REFERRAL))
    assert {(t.done_at is not None, t.done_by_id) for t in new_referral_tasks} == {
        (True, s.coordinator.id)
    }


def test_declining_tells_the_referrer(db, s):
    referral = _referral(db, s)

    decline_referral(referral, by=s.coordinator, reason="Utenfor området", seen_version=None)

    assert_told_exactly(db, s, TaskKind.REFERRAL_DECLINED, [s.referrer])


@pytest.mark.parametrize("change", ["inactive", "now_a_guide", "another_organisation"])
def test_a_referrer_who_may_no_longer_follow_the_referral_is_not_told(db, s, change):
    referral = _referral(db, s)
    if change == "inactive":
        s.referrer.is_active = False
    elif change == "now_a_guide":
        s.referrer.role = "guide"
    else:
        s.referrer.organisation_id = s.other_coordinator.organisation_id
    db.session.commit()

    accept_referral(referral, by=s.coordinator, seen_version=None)

    assert_told_exactly(db, s, TaskKind.REFERRAL_ACCEPTED, [])


# --- guides ----------------------------------------------------------------------------


def test_the_guide_given_a_case_is_told_and_no_other_guide(db, s):
    case = factories.child_case(s.org, first_name=CHILD, guardian_name=GUARDIAN, status="accepted")
    db.session.commit()

    assign_guide(case, s.guide.guide_profile, by=s.coordinator, expected_version=case.version)

    assert_told_exactly(db, s, TaskKind.GUIDE_ASSIGNED, [s.guide])


def test_the_guide_taken_off_a_case_is_told(db, s):
    s.case.status = "guide_assigned"
    db.session.commit()

    unassign_guide(s.case, by=s.coordinator, expected_version=s.case.version)

    assert_told_exactly(db, s, TaskKind.GUIDE_UNASSIGNED, [s.guide])


# --- consent, support, sharing ---------------------------------------------------------


def test_a_withdrawn_consent_tells_the_coordinators_and_the_guide_but_not_who_recorded_it(db, s):
    consent = signed_consent(s.case)
    db.session.commit()

    withdraw_consent(consent, by=s.coordinator, channel="phone")

    assert_told_exactly(db, s, TaskKind.CONSENT_WITHDRAWN, [s.second_coordinator, s.guide])


def test_a_withdrawal_through_the_familys_link_tells_everyone(db, s):
    consent = signed_consent(s.case)
    db.session.commit()

    withdraw_consent(consent, by=None, channel="digital_link")

    assert_told_exactly(
        db, s, TaskKind.CONSENT_WITHDRAWN, [s.coordinator, s.second_coordinator, s.guide]
    )


def _details() -> GrantDetails:
    return GrantDetails(
        kind=SupportKind.equipment,
        amount=50_000,
        activity_id=None,
        payee_kind=PayeeKind.shop,
        payee_name="Sportsbutikken AS",
        fund_id=None,
        reason=None,
    )


def test_a_support_request_is_a_task_for_the_coordinators(db, s):
    request_grant(s.case, by=s.guide, details=_details())

    assert_told_exactly(db, s, TaskKind.SUPPORT_REQUESTED, [s.coordinator, s.second_coordinator])


def test_a_support_decision_tells_the_guide_and_ends_the_request_tasks(db, s):
    grant = request_grant(s.case, by=s.guide, details=_details())
    db.session.commit()
    db.session.execute(OutboxMessage.__table__.delete())

    reject_grant(grant, by=s.coordinator, expected_version=grant.version, reason="Ikke nå")

    assert_told_exactly(db, s, TaskKind.SUPPORT_DECIDED, [s.guide])
    requests = db.session.scalars(select(Task).where(Task.kind == TaskKind.SUPPORT_REQUESTED))
    assert all(task.done_at is not None for task in requests)


def test_a_share_with_a_club_tells_the_guide(db, s):
    offer = factories.activity(s.org)
    consent = signed_consent(s.case, club=offer.club, categories=("identity",))
    db.session.commit()
    assert consent is not None

    share_with_club(child=s.case.child, club=offer.club, categories=["identity"], by=s.coordinator)

    assert_told_exactly(db, s, TaskKind.SHARED_WITH_CLUB, [s.guide])


# --- kinds other features raise ----------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [TaskKind.CLUB_START_CONFIRMED, TaskKind.CLUB_ABSENCE_REPORTED, TaskKind.FAMILY_ANSWERED],
)
def test_club_and_family_kinds_go_to_the_coordinators_and_the_guide(db, s, kind):
    raise_task(kind, case=s.case, link=f"/cases/{s.case.id}")

    assert_told_exactly(db, s, kind, [s.coordinator, s.second_coordinator, s.guide])


# --- each person's e-mail choice ---------------------------------------------------------


def test_each_persons_e_mail_choice_is_honoured(db, s):
    s.coordinator.task_email = TaskEmail.daily
    s.second_coordinator.task_email = TaskEmail.never
    db.session.commit()

    raise_task(TaskKind.CLUB_ABSENCE_REPORTED, case=s.case, link=f"/cases/{s.case.id}")
    db.session.commit()

    # Everyone gets the task; only the guide, who chose "at once", gets an e-mail now.
    expected = {s.coordinator.id, s.second_coordinator.id, s.guide.id}
    assert told(db, TaskKind.CLUB_ABSENCE_REPORTED) == expected
    assert [mail.recipient for mail in mailed(db)] == [s.guide.email]


def test_one_e_mail_per_person_however_many_tasks_one_event_raises(db, s):
    second_case = factories.child_case(s.org, guide=s.guide, status="in_progress")
    db.session.commit()
    from guide.tasks import batched_mail

    with batched_mail():
        for case in (s.case, second_case):
            raise_task(TaskKind.CASE_QUIET, case=case, link=f"/cases/{case.id}")
    db.session.commit()

    assert len(db.session.scalars(select(Task).where(Task.user_id == s.guide.id)).all()) == 2
    assert sorted(mail.recipient for mail in mailed(db)) == sorted(
        [s.coordinator.email, s.second_coordinator.email, s.guide.email]
    )


def test_a_certificate_task_goes_to_the_coordinators_only(db, s):
    raise_task(
        TaskKind.CERTIFICATE_EXPIRING,
        organisation_id=s.org.id,
        link=f"/guides/{s.guide.id}/edit",
        users=[s.coordinator, s.guide, s.referrer, s.other_coordinator],
    )

    assert_told_exactly(db, s, TaskKind.CERTIFICATE_EXPIRING, [s.coordinator])


def test_a_task_without_a_case_needs_its_organisation(db, s):
    with pytest.raises(ValueError):
        raise_task(TaskKind.CERTIFICATE_EXPIRING, link="/guides")
    with pytest.raises(ValueError):
        raise_task(
            TaskKind.CASE_QUIET,
            case=s.case,
            organisation_id=s.other_coordinator.organisation_id,
            link="/cases",
        )


def test_no_event_tells_anyone_twice_within_a_day_by_accident(db, s):
    # The once key of a sweep: a second run the same day raises nothing and mails nobody.
    for _ in range(2):
        raise_task(
            TaskKind.FOLLOW_UP_DUE,
            case=s.case,
            link=f"/cases/{s.case.id}",
            once_key=f"follow_up_due:{dt.date(2026, 12, 7)}",
        )
    db.session.commit()

    assert len(mailed(db)) == 3
    assert len(db.session.scalars(select(Task)).all()) == 3
