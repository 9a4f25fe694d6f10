"""The audit log: events are appended freely, sealed into one chain, and the chain is verified."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise

import pytest
from flask_babel import force_locale
from sqlalchemy import event, func, select, text

from guide.audit import sealing
from guide.audit.chain import link_digest
from guide.audit.models import AuditEvent, AuditLogIsAppendOnly
from guide.audit.sealing import seal_batch, seal_pending
from guide.audit.services import record_event, write_pending_events
from guide.audit.verification import BreakKind, ChainBreak, verify_chain
from guide.outbox.worker import work
from tests import factories

#: Long enough for a rival sealer that is not blocked to finish.
BLOCKED_FOR_SECONDS = 0.6


def write_events(db, count: int, **fields) -> None:
    """``count`` audited actions, each committed on its own as a request would."""
    for number in range(count):
        record_event("case_list_viewed", details={"number": number}, **fields)
        db.session.commit()


def chain(db) -> list[AuditEvent]:
    """Every sealed event, in chain order."""
    db.session.expire_all()
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.chain_position.is_not(None))
        .order_by(AuditEvent.chain_position)
    ).all()


def event_at(db, position: int) -> AuditEvent:
    return db.session.scalar(select(AuditEvent).where(AuditEvent.chain_position == position))


def tamper(db, sql: str, **params: object) -> None:
    """Change the log behind the app's back, as someone with access to the database could."""
    db.session.commit()
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # The trigger refuses this; the attacker here is a superuser with triggers off.
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text(sql), params)


def audit_cli(app, *args: str):
    """Run ``flask audit ...`` in English (the messages' source text)."""
    with force_locale("en"):
        return app.test_cli_runner().invoke(args=["audit", *args])


# --- writing -------------------------------------------------------------------------------


def test_recording_an_event_is_one_insert_at_commit_that_reads_nothing(db):
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        record_event("case_list_viewed", details={"rows": 50})
        # Nothing is written yet: a page that only reads takes no write lock as it renders.
        assert statements == []
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)

    assert len(statements) == 1
    assert statements[0].lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS")
    written = db.session.scalar(select(AuditEvent))
    assert written.details == {"rows": 50}
    assert (written.chain_position, written.previous_hash, written.event_hash) == (None,) * 3


def test_a_rollback_forgets_the_recorded_events_and_the_rest_are_written_in_order(db):
    record_event("case_list_viewed")
    db.session.rollback()
    db.session.commit()
    assert db.session.scalars(select(AuditEvent)).all() == []

    record_event("case_viewed")
    record_event("case_list_viewed")
    write_pending_events(db.session)  # to read them back before the commit
    assert [
        e.action
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.sequence_number))
    ] == ["case_viewed", "case_list_viewed"]
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 2


def test_the_database_numbers_events_in_the_order_they_are_written(db):
    write_events(db, 3)

    numbered = db.session.execute(
        select(AuditEvent.sequence_number, AuditEvent.details).order_by(AuditEvent.occurred_at)
    ).all()
    assert [details["number"] for _, details in numbered] == [0, 1, 2]
    numbers = [number for number, _ in numbered]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3


def test_an_event_rolled_back_with_its_request_is_not_kept(db):
    record_event("case_viewed")
    db.session.rollback()

    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_the_session_refuses_to_change_events_through_the_table_too(db):
    write_events(db, 1)

    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(AuditEvent.__table__.update().values(action="rewritten"))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(AuditEvent.__table__.delete())
    db.session.rollback()


# --- sealing -------------------------------------------------------------------------------


def test_sealing_links_events_into_one_chain_in_sequence_order(db):
    org, other = factories.organisation(), factories.organisation()
    db.session.commit()
    write_events(db, 2, organisation_id=org.id)
    write_events(db, 2, organisation_id=other.id)
    write_events(db, 1)

    assert seal_pending() == 5

    linked = chain(db)
    assert [e.chain_position for e in linked] == [1, 2, 3, 4, 5]
    numbers = [e.sequence_number for e in linked]
    assert numbers == sorted(numbers)
    assert linked[0].previous_hash is None
    for before, after in pairwise(linked):
        assert after.previous_hash == before.event_hash
    assert len({e.event_hash for e in linked}) == 5
    # One chain across organisations, events outside any organisation included.
    assert {e.organisation_id for e in linked} == {org.id, other.id, None}


