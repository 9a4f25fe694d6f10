"""Every allowed and every forbidden status change of a case."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from guide.audit.models import AuditEvent
from guide.cases.models import CaseStatus, CloseReason
from guide.cases.workflow import ALLOWED_TRANSITIONS, TransitionError, change_status
from tests import factories

ALL_PAIRS = list(itertools.product(CaseStatus, CaseStatus))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in ALLOWED_TRANSITIONS[a]]
FORBIDDEN = [(a, b) for a, b in ALL_PAIRS if b not in ALLOWED_TRANSITIONS[a]]


def _case_in(db, status: CaseStatus):
    org = factories.organisation()
    coordinator = factories.user(org, "coordinator")
    case = factories.child_case(org, status=status.value)
    return case, coordinator


def test_every_status_has_a_rule():
    assert set(ALLOWED_TRANSITIONS) == set(CaseStatus)
    # The main course from DESIGN.md is open end to end.
    course = ["referred", "accepted", "guide_assigned", "in_progress", "active", "closed"]
    for current, following in itertools.pairwise(course):
        assert CaseStatus(following) in ALLOWED_TRANSITIONS[CaseStatus(current)]


@pytest.mark.parametrize(("current", "wanted"), ALLOWED, ids=lambda s: s.value)
def test_allowed_transition_is_recorded(db, current, wanted):
    case, coordinator = _case_in(db, current)
    reason = CloseReason.established if wanted == CaseStatus.closed else None
    change_status(case, wanted, by=coordinator, close_reason=reason, note="ok")
    db.session.commit()
    assert case.status == wanted
    last = case.status_changes[-1]
    assert (last.from_status, last.to_status, last.changed_by_id) == (
        current,
        wanted,
        coordinator.id,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case_status_changed"))
    assert event.details == {"from": current.value, "to": wanted.value}


@pytest.mark.parametrize(("current", "wanted"), FORBIDDEN, ids=lambda s: s.value)
def test_forbidden_transition_is_refused_and_changes_nothing(db, current, wanted):
    case, coordinator = _case_in(db, current)
    history_before = len(case.status_changes)
    with pytest.raises(TransitionError):
        change_status(case, wanted, by=coordinator, close_reason=CloseReason.other)
    assert case.status == current
    assert len(case.status_changes) == history_before


def test_closing_needs_a_reason(db):
    case, coordinator = _case_in(db, CaseStatus.active)
    with pytest.raises(ValueError, match="reason"):
        change_status(case, CaseStatus.closed, by=coordinator)
    assert case.status == CaseStatus.active


def test_milestones_are_stamped_once_and_reopening_clears_closure(db):
    case, coordinator = _case_in(db, CaseStatus.referred)
    start = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    steps = ["accepted", "guide_assigned", "in_progress", "active", "paused", "active"]
    for day, step in enumerate(steps):
        change_status(case, step, by=coordinator, at=start + dt.timedelta(days=day))
    assert case.accepted_at == start
    assert case.first_activity_at == start + dt.timedelta(days=3)  # not the second "active"
    change_status(
        case,
        "closed",
        by=coordinator,
        at=start + dt.timedelta(days=9),
        close_reason=CloseReason.dropped_out,
        note="Sluttet",
    )
    assert (case.close_reason, case.close_note) == (CloseReason.dropped_out, "Sluttet")
    change_status(case, "in_progress", by=coordinator, at=start + dt.timedelta(days=10))
    assert case.closed_at is None
    assert case.close_reason is None
    db.session.commit()
    assert [c.to_status.value for c in case.status_changes][-2:] == ["closed", "in_progress"]
