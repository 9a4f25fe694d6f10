"""Claiming: each message is leased on its own, to one worker at a time, until it is sent."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from sqlalchemy import select

from guide.database import utcnow
from guide.extensions import db as _db
from guide.outbox.models import OutboxMessage, OutboxStatus
from guide.outbox.services import queue_emails
from guide.outbox.worker import LEASE_EXPIRED, MAX_ATTEMPTS, claim_next, lease_length, send_due
from guide.settings import SettingsError

LEASE = dt.timedelta(minutes=3)
CONTEXT = {"link": "http://app.test/invitation/x", "organisation_name": "Org", "valid_hours": 72}


def queue_mails(count: int) -> list[OutboxMessage]:
    """``count`` committed invitations, each to its own address."""
    messages = queue_emails(
        recipients=[(f"mottaker{number}@example.test", "nb") for number in range(count)],
        template="invitation",
        context=CONTEXT,
    )
    _db.session.commit()
    return messages


def _stored(db, message_id: uuid.UUID) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get_one(OutboxMessage, message_id)


def test_a_claim_leases_one_message_and_leaves_the_rest_due(db):
    queue_mails(3)
    now = utcnow()

    claim = claim_next(now=now, lease_until=now + LEASE)

    assert claim is not None and not claim.interrupted
    db.session.expire_all()
    rows = {m.id: (m.status, m.next_attempt_at) for m in db.session.scalars(select(OutboxMessage))}
    assert rows.pop(claim.message_id) == (OutboxStatus.sending, now + LEASE)
    assert [status for status, _due in rows.values()] == [OutboxStatus.queued] * 2
    assert all(due <= now for _status, due in rows.values())


def test_two_claimers_at_once_never_get_the_same_message(app, db):
    queue_mails(20)
    claimed: list[list[uuid.UUID]] = [[], []]
    barrier = threading.Barrier(2)

    def claimer(mine: list[uuid.UUID]) -> None:
        with app.app_context():
            barrier.wait()
            while True:
                now = utcnow()
                claim = claim_next(now=now, lease_until=now + LEASE)
                if claim is None:
                    break
                mine.append(claim.message_id)
            _db.session.remove()

    threads = [threading.Thread(target=claimer, args=(mine,)) for mine in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    every_claim = claimed[0] + claimed[1]
    assert len(every_claim) == 20
    assert len(set(every_claim)) == 20
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses == [OutboxStatus.sending] * 20


def test_a_leased_message_waits_for_its_lease_and_is_then_claimed_again(db):
    (message,) = queue_mails(1)
    now = utcnow()
    claim_next(now=now, lease_until=now + LEASE)

    just_before = now + LEASE - dt.timedelta(seconds=1)
    assert claim_next(now=just_before, lease_until=just_before + LEASE) is None

    expired = now + LEASE
    again = claim_next(now=expired, lease_until=expired + LEASE)

    assert again is not None
    assert (again.message_id, again.interrupted) == (message.id, True)
    stored = _stored(db, message.id)
    assert stored.status == OutboxStatus.sending
    assert stored.next_attempt_at == expired + LEASE
    # The interrupted attempt is counted and shown.
    assert (stored.attempts, stored.last_error) == (1, LEASE_EXPIRED)


def test_a_sent_or_failed_message_is_never_claimed_again(db, smtp, sender):
    sent, failed = queue_mails(2)
    failed.status = OutboxStatus.failed
    db.session.commit()
    now = utcnow()
    assert send_due(sender=sender, now=now).sent == 1

    for later in (dt.timedelta(0), LEASE, dt.timedelta(days=1), dt.timedelta(days=400)):
        assert claim_next(now=now + later, lease_until=now + later + LEASE) is None
    assert _stored(db, sent.id).status == OutboxStatus.sent
    assert [mail["Message-ID"] for mail in smtp.messages] == [f"<{sent.id}@fritidsguide.test>"]


def test_a_message_interrupted_at_every_attempt_fails_without_being_sent_again(db, smtp, sender):
    (message,) = queue_mails(1)
    message.status = OutboxStatus.sending
    message.attempts = MAX_ATTEMPTS - 1
    message.next_attempt_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()

    report = send_due(sender=sender)

    assert (report.sent, report.failed) == (0, 1)
    assert smtp.messages == []
    stored = _stored(db, message.id)
    assert (stored.status, stored.attempts) == (OutboxStatus.failed, MAX_ATTEMPTS)
    assert stored.last_error == LEASE_EXPIRED


def test_the_lease_comes_from_the_settings_and_cannot_be_zero(app, make_app):
    with app.app_context():
        assert lease_length() == dt.timedelta(minutes=3)  # the default
    with make_app(outbox_lease_seconds=45).app_context():
        assert lease_length() == dt.timedelta(seconds=45)
    with make_app(outbox_lease_seconds=0).app_context(), pytest.raises(SettingsError):
        lease_length()