def test_events_written_after_a_seal_extend_the_same_chain(db):
    write_events(db, 2)
    seal_pending()
    head = event_at(db, 2).event_hash
    write_events(db, 3)

    assert seal_pending() == 3

    assert [e.chain_position for e in chain(db)] == [1, 2, 3, 4, 5]
    assert event_at(db, 3).previous_hash == head
    assert seal_pending() == 0


def test_sealing_commits_once_per_batch(db):
    write_events(db, 5)
    commits: list[int] = []
    event.listen(db.session, "after_commit", lambda _session: commits.append(1))

    assert seal_pending(batch_size=2) == 5

    assert len(commits) == 3  # 2 + 2 + 1
    assert verify_chain().checked == 5


def test_a_batch_size_below_one_is_refused(db):
    with pytest.raises(ValueError, match="at least 1"):
        seal_batch(0)


def test_the_outbox_worker_seals_what_was_written(app, db):
    write_events(db, 4)
    rounds: list[float] = []
    work(interval_seconds=1, should_stop=lambda: len(rounds) >= 1, sleep=rounds.append)

    report = verify_chain()
    assert (report.checked, report.waiting) == (4, 0)


def test_a_failed_seal_is_logged_and_the_worker_goes_on(app, db, monkeypatch, caplog):
    def broken_seal(**_kwargs: object) -> int:
        raise RuntimeError("connection lost to db.example.org")

    monkeypatch.setattr(sealing, "seal_pending", broken_seal)
    rounds: list[float] = []
    work(interval_seconds=1, should_stop=lambda: len(rounds) >= 2, sleep=rounds.append)

    assert len(rounds) == 2
    assert "Audit sealing failed (RuntimeError)" in caplog.text
    assert "db.example.org" not in caplog.text


# --- two sealers ---------------------------------------------------------------------------


@contextmanager
def own_session(app) -> Iterator:
    """A fresh app context: a database session of its own, as another process would have."""
    from guide.extensions import db

    with app.app_context():
        try:
            yield db.session
        finally:
            db.session.rollback()
            db.session.remove()


def rival_sealer(app, outcome: dict) -> threading.Thread:
    def run() -> None:
        with own_session(app):
            try:
                outcome["sealed"] = seal_pending(batch_size=4)
            except Exception as error:  # reported by the test, not swallowed
                outcome["error"] = type(error).__name__

    thread = threading.Thread(target=run, name="rival-sealer")
    thread.start()
    return thread


def test_a_second_sealer_waits_for_the_first_and_continues_its_chain(app, db):
    write_events(db, 10)
    outcome: dict = {}
    with own_session(app) as first:
        assert seal_batch(4) == 4  # holds the sealer's lock, uncommitted
        rival = rival_sealer(app, outcome)
        rival.join(BLOCKED_FOR_SECONDS)
        assert rival.is_alive(), f"the rival did not wait for the first sealer: {outcome}"
        first.commit()
    rival.join(30)
    assert not rival.is_alive()

    assert outcome == {"sealed": 6}
    linked = chain(db)
    assert [e.chain_position for e in linked] == list(range(1, 11))
    assert len({e.sequence_number for e in linked}) == 10
    report = verify_chain()
    assert report.is_intact and (report.checked, report.waiting) == (10, 0)


def test_without_the_sealer_lock_the_second_sealer_would_fork(app, db, monkeypatch):
    """The control: the test above fails if sealers stop taking turns."""
    monkeypatch.setattr(sealing, "_take_sealer_lock", lambda: None)
    write_events(db, 10)
    outcome: dict = {}
    with own_session(app) as first:
        seal_batch(4)
        rival = rival_sealer(app, outcome)
        rival.join(BLOCKED_FOR_SECONDS)
        first.commit()
    rival.join(30)

    # The rival read the same head and tried the same positions; only the database's
    # write-once seal columns (and unique positions) stop it.
    assert "error" in outcome, outcome
    assert [e.chain_position for e in chain(db)] == [1, 2, 3, 4]


