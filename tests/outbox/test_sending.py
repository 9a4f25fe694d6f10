"""The worker delivers over real SMTP, retries with back-off, and never loses a message."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import select

from guide.database import utcnow
from guide.extensions import db as _db
from guide.outbox.models import OutboxMessage, OutboxStatus
from guide.outbox.services import queue_email
from guide.outbox.worker import (
    MAX_ATTEMPTS,
    _still_claimed,
    claim_next,
    retry_delay,
    send_due,
)
from guide.referrals.services import submit_referral
from tests import factories
from tests.db.test_referral_services import referral_details

ADDRESS = "kari.mottaker@example.test"


def _queue(locale: str = "nb", to: str = ADDRESS) -> OutboxMessage:
    return queue_email(
        to=to,
        template="invitation",
        locale=locale,
        context={
            "link": "http://app.test/invitation/t0k3n",
            "organisation_name": "Org",
            "valid_hours": 72,
        },
    )


def _reload(db, message: OutboxMessage) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message.id)


def test_queued_mail_is_delivered_with_its_subject_and_language(db, smtp, sender):
    nb_message, en_message = _queue("nb"), _queue("en", to="english@example.test")
    db.session.commit()

    report = send_due(sender=sender)

    assert report.sent == 2
    received = {mail["To"]: mail for mail in smtp.messages}
    assert received[ADDRESS]["Subject"] == "Du er invitert til Fritidsguide"
    assert received["english@example.test"]["Subject"] == "You have been invited to Fritidsguide"
    assert "http://app.test/invitation/t0k3n" in received[ADDRESS].get_content()
    assert received[ADDRESS]["From"] == "Fritidsguide <ikke-svar@fritidsguide.test>"
    assert received[ADDRESS]["Message-ID"] == f"<{nb_message.id}@fritidsguide.test>"
    assert received["english@example.test"]["Message-ID"] == f"<{en_message.id}@fritidsguide.test>"
    for message in (nb_message, en_message):
        stored = _reload(db, message)
        assert stored.status == OutboxStatus.sent
        assert stored.sent_at is not None
        assert stored.attempts == 0


def test_a_sent_message_is_not_sent_again(db, smtp, sender):
    _queue()
    db.session.commit()
    send_due(sender=sender)
    assert send_due(sender=sender, now=utcnow() + dt.timedelta(days=1)).claimed == 0
    assert len(smtp.messages) == 1


def test_mail_waits_while_the_server_is_down_and_goes_out_when_it_is_back(db, smtp, sender):
    message = _queue()
    db.session.commit()
    smtp.stop()
    started = utcnow()

    report = send_due(sender=sender, now=started)

    assert report.retrying == 1
    stored = _reload(db, message)
    assert stored.status == OutboxStatus.queued
    assert stored.attempts == 1
    assert stored.next_attempt_at == started + dt.timedelta(minutes=1)
    assert stored.last_error == "ConnectionRefusedError"
    # Not yet due again: nothing is tried.
    assert send_due(sender=sender, now=started + dt.timedelta(seconds=30)).claimed == 0

    smtp.start()
    report = send_due(sender=sender, now=started + dt.timedelta(minutes=2))

    assert report.sent == 1
    assert _reload(db, message).status == OutboxStatus.sent
    assert [mail["To"] for mail in smtp.messages] == [ADDRESS]


def test_last_error_never_holds_the_address_or_the_text(db, smtp, sender):
    message = _queue()
    db.session.commit()
    smtp.stop()
    now = utcnow()
    for _attempt in range(3):
        send_due(sender=sender, now=now)
        now = _reload(db, message).next_attempt_at
    stored = _reload(db, message)
    assert stored.attempts == 3
    for secret_part in (ADDRESS, "kari", "t0k3n", stored.subject):
        assert secret_part not in stored.last_error


def test_refused_recipient_is_retried_and_logged_by_reply_code_only(db, smtp, sender, caplog):
    message = _queue()
    db.session.commit()
    smtp.refuse_recipients_with = f"550 5.1.1 No such user {ADDRESS}"

    report = send_due(sender=sender)

    assert report.retrying == 1
    stored = _reload(db, message)
    assert stored.status == OutboxStatus.queued
    assert stored.last_error == "SMTPRecipientsRefused 550"
    assert "Outbox message" in caplog.text
    assert ADDRESS not in caplog.text
    assert "No such user" not in caplog.text


def test_back_off_doubles_from_one_minute_up_to_six_hours():
    delays = [retry_delay(attempt) for attempt in range(1, 13)]
    assert delays[:4] == [dt.timedelta(minutes=minutes) for minutes in (1, 2, 4, 8)]
    assert delays[8] == dt.timedelta(minutes=256)
    assert delays[9:] == [dt.timedelta(hours=6)] * 3
    assert retry_delay(10_000) == dt.timedelta(hours=6)


def test_message_fails_for_good_after_the_last_attempt(db, smtp, sender):
    message = _queue()
    db.session.commit()
    smtp.stop()
    now = utcnow()
    for _attempt in range(MAX_ATTEMPTS):
        send_due(sender=sender, now=now)
        now = _reload(db, message).next_attempt_at
    stored = _reload(db, message)
    assert stored.attempts == MAX_ATTEMPTS
    assert stored.status == OutboxStatus.failed
    smtp.start()
    assert send_due(sender=sender, now=now + dt.timedelta(days=1)).claimed == 0
    assert smtp.messages == []


def test_two_workers_at_once_send_each_message_exactly_once(app, db, smtp, sender):
    for number in range(30):
        _queue(to=f"mottaker{number}@example.test")
    db.session.commit()
    reports = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        with app.app_context():
            barrier.wait()
            reports.append(send_due(sender=sender, limit=10))
            reports.append(send_due(sender=sender, limit=10))
            _db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    recipients = [mail["To"] for mail in smtp.messages]
    assert len(recipients) == len(set(recipients))
    assert sum(report.sent for report in reports) == len(recipients)
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses.count(OutboxStatus.sent) == len(recipients)
    assert len(recipients) == 30


def test_a_worker_whose_claim_ran_out_cannot_overwrite_the_newer_result(db, smtp, sender):
    message = _queue()
    db.session.commit()
    now = utcnow()
    stale_lease = now + dt.timedelta(minutes=3)
    assert claim_next(now=now, lease_until=stale_lease).message_id == message.id
    # The lease runs out; another worker claims and sends the message.
    assert send_due(sender=sender, now=stale_lease + dt.timedelta(seconds=1)).sent == 1
    # The first worker's late result must not touch the row.
    assert not _still_claimed(_reload(db, message), stale_lease, status=OutboxStatus.queued)
    assert _reload(db, message).status == OutboxStatus.sent


def test_new_referral_mails_survive_an_outage_and_go_out_in_each_language(db, smtp, sender):
    org = factories.organisation()
    referrer = factories.user(org, "referrer", referrer_kind="school_nurse")
    factories.user(org, "coordinator", email="nb.koordinator@example.test")
    factories.user(org, "coordinator", email="en.coordinator@example.test", preferred_locale="en")
    db.session.commit()
    smtp.stop()
    submit_referral(details=referral_details(), referrer=referrer)
    db.session.commit()
    started = utcnow()

    # Two worker runs while the server is down: nothing sent, nothing lost.
    assert send_due(sender=sender, now=started).retrying == 2
    assert send_due(sender=sender, now=started + dt.timedelta(minutes=2)).retrying == 2
    queued = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.status, m.attempts) for m in queued] == [(OutboxStatus.queued, 2)] * 2

    smtp.start()
    assert send_due(sender=sender, now=started + dt.timedelta(hours=1)).sent == 2
    subjects = {mail["To"]: mail["Subject"] for mail in smtp.messages}
    assert subjects == {
        "nb.koordinator@example.test": "Du har en ny oppgave i Fritidsguide",
        "en.coordinator@example.test": "You have a new task in Fritidsguide",
    }
    for mail in smtp.messages:
        for personal in ("Tjenestebarn", "Tjenestesen", "Fiktiv grunn", "2015-04-03", "91234567"):
            assert personal not in mail.as_string()
