"""A share and a withdrawal of the same consent, on two connections: never a share after it.

Each side runs in its own thread with its own app context, so each has its own session and
database connection, exactly as two requests would. The share takes the consent lock
(``SELECT ... FOR UPDATE`` on PostgreSQL, the database write lock on SQLite) before it
decides, and the withdrawal takes the same lock before it is dated.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from consent import Category
from guide.accounts.models import User
from guide.activities.models import Club
from guide.cases.models import Child
from guide.consents.models import Consent, ConsentWithdrawal, Share
from guide.consents.services import withdraw_consent
from guide.consents.sharing import ShareRefused, share_with_club
from guide.extensions import db as _db
from tests.sharing_helpers import give, scene

CATEGORIES = (Category.IDENTITY, Category.CONTACT)
#: Long enough for a thread that is not blocked to finish its work.
SETTLE_SECONDS = 0.5
#: Far longer than any lock is held; a thread still running after this is a deadlock.
JOIN_SECONDS = 30


@dataclass
class Ids:
    child: uuid.UUID
    club: uuid.UUID
    consent: uuid.UUID
    coordinator: uuid.UUID


@dataclass
class Side:
    """One side of the race in a thread: it may wait for ``go_commit`` before committing."""

    go_commit: threading.Event = field(default_factory=threading.Event)
    ready: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    outcome: str = ""
    error: BaseException | None = None


@pytest.fixture
def ids(db) -> Ids:
    s = scene()
    consent = give(s, CATEGORIES)
    db.session.commit()
    return Ids(s.child.id, s.club.id, consent.id, s.coordinator.id)


def _share(app, ids: Ids, side: Side, *, hold: bool, start: threading.Barrier | None = None):
    try:
        with app.test_request_context():
            session = _db.session
            child, club = session.get(Child, ids.child), session.get(Club, ids.club)
            by = session.get(User, ids.coordinator)
            if start is not None:
                start.wait()
            try:
                share_with_club(child=child, club=club, categories=CATEGORIES, by=by)
                side.outcome = "shared"
            except ShareRefused:
                side.outcome = "refused"
            side.ready.set()
            if hold:
                side.go_commit.wait(JOIN_SECONDS)
            session.commit()
            session.remove()
    except BaseException as error:  # reported by the test thread
        side.error = error
    finally:
        side.ready.set()
        side.done.set()


def _withdraw(app, ids: Ids, side: Side, *, hold: bool, start: threading.Barrier | None = None):
    try:
        with app.test_request_context():
            session = _db.session
            consent = session.get(Consent, ids.consent)
            if start is not None:
                start.wait()
            withdraw_consent(consent, by=None, channel="phone")
            side.outcome = "withdrawn"
            side.ready.set()
            if hold:
                side.go_commit.wait(JOIN_SECONDS)
            session.commit()
            session.remove()
    except BaseException as error:  # reported by the test thread
        side.error = error
    finally:
        side.ready.set()
        side.done.set()


def _run(target, *args, **kwargs) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, kwargs=kwargs, daemon=True)
    thread.start()
    return thread


def _finish(*threads_and_sides) -> None:
    for thread, side in threads_and_sides:
        thread.join(JOIN_SECONDS)
        assert not thread.is_alive(), "a side of the race never finished (deadlock?)"
        if side.error is not None:
            raise side.error


def _stored(db) -> tuple[list[Share], list[ConsentWithdrawal]]:
    db.session.expire_all()
    return (
        list(db.session.scalars(select(Share))),
        list(db.session.scalars(select(ConsentWithdrawal))),
    )


def _assert_never_shared_after_withdrawal(db) -> None:
    shares, withdrawals = _stored(db)
    withdrawn_at = {w.consent_id: w.withdrawn_at for w in withdrawals}
    for share in shares:
        if share.consent_id in withdrawn_at:
            assert share.shared_at < withdrawn_at[share.consent_id]


def test_a_withdrawal_waits_for_a_share_holding_the_lock_and_is_dated_after_it(app, db, ids):
    sharing, withdrawing = Side(), Side()
    share_thread = _run(_share, app, ids, sharing, hold=True)
    assert sharing.ready.wait(JOIN_SECONDS)
    withdraw_thread = _run(_withdraw, app, ids, withdrawing, hold=False)

    # The withdrawal cannot get past the lock while the share's transaction is open.
    assert not withdrawing.done.wait(SETTLE_SECONDS)
    sharing.go_commit.set()
    _finish((share_thread, sharing), (withdraw_thread, withdrawing))

    assert (sharing.outcome, withdrawing.outcome) == ("shared", "withdrawn")
    shares, withdrawals = _stored(db)
    assert len(shares) == 1 and len(withdrawals) == 1
    assert shares[0].shared_at < withdrawals[0].withdrawn_at


def test_a_share_waiting_for_a_withdrawal_holding_the_lock_is_refused(app, db, ids):
    sharing, withdrawing = Side(), Side()
    withdraw_thread = _run(_withdraw, app, ids, withdrawing, hold=True)
    assert withdrawing.ready.wait(JOIN_SECONDS)
    share_thread = _run(_share, app, ids, sharing, hold=False)

    assert not sharing.done.wait(SETTLE_SECONDS)
    withdrawing.go_commit.set()
    _finish((withdraw_thread, withdrawing), (share_thread, sharing))

    assert (sharing.outcome, withdrawing.outcome) == ("refused", "withdrawn")
    shares, withdrawals = _stored(db)
    assert shares == [] and len(withdrawals) == 1


@pytest.mark.parametrize("round_number", range(8))
def test_started_together_either_order_is_fine_but_never_a_share_after_withdrawal(
    app, db, ids, round_number
):
    sharing, withdrawing = Side(), Side()
    start = threading.Barrier(2)
    threads = [
        (_run(_share, app, ids, sharing, hold=False, start=start), sharing),
        (_run(_withdraw, app, ids, withdrawing, hold=False, start=start), withdrawing),
    ]
    _finish(*threads)

    assert withdrawing.outcome == "withdrawn"
    assert sharing.outcome in {"shared", "refused"}
    _assert_never_shared_after_withdrawal(db)