# --- verifying -----------------------------------------------------------------------------


def test_verify_passes_on_a_clean_log_and_counts_what_waits(db):
    write_events(db, 3)
    seal_pending()
    write_events(db, 2)

    report = verify_chain()

    assert report.is_intact
    assert (report.checked, report.waiting) == (3, 2)


def test_verify_passes_on_an_empty_log(db):
    report = verify_chain()
    assert report.is_intact and (report.checked, report.waiting) == (0, 0)


def test_verify_names_an_event_whose_details_were_changed(db):
    write_events(db, 5)
    seal_pending()
    changed = event_at(db, 3)

    tamper(
        db,
        "UPDATE audit_events SET details = :details WHERE sequence_number = :number",
        details='{"number": 99}',
        number=changed.sequence_number,
    )

    assert verify_chain().first_break == ChainBreak(changed.id, 3, BreakKind.changed)


def test_verify_names_the_event_after_a_deleted_one(db):
    write_events(db, 5)
    seal_pending()
    removed, next_one = event_at(db, 3), event_at(db, 4)

    tamper(db, "DELETE FROM audit_events WHERE sequence_number = :n", n=removed.sequence_number)

    assert verify_chain().first_break == ChainBreak(next_one.id, 4, BreakKind.gap)


def test_verify_names_events_whose_places_were_swapped(db):
    write_events(db, 4)
    seal_pending()
    second, third = event_at(db, 2), event_at(db, 3)

    for number, position in ((second.sequence_number, -1), (third.sequence_number, 2)):
        tamper(
            db,
            "UPDATE audit_events SET chain_position = :p WHERE sequence_number = :n",
            p=position,
            n=number,
        )
    tamper(db, "UPDATE audit_events SET chain_position = 3 WHERE chain_position = -1")

    assert verify_chain().first_break == ChainBreak(third.id, 2, BreakKind.changed)


def test_verify_names_a_fork_even_when_every_hash_is_valid(db):
    """Two events linked to the same predecessor, as the old writers did, by a key holder."""
    write_events(db, 3)
    assert seal_batch(1) == 1
    db.session.commit()
    head = event_at(db, 1)
    waiting = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.chain_position.is_(None))
        .order_by(AuditEvent.sequence_number)
    ).all()
    for position, forked in enumerate(waiting, start=2):
        digest = link_digest(forked, position=position, previous_hash=head.event_hash)
        tamper(
            db,
            "UPDATE audit_events SET chain_position = :p, previous_hash = :prev, event_hash = :h "
            "WHERE sequence_number = :n",
            p=position,
            prev=head.event_hash,
            h=digest,
            n=forked.sequence_number,
        )

    assert verify_chain().first_break == ChainBreak(waiting[1].id, 3, BreakKind.link)


# --- the commands --------------------------------------------------------------------------


def test_audit_seal_and_verify_commands_on_a_clean_log(app, db):
    write_events(db, 3)

    sealed = audit_cli(app, "seal")
    assert sealed.exit_code == 0, sealed.output
    assert "Sealed 3 audit event(s)." in sealed.output

    write_events(db, 1)
    verified = audit_cli(app, "verify")
    assert verified.exit_code == 0, verified.output
    assert "Checked 3 sealed audit event(s); 1 wait to be sealed." in verified.output
    assert "intact" in verified.output


def test_audit_verify_names_the_first_broken_event_and_fails(app, db):
    write_events(db, 3)
    seal_pending()
    changed = event_at(db, 2)
    tamper(
        db,
        "UPDATE audit_events SET action = 'nothing_happened' WHERE sequence_number = :n",
        n=changed.sequence_number,
    )

    result = audit_cli(app, "verify")

    assert result.exit_code != 0
    assert "Checked 2 sealed audit event(s)" in result.output
    assert f"position 2 (event {changed.id})" in result.output
    assert "changed" in result.output
