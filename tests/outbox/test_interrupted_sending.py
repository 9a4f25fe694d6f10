"""A worker stopped between SMTP and the database repeats at most the message in flight.

The repeat carries the same Message-ID, and it waits only for that message's lease: the
other messages are never held.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from guide.database import utcnow
from guide.outbox.models import OutboxMessage, OutboxStatus
from guide.outbox.sender import SmtpSession
from guide.outbox.worker import LEASE_EXPIRED, lease_length, send_due
from guide.settings import ENV_PREFIX, PLAIN_ENV_NAMES
from tests.outbox.conftest import MAIL_FROM
from tests.outbox.test_claiming import queue_mails
from tests.smtp import HOST
from tests.web.helpers import same_keys

PROJECT = Path(__file__).resolve().parents[2]
#: Short, so the test waits for a lease to run out in seconds.
LEASE_SECONDS = 2
#: Time for a worker to notice due mail and send it (it checks every 0.2 s).
SLACK = dt.timedelta(seconds=5)


def message_id_header(message: OutboxMessage) -> str:
    return f"<{message.id}@fritidsguide.test>"


def _rows_by_header(db) -> dict[str, OutboxMessage]:
    db.session.rollback()  # a fresh snapshot: the worker wrote since
    db.session.expire_all()
    return {message_id_header(row): row for row in db.session.scalars(select(OutboxMessage))}


def _wait_for(condition: Callable[[], bool], *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _worker_environment(app, database_url: str, smtp_port: int, instance: Path) -> dict[str, str]:
    """The environment of a worker process on the test database, with the test's keys."""
    settings = same_keys(
        app,
        database_url,
        smtp_host=HOST,
        smtp_port=smtp_port,
        mail_from=MAIL_FROM,
        outbox_lease_seconds=LEASE_SECONDS,
        instance_path=str(instance),
    )
    environment = dict(os.environ)
    for name, value in settings.items():
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        environment[PLAIN_ENV_NAMES.get(name, ENV_PREFIX + name.upper())] = shown
    return environment


@contextmanager
def running_worker(environment: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """``flask outbox work`` in its own process, started and ready; killed at the end."""
    command = [sys.executable, "-m", "flask", "--app", "guide", "outbox", "work"]
    with (
        log.open("a") as log_file,
        subprocess.Popen(
            [*command, "--interval", "0.2"],
            cwd=PROJECT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
        ) as worker,
    ):
        try:
            started = worker.stdout.readline()
            assert started.startswith("Outbox worker started"), log.read_text()[-3000:]
            yield worker
        finally:
            worker.kill()
            worker.wait(10)


def test_a_worker_killed_mid_send_repeats_only_that_message_after_its_lease(
    app, database_url, db, smtp, tmp_path
):
    headers = {message_id_header(message) for message in queue_mails(5)}
    environment = _worker_environment(app, database_url, smtp.port, tmp_path)
    log = tmp_path / "workers.log"
    # The server takes the third mail, then stalls before answering "250".
    smtp.hold_reply_to(3)

    with running_worker(environment, log) as first:
        assert smtp.holding.wait(30), log.read_text()[-3000:]
        first.kill()  # SIGKILL: no clean-up of any kind
        first.wait(10)
    smtp.release()

    in_flight = smtp.messages[2]["Message-ID"]
    rows = _rows_by_header(db)
    assert set(rows) == headers
    # What the crash left: only the message in flight is held, until its lease runs out.
    statuses = Counter(row.status for row in rows.values())
    assert statuses == {OutboxStatus.sent: 2, OutboxStatus.sending: 1, OutboxStatus.queued: 2}
    assert rows[in_flight].status == OutboxStatus.sending
    lease_end = rows[in_flight].next_attempt_at
    assert lease_end <= smtp.received_at[2] + dt.timedelta(seconds=LEASE_SECONDS)

    with running_worker(environment, log):
        restarted = utcnow()
        assert _wait_for(
            lambda: all(row.status == OutboxStatus.sent for row in _rows_by_header(db).values()),
            seconds=LEASE_SECONDS + 30,
        ), log.read_text()[-3000:]

    # Every mail arrived; only the one in flight twice, both times under its Message-ID.
    received = Counter(mail["Message-ID"] for mail in smtp.messages)
    assert received == {header: 2 if header == in_flight else 1 for header in headers}
    (first_copy, _), (repeat, repeat_at) = (
        (mail, at)
        for mail, at in zip(smtp.messages, smtp.received_at, strict=True)
        if mail["Message-ID"] == in_flight
    )
    assert repeat["To"] == first_copy["To"]
    assert repeat.get_content() == first_copy.get_content()
    # The repeat waited for the lease, and nothing waited longer than that.
    assert repeat_at >= lease_end
    assert max(smtp.received_at) <= max(restarted, lease_end) + SLACK
    # What an operator sees: the count and the cause on the row, the id in the log.
    stored = _rows_by_header(db)[in_flight]
    assert (stored.attempts, stored.last_error) == (1, LEASE_EXPIRED)
    worker_log = log.read_text()
    assert f"Outbox message {stored.id} was interrupted while sending" in worker_log
    assert "@example.test" not in worker_log


def test_a_lost_database_connection_after_smtp_repeats_only_that_message(
    db, smtp, sender, monkeypatch
):
    messages = queue_mails(3)
    hand_over = SmtpSession.send
    lost: list[str] = []

    def send_then_lose_the_database(session: SmtpSession, **mail: object) -> None:
        hand_over(session, **mail)
        if not lost:
            lost.append(f"<{mail['key']}@fritidsguide.test>")
            db.session.connection().connection.dbapi_connection.close()

    monkeypatch.setattr(SmtpSession, "send", send_then_lose_the_database)
    started = utcnow()

    with pytest.raises(DBAPIError):
        send_due(sender=sender, now=started)
    db.session.rollback()  # as the worker loop does

    # The next run sends the others at once; the one in flight waits for its lease.
    assert send_due(sender=sender, now=started + dt.timedelta(seconds=1)).sent == 2
    assert send_due(sender=sender, now=started + lease_length()).sent == 1

    received = Counter(mail["Message-ID"] for mail in smtp.messages)
    (in_flight,) = lost
    assert received == {
        message_id_header(message): 2 if message_id_header(message) == in_flight else 1
        for message in messages
    }
    rows = _rows_by_header(db)
    assert {row.status for row in rows.values()} == {OutboxStatus.sent}
    assert rows[in_flight].last_error == LEASE_EXPIRED
