"""The outbox worker: sends due messages one at a time, each under its own short lease.

A worker *claims* one message with one UPDATE that sets its status to ``sending`` and
moves its ``next_attempt_at`` to the end of a lease (``outbox_lease_seconds``), and
commits at once. It then hands the mail to SMTP and records the outcome in a second
commit. On PostgreSQL the row is picked with ``FOR UPDATE SKIP LOCKED``, so a second
worker takes another message instead of waiting; on SQLite the UPDATE holds the write
lock, which serialises claims. The UPDATE also checks again that the row is still due,
so two workers never hold the same message at once.

A worker that dies, or loses its database connection, between handing a mail to SMTP
and recording it leaves only that one message ``sending``. When its lease runs out, any
worker claims it again, counts the interrupted attempt and sends it again under the same
``Message-ID`` header (derived from the row's id), so a repeat is recognisable. Every
other message is untouched and goes out at once.

The lease end doubles as the claim's token: results are written only where
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
from guide.outbox.sender import SmtpSender, SmtpSession, describe_failure
from guide.settings import SettingsError
from guide.submissions import forget_old_submissions
from guide.tasks.worker import TaskRounds

log = logging.getLogger(__name__)

#: After this many failed attempts a message is marked failed and left for a person to see.
MAX_ATTEMPTS = 12
FIRST_RETRY_DELAY = dt.timedelta(minutes=1)
LONGEST_RETRY_DELAY = dt.timedelta(hours=6)
#: Most messages one run sends over one SMTP connection.
BATCH_SIZE = 50
#: ``last_error`` of a message whose worker stopped while sending it.
LEASE_EXPIRED = "LeaseExpired"


@dataclass
class SendReport:
    """What one ``send_due`` run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed


@dataclass(frozen=True)
class Claim:
    """A message this worker holds until ``lease_until``."""

    message_id: uuid.UUID
    lease_until: dt.datetime
    #: The previous worker's lease ran out before it recorded an outcome.
    interrupted: bool


def retry_delay(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failure: 1, 2, 4, 8 … minutes, at most 6 hours."""
    if attempts < 1:
        return dt.timedelta(0)
    # Cap the exponent too, so a huge count cannot build an enormous timedelta.
    return min(FIRST_RETRY_DELAY * 2 ** min(attempts - 1, 20), LONGEST_RETRY_DELAY)


def lease_length() -> dt.timedelta:
    """How long a claim keeps other workers away from one message."""
    seconds = current_app.extensions["fritidsguide.settings"].outbox_lease_seconds
    if seconds < 1:
        # Without a lease every worker would take every message at once.
        raise SettingsError(f"Setting outbox_lease_seconds must be at least 1, not {seconds}")
    return dt.timedelta(seconds=seconds)


def send_due(
    *, now: dt.datetime | None = None, limit: int = BATCH_SIZE, sender: SmtpSender | None = None
) -> SendReport:
    """Send up to ``limit`` due messages over one SMTP connection; one commit per step."""
    sender = sender or SmtpSender.from_settings(current_app.extensions["fritidsguide.settings"])
    lease = lease_length()
    report = SendReport()
    with sender.session() as smtp:
        for _ in range(limit):
            claimed_at = now or utcnow()
            claim = claim_next(now=claimed_at, lease_until=claimed_at + lease)
            if claim is None:
                break
            _send_one(smtp, claim, now=claimed_at, report=report)
            db.session.commit()
    return report


def claim_next(*, now: dt.datetime, lease_until: dt.datetime) -> Claim | None:
    """Take the longest-waiting due message for this worker until ``lease_until``; commits."""
    # A message whose worker stopped mid-send goes first: it has waited longest.
    claim = _claim_one(OutboxStatus.sending, now=now, lease_until=lease_until) or _claim_one(
        OutboxStatus.queued, now=now, lease_until=lease_until
    )
    db.session.commit()
    return claim


def _claim_one(status: OutboxStatus, *, now: dt.datetime, lease_until: dt.datetime) -> Claim | None:
    interrupted = status is OutboxStatus.sending
    due = (OutboxMessage.status == status, OutboxMessage.next_attempt_at <= now)
    oldest_due = (
        select(OutboxMessage.id)
        .where(*due)
        .order_by(OutboxMessage.next_attempt_at)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    # An interrupted attempt counts: a message that keeps stopping workers ends up failed.
    counted = {"attempts": OutboxMessage.attempts + 1, "last_error": LEASE_EXPIRED}
    message_id = db.session.scalar(
        update(OutboxMessage)
        # Checked again on the row itself, so a claim committed meanwhile by another worker wins.
        .where(OutboxMessage.id == oldest_due, *due)
        .values(
            status=OutboxStatus.sending,
            next_attempt_at=lease_until,
            **(counted if interrupted else {}),
        )
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    return None if message_id is None else Claim(message_id, lease_until, interrupted)


def _send_one(smtp: SmtpSession, claim: Claim, *, now: dt.datetime, report: SendReport) -> None:
    # Read afresh: the claim changed the row behind the session's back.
    message = db.session.get_one(OutboxMessage, claim.message_id, populate_existing=True)
    if claim.interrupted:
        # The id only. The mail may have reached its recipient: it goes again, same Message-ID.
        log.warning("Outbox message %s was interrupted while sending", message.id)
        if message.attempts >= MAX_ATTEMPTS:
            reason, attempts = LEASE_EXPIRED, message.attempts
            _record_failure(
                message, claim, attempts=attempts, reason=reason, now=now, report=report
            )
            return
    try:
        smtp.send(
            key=message.id,
            recipient=message.recipient,
            subject=message.subject,
            body=message.body_text,
        )
    except Exception as error:  # one bad message must not stop the run
        reason, attempts = describe_failure(error), message.attempts + 1
        _record_failure(message, claim, attempts=attempts, reason=reason, now=now, report=report)
        return
    if _still_claimed(message, claim.lease_until, status=OutboxStatus.sent, sent_at=utcnow()):
        report.sent += 1


def _record_failure(
    message: OutboxMessage,
    claim: Claim,
    *,
    attempts: int,
    reason: str,
    now: dt.datetime,
    report: SendReport,
) -> None:
    message_id = message.id
    gave_up = attempts >= MAX_ATTEMPTS
    changes = {
        "attempts": attempts,
        "last_error": reason,
        "status": OutboxStatus.failed if gave_up else OutboxStatus.queued,
        "next_attempt_at": now + retry_delay(attempts),
    }
    if not _still_claimed(message, claim.lease_until, **changes):
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
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.status == OutboxStatus.sending,
            OutboxMessage.next_attempt_at == lease_until,
        )
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(message)
    return result.rowcount == 1


def _forget_old_submissions() -> None:
    """Drop form-submission tokens past their time; a failure is logged, never raised."""
    try:
        forget_old_submissions()
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.error("Forgetting old form submissions failed (%s)", type(error).__name__)
    finally:
        db.session.remove()


def work(
    *,
    interval_seconds: float,
    should_stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Run ``send_due`` every ``interval_seconds`` until ``should_stop()`` (or Ctrl-C).

    Each round also seals the audit chain, forgets old form submissions, and runs the
    tasks' sweeps and daily digests when they are due (guide.tasks.worker).
    """
    task_rounds = TaskRounds()
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
        _forget_old_submissions()
        task_rounds.run_due()  # tasks time made due; the day's digests
        if report.claimed:
            log.info(
                "Outbox: %d sent, %d to retry, %d failed",
                report.sent,
                report.retrying,
                report.failed,
            )
        if not should_stop():
            sleep(interval_seconds)
