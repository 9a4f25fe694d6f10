"""The tasks' part of the outbox worker's round: sweeps every hour, digests every few minutes.

A failure is logged by its class name only (database errors can quote row values) and
never stops the worker; the next round tries again. Both steps are idempotent, so two
workers running them at once raise no task twice and send no digest twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from guide.database import utcnow
from guide.dates import local_date
from guide.extensions import db
from guide.tasks.mail import people_due_a_digest, send_digest
from guide.tasks.sweeps import SweepReport, active_organisations, sweep_organisation

log = logging.getLogger(__name__)

SWEEP_EVERY = dt.timedelta(hours=1)
DIGEST_EVERY = dt.timedelta(minutes=5)


@dataclass
class TaskRounds:
    """When this worker last swept and sent digests (kept in the worker process only)."""

    last_sweep: dt.datetime | None = None
    last_digest: dt.datetime | None = None

    def run_due(self, now: dt.datetime | None = None) -> None:
        now = now or utcnow()
        if self.last_sweep is None or now - self.last_sweep >= SWEEP_EVERY:
            self.last_sweep = now
            _safely("Task sweep", sweep)
        if self.last_digest is None or now - self.last_digest >= DIGEST_EVERY:
            self.last_digest = now
            _safely("Task digests", lambda: send_digests(now=now))


def sweep(*, today: dt.date | None = None) -> SweepReport:
    """Sweep every active organisation; one commit per organisation."""
    today = today or local_date()
    report = SweepReport()
    for organisation in active_organisations():
        sweep_organisation(organisation, today=today, report=report)
        db.session.commit()
    return report


def send_digests(*, now: dt.datetime | None = None) -> int:
    """Queue the day's digests (from ``DIGEST_HOUR``); one commit per person; how many went."""
    now = now or utcnow()
    sent = 0
    for user_id in people_due_a_digest(now):
        try:
            sent += send_digest(user_id, now=now)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # another worker sent this person's digest today
    return sent


def _safely(name: str, step: Callable[[], object]) -> None:
    try:
        step()
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.error("%s failed (%s); trying again next round", name, type(error).__name__)
    finally:
        db.session.remove()
