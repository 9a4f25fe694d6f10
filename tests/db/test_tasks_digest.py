"""The daily digest: one e-mail per person per day, counts by kind, no personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from guide.accounts.models import TaskEmail
from guide.outbox.models import OutboxMessage
from guide.tasks import TaskKind, raise_task
from guide.tasks.models import TaskDigest
from guide.tasks.worker import TaskRounds, send_digests
from tests import factories

CHILD = "Hemmeligbarn"
#: 08:00 in Oslo in December (UTC+1): after the digest hour.
MORNING = dt.datetime(2026, 12, 8, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def s(db):
    org = factories.organisation()
    guide = factories.user(org, "guide", task_email=TaskEmail.at_once)
    people = {
        "daily": factories.user(org, "coordinator", task_email=TaskEmail.daily),
        "daily_nn": factories.user(
            org, "coordinator", task_email=TaskEmail.daily, preferred_locale="nn"
        ),
        "never": factories.user(org, "coordinator", task_email=TaskEmail.never),
        "at_once": guide,
        "case": factories.child_case(org, first_name=CHILD, guide=guide, status="in_progress"),
    }
    db.session.commit()
    return people


def _raise(db, case, kind=TaskKind.CLUB_ABSENCE_REPORTED, *, at: dt.datetime | None = None):
    for task in raise_task(kind, case=case, link=f"/cases/{case.id}"):
        task.created_at = at or MORNING - dt.timedelta(hours=12)
    db.session.commit()


def _digests(db) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.subject.in_(
                    ["Oppgavene dine i Fritidsguide i dag", "Oppgåvene dine i Fritidsguide i dag"]
                )
            )
        )
    )


def test_one_digest_per_person_who_chose_it_with_counts_by_kind(db, s):
    case = s["case"]
    _raise(db, case)
    _raise(db, case, TaskKind.FAMILY_ANSWERED)
    _raise(db, case, TaskKind.FAMILY_ANSWERED)

    assert send_digests(now=MORNING) == 2

    digests = _digests(db)
    assert sorted(m.recipient for m in digests) == sorted([s["daily"].email, s["daily_nn"].email])
    bokmal = next(m for m in digests if m.recipient == s["daily"].email)
    assert "Fravær meldt av en klubb: 1" in bokmal.body_text
    assert "Svar fra familier: 2" in bokmal.body_text
    assert "Du har 3 nye oppgaver siden forrige oppsummering" in bokmal.body_text
    assert "/todo" in bokmal.body_text
    for mail in digests:
        assert CHILD not in mail.body_text and case.reference not in mail.body_text


def test_a_second_run_the_same_day_sends_nobody_a_second_digest(db, s):
    _raise(db, s["case"])
    assert send_digests(now=MORNING) == 2
    first_day = {m.id for m in _digests(db)}

    _raise(db, s["case"], TaskKind.FAMILY_ANSWERED, at=MORNING + dt.timedelta(hours=2))
    assert send_digests(now=MORNING + dt.timedelta(hours=3)) == 0
    assert len(_digests(db)) == 2

    # The next morning, what came since the last digest (rows come back in no set order).
    assert send_digests(now=MORNING + dt.timedelta(days=1)) == 2
    (latest,) = [
        m for m in _digests(db) if m.recipient == s["daily"].email and m.id not in first_day
    ]
    assert "Svar fra familier: 1" in latest.body_text
    assert "Fravær" not in latest.body_text


def test_no_digest_before_the_digest_hour_or_without_anything_new(db, s):
    assert send_digests(now=MORNING) == 0  # nothing to tell
    _raise(db, s["case"])
    assert send_digests(now=MORNING - dt.timedelta(hours=2)) == 0  # 06:00 in Oslo
    assert db.session.scalars(select(TaskDigest)).all() == []


def test_done_tasks_and_tasks_the_person_may_no_longer_see_are_not_counted(db, s):
    case = s["case"]
    _raise(db, case)
    s["daily"].role = "referrer"  # no longer sees case tasks
    db.session.commit()

    assert send_digests(now=MORNING) == 1
    assert [m.recipient for m in _digests(db)] == [s["daily_nn"].email]


def test_people_who_chose_at_once_or_never_get_no_digest(db, s):
    _raise(db, s["case"])
    send_digests(now=MORNING)

    recipients = {m.recipient for m in _digests(db)}
    assert s["never"].email not in recipients
    assert s["at_once"].email not in recipients
    # The guide chose "at once" and got its e-mail when the task was raised; "never" got none.
    all_mail = [m.recipient for m in db.session.scalars(select(OutboxMessage))]
    assert all_mail.count(s["at_once"].email) == 1
    assert s["never"].email not in all_mail


def test_the_worker_round_sends_the_digest(db, s):
    _raise(db, s["case"])
    rounds = TaskRounds()

    rounds.run_due(now=MORNING)
    rounds.run_due(now=MORNING + dt.timedelta(minutes=10))

    assert len(_digests(db)) == 2


def test_a_second_worker_sending_the_same_digest_is_refused_and_rolled_back(db, s, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from guide.tasks import worker
    from guide.tasks.mail import send_digest

    _raise(db, s["case"])
    assert send_digest(s["daily"].id, now=MORNING)
    db.session.commit()

    # The other worker read the list before the first committed: its insert fails.
    with pytest.raises(IntegrityError):
        send_digest(s["daily"].id, now=MORNING)
    db.session.rollback()
    monkeypatch.setattr(worker, "people_due_a_digest", lambda now: [s["daily"].id])
    assert send_digests(now=MORNING) == 0

    assert [m.recipient for m in _digests(db)] == [s["daily"].email]
