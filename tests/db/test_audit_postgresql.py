"""The audit log on PostgreSQL: the trigger that keeps it append-only, and real concurrency.

SQLite has neither: it has no such trigger (the session's guard stands alone there), and
its single writer cannot commit events out of order, so these tests need PostgreSQL.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from guide.audit.models import AuditEvent
from guide.audit.sealing import seal_pending
from guide.audit.services import record_event, write_pending_events
from guide.audit.verification import verify_chain
from tests import factories
from tests.conftest import uses_postgresql
from tests.web.helpers import signed_in_as

pytestmark = pytest.mark.skipif(
    not uses_postgresql(), reason="PostgreSQL only: its trigger and its out-of-order commits"
)

THREADS = 8
EVENTS_PER_THREAD = 500


def refused(db, sql: str, **params: object) -> None:
    db.session.commit()
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text(sql), params)


def three_events(db) -> list[int]:
    """Two sealed events and a third written after: their sequence numbers."""
    for _ in range(2):
        record_event("case_viewed")
        db.session.commit()
    seal_pending()
    record_event("case_list_viewed")
    db.session.commit()
    return db.session.scalars(
        select(AuditEvent.sequence_number).order_by(AuditEvent.sequence_number)
    ).all()


def test_the_database_refuses_to_update_a_sealed_event(db):
    sealed, _, _ = three_events(db)
    refused(
        db,
        "UPDATE audit_events SET details = '{\"rows\": 1}' WHERE sequence_number = :n",
        n=sealed,
    )
    refused(db, "UPDATE audit_events SET chain_position = 7 WHERE sequence_number = :n", n=sealed)


def test_the_database_refuses_to_update_a_waiting_event_except_to_seal_it(db):
    _, _, waiting = three_events(db)
    refused(db, "UPDATE audit_events SET action = 'other' WHERE sequence_number = :n", n=waiting)
    refused(
        db,
        "UPDATE audit_events SET chain_position = 3, previous_hash = 'a', event_hash = 'b', "
        "actor_id = NULL, action = 'other' WHERE sequence_number = :n",
        n=waiting,
    )
    # A seal must name its predecessor, unless it is the first of the chain.
    refused(
        db,
        "UPDATE audit_events SET chain_position = 3, event_hash = 'b' WHERE sequence_number = :n",
        n=waiting,
    )

    assert seal_pending() == 1  # the sealer's own write goes through
    assert verify_chain().checked == 3


def test_the_database_refuses_to_delete_or_truncate_audit_events(db):
    sealed, _, waiting = three_events(db)
    refused(db, "DELETE FROM audit_events WHERE sequence_number = :n", n=sealed)
    refused(db, "DELETE FROM audit_events WHERE sequence_number = :n", n=waiting)
    refused(db, "TRUNCATE audit_events")

    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 3


def test_the_database_numbers_events_itself(db):
    db.session.commit()
    with pytest.raises(DBAPIError), db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_events (sequence_number, id, action, occurred_at, details) "
                "VALUES (1, gen_random_uuid(), 'made_up', now(), '{}')"
            )
        )


def test_an_event_committed_after_a_later_one_was_sealed_is_sealed_after_it(app, db):
    # Each app context has a session (a connection, a transaction) of its own.
    with app.app_context():
        record_event("case_viewed")
        write_pending_events(db.session)  # numbered first, committed last
        with app.app_context():
            record_event("case_list_viewed")
            db.session.commit()
            assert seal_pending() == 1  # the first is not visible yet, so it is not sealed
        db.session.commit()
        db.session.remove()

    assert seal_pending() == 1

    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.sequence_number, AuditEvent.chain_position).order_by(
            AuditEvent.chain_position
        )
    ).all()
    assert [(action, position) for action, _, position in rows] == [
        ("case_list_viewed", 1),
        ("case_viewed", 2),
    ]
    assert rows[0].sequence_number > rows[1].sequence_number
    report = verify_chain()
    assert report.is_intact and (report.checked, report.waiting) == (2, 0)


def test_eight_writers_and_a_sealer_at_once_leave_one_chain(app, db):
    """The acceptance test: 8 threads x 500 audited requests, sealed while they are written."""
    organisations = [factories.organisation() for _ in range(2)]
    db.session.commit()
    clients = []
    for number in range(THREADS):
        client = app.test_client()
        signed_in_as(client, organisations[number % 2], "coordinator")
        clients.append(client)
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    errors: list[str] = []
    writers_done = threading.Event()

    def write(client) -> None:
        for _ in range(EVENTS_PER_THREAD):
            # The case list is an audited read: one event per request.
            status = client.get("/cases").status_code
            if status != 200:
                errors.append(f"case list answered {status}")
                return

    def seal_while_written() -> None:
        with app.app_context():
            while not writers_done.is_set():
                try:
                    seal_pending(batch_size=200)
                except Exception as error:  # reported by the test, not swallowed
                    errors.append(repr(error))
                    return
                time.sleep(0.05)

    writers = [threading.Thread(target=write, args=(client,)) for client in clients]
    sealer = threading.Thread(target=seal_while_written)
    for thread in [sealer, *writers]:
        thread.start()
    for thread in writers:
        thread.join(600)
    writers_done.set()
    sealer.join(30)
    seal_pending()

    total = before + THREADS * EVENTS_PER_THREAD
    assert errors == []
    report = verify_chain()
    assert report.is_intact, report.first_break
    assert (report.checked, report.waiting) == (total, 0)
    forks = db.session.execute(
        select(AuditEvent.previous_hash).group_by(AuditEvent.previous_hash).having(func.count() > 1)
    ).all()
    assert forks == []
    positions = db.session.execute(
        select(
            func.count(AuditEvent.chain_position),
            func.count(AuditEvent.chain_position.distinct()),
            func.min(AuditEvent.chain_position),
            func.max(AuditEvent.chain_position),
        )
    ).one()
    assert tuple(positions) == (total, total, 1, total)
