"""Two coordinators approve the last money in a fund at once: exactly one approval passes.

Each approval runs in its own app context, so it has its own ``db.session`` and its own
connection from ``db.engine``: two database sessions, as two requests would have.
"""

from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from guide.accounts.models import User
from guide.audit.models import AuditEvent
from guide.support import services
from guide.support.models import GrantStatus, SupportGrant
from guide.support.services import FundOverdrawn, approve_grant
from tests import factories

#: Long enough for a rival that is not blocked to finish its approval.
BLOCKED_FOR_SECONDS = 0.6


@pytest.fixture
def last_money(db):
    """A fund with 1 000 kr and two requests of 800 kr: only one of them fits."""
    org = factories.organisation()
    coordinator = factories.user(org, "coordinator")
    case = factories.child_case(org, status="active")
    fund = factories.fund(org, budget=100_000)
    first = factories.grant(case, requested_by=coordinator, amount=80_000)
    second = factories.grant(case, requested_by=coordinator, amount=80_000)
    db.session.commit()
    return coordinator.id, fund.id, first.id, second.id


@contextmanager
def own_session(app):
    """A request context on a fresh app context: a database session of its own."""
    from guide.extensions import db

    with app.app_context(), app.test_request_context():
        try:
            yield db.session
        finally:
            db.session.rollback()
            db.session.remove()


def approve(session, coordinator_id: uuid.UUID, fund_id: uuid.UUID, grant_id: uuid.UUID):
    grant = session.get(SupportGrant, grant_id)
    approve_grant(
        grant,
        by=session.get(User, coordinator_id),
        expected_version=grant.version,
        fund_id=fund_id,
    )


def approve_in_thread(app, ids, grant_id, outcome: dict) -> threading.Thread:
    coordinator_id, fund_id = ids

    def run() -> None:
        with own_session(app) as session:
            try:
                approve(session, coordinator_id, fund_id, grant_id)
                session.commit()
                outcome["result"] = "approved"
            except FundOverdrawn as error:
                outcome["result"] = "refused"
                outcome["remaining"] = error.remaining
            except Exception as error:  # reported by the test, not swallowed
                outcome["result"] = repr(error)

    thread = threading.Thread(target=run, name=f"approve-{grant_id}")
    thread.start()
    return thread


def statuses(db, *grant_ids: uuid.UUID) -> list[GrantStatus]:
    db.session.expire_all()
    return [db.session.get(SupportGrant, grant_id).status for grant_id in grant_ids]


def test_the_second_approval_waits_for_the_first_and_is_then_refused(app, db, last_money):
    coordinator_id, fund_id, first_id, second_id = last_money
    outcome: dict = {}
    with own_session(app) as first_session:
        approve(first_session, coordinator_id, fund_id, first_id)  # holds the fund, uncommitted
        rival = approve_in_thread(app, (coordinator_id, fund_id), second_id, outcome)
        rival.join(BLOCKED_FOR_SECONDS)
        assert rival.is_alive(), f"the rival did not wait for the fund: {outcome}"
        first_session.commit()
    rival.join(30)
    assert not rival.is_alive()

    assert outcome == {"result": "refused", "remaining": 20_000}
    assert statuses(db, first_id, second_id) == [GrantStatus.approved, GrantStatus.requested]


def test_two_approvals_started_together_let_exactly_one_through(app, db, last_money):
    coordinator_id, fund_id, first_id, second_id = last_money
    outcomes: list[dict] = [{}, {}]
    threads = [
        approve_in_thread(app, (coordinator_id, fund_id), grant_id, outcome)
        for grant_id, outcome in zip((first_id, second_id), outcomes, strict=True)
    ]
    for thread in threads:
        thread.join(30)

    assert sorted(outcome["result"] for outcome in outcomes) == ["approved", "refused"]
    assert sorted(statuses(db, first_id, second_id)) == sorted(
        [GrantStatus.approved, GrantStatus.requested]
    )
    drawn = db.session.scalar(
        select(func.sum(SupportGrant.amount)).where(
            SupportGrant.fund_id == fund_id, SupportGrant.status == GrantStatus.approved
        )
    )
    assert drawn == 80_000
    approvals = db.session.scalar(
        select(func.count()).where(AuditEvent.action == "support_approved")
    )
    assert approvals == 1


def test_without_the_fund_lock_both_would_pass(app, db, last_money, monkeypatch):
    """The control: the first test fails if approvals stop locking the fund."""
    monkeypatch.setattr(services, "lock_fund", lambda fund_id: None)
    coordinator_id, fund_id, first_id, second_id = last_money
    outcome: dict = {}
    with own_session(app) as first_session:
        approve(first_session, coordinator_id, fund_id, first_id)
        rival = approve_in_thread(app, (coordinator_id, fund_id), second_id, outcome)
        rival.join(BLOCKED_FOR_SECONDS)
        first_session.commit()
    rival.join(30)

    assert outcome == {"result": "approved"}
    assert statuses(db, first_id, second_id) == [GrantStatus.approved, GrantStatus.approved]
