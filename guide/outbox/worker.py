"""The outbox worker: sends due messages, retries with back-off, and is safe to run twice.

A worker *claims* a batch with one UPDATE that moves the rows' ``next_attempt_at``
forward by a lease and returns their ids, then commits at once. On PostgreSQL the
rows are picked with ``FOR UPDATE SKIP LOCKED``, so a second worker takes other
rows instead of waiting; on SQLite the single UPDATE holds the write lock, which
serialises workers. Claimed rows are invisible to other workers until the lease
runs out, so a worker that dies mid-batch delays its messages; it loses none.

The lease timestamp doubles as the claim's token: results are written only where
``next_attempt_at`` still equals it, so a worker whose lease ran out cannot
overwrite what another worker recorded after it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, update

from guide.audit.sealing import seal_in_worker
from guide.database import utcnow
from guide.extensions import db
from guide.outbox.models import OutboxMessage, OutboxStatus
from guide.outbox.sender import SmtpConnection, SmtpSender, describe_failure

log = logging.getLogger(__name__)

#: After this many failed attempts a message is marked failed and left for a person to see.
MAX_ATTEMPTS = 12
FIRST_RETRY_DELAY = dt.timedelta(minutes=1)
LONGEST_RETRY_DELAY = dt.timedelta(hours=6)
#: The shortest time a claim keeps other workers away from a batch.
MIN_LEASE = dt.timedelta(minutes=5)
BATCH_SIZE = 50


@dataclass
class SendReport:
    """What one ``send_due`` run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed


def retry_delay(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failure: 1, 2, 4, 8 … minutes, at most 6 hours."""
    if attempts < 1:
        return dt.timedelta(0)
    # Cap the exponent too, so a huge count cannot build an enormous timedelta.
    return min(FIRST_RETRY_DELAY * 2 ** min(attempts - 1, 20), LONGEST_RETRY_DELAY)


def send_due(
    *, now: dt.datetime | None = None, limit: int = BATCH_SIZE, sender: SmtpSender | None = None
) -> SendReport:
    """Send up to ``limit`` queued messages that are due at ``now``; commits as it goes."""
    settings = current_app.extensions["fritidsguide.settings"]
    sender = sender or SmtpSender.from_settings(settings)
    now = now or utcnow()
    lease_until = now + max(MIN_LEASE, dt.timedelta(seconds=3 * sender.timeout_seconds * limit))
    message_ids = claim_due(now=now, lease_until=lease_until, limit=limit)
    report = SendReport()
    if not message_ids:
        return report
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids))
        .order_by(OutboxMessage.created_at)
    ).all()
    try:
        connection = sender.connect()
    except Exception as error:  # any failure to connect is a retry, not a crash
        for message in messages:
            _record_failure(message, error, now=now, lease_until=lease_until, report=report)
        db.session.commit()
        return report
    with connection:
        for message in messages:
            _send_one(connection, message, now=now, lease_until=lease_until, report=report)
            db.session.commit()
    return report


def claim_due(*, now: dt.datetime, lease_until: dt.datetime, limit: int) -> list[uuid.UUID]:
    """Take up to ``limit`` due messages for this worker until ``lease_until``; commits."""
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.queued,
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(next_attempt_at=lease_until)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return list(claimed)


def _send_one(
    connection: SmtpConnection,
    message: OutboxMessage,
    *,
    now: dt.datetime,
    lease_until: dt.datetime,
    report: SendReport,
) -> None:
    try:
        connection.send(
            recipient=message.recipient, subject=message.subject, body=message.body_text
        )
    except Exception as error:  # one bad message must not stop the batch
        _record_failure(message, error, now=now, lease_until=lease_until, report=report)
        return
    if _still_claimed(message, lease_until, status=OutboxStatus.sent, sent_at=utcnow()):
        report.sent += 1


def _record_failure(
    message: OutboxMessage,
    error: BaseException,
    *,
    now: dt.datetime,
    lease_until: dt.datetime,
    report: SendReport,
) -> None:
    message_id, attempts = message.id, message.attempts + 1
    reason = describe_failure(error)
    gave_up = attempts >= MAX_ATTEMPTS
    changes = {
        "attempts": attempts,
        "last_error": reason,
        "status": OutboxStatus.failed if gave_up else OutboxStatus.queued,
        "next_attempt_at": now + retry_delay(attempts),
    }
    if not _still_claimed(message, lease_until, **changes):
        return
    # Only the id, the count and the error class: no address, subject or body in the log.
    log.warning("Outbox message %s not sent (attempt %d): %s", message_id, attempts, reason)
    if gave_up:
        report.failed += 1
    else:
        report.retrying += 1


def _still_claimed(message: OutboxMessage, lease_until: dt.datetime, **changes: object) -> bool:
    """Write ``changes`` if this worker's claim still holds; False when another took over."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.next_attempt_at == lease_until)
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(message)
    return result.rowcount == 1


def work(
    *,
    interval_seconds: float,
    should_stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Run ``send_due`` every ``interval_seconds`` until ``should_stop()`` (or Ctrl-C)."""
    while not should_stop():
        report = SendReport()
        try:
            # Drain a backlog in full batches before pausing.
            while True:
                batch = send_due()
                report.sent += batch.sent
                report.retrying += batch.retrying
                report.failed += batch.failed
                if batch.claimed < BATCH_SIZE or batch.retrying or should_stop():
                    break
        except Exception as error:
            # A lost database connection must not end the worker; try again next round.
            # Only the class name is logged: database errors can quote row values.
            db.session.rollback()
            log.error("Outbox run failed (%s); trying again", type(error).__name__)
        finally:
            db.session.remove()
        seal_in_worker()  # links this round's audit events into the chain
        if report.claimed:
            log.info(
                "Outbox: %d sent, %d to retry, %d failed",
                report.sent,
                report.retrying,
                report.failed,
            )
        if not should_stop():
            sleep(interval_seconds)
