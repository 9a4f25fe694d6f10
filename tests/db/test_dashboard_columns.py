"""The two columns the dashboard reads instead of the history: each case's last visit, and
the follow-ups its closing cancelled. The app, the migration and the bench data all agree."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from guide import schema
from guide.cases.closing import close_case, reopen_case
from guide.cases.followups import complete_follow_up, schedule_follow_ups
from guide.cases.models import Case, CaseStatus, FollowUp, Visit, VisitKind
from guide.cases.visits import log_visit
from guide.database import utcnow
from guide.demo.history import generate_organisation
from guide.extensions import db as _db
from tests import factories
from tests.db.test_migrations import fresh_app  # noqa: F401  (a fixture)

DAY = dt.date(2026, 3, 2)


def visited_case(org):
    """A case its guide is visiting, and the guide."""
    guide = factories.user(org, "guide")
    return factories.child_case(org, status="in_progress", guide=guide), guide


def log(case, guide, day: dt.date) -> Visit:
    return log_visit(case, by=guide, kind=VisitKind.home_visit, occurred_on=day)


def last_visit_on(db, case) -> dt.date | None:
    db.session.expire_all()
    return db.session.get(Case, case.id).last_visit_on


def cancelled(db, case) -> dict[int, dt.datetime | None]:
    """months_after → cancelled_at for the case's follow-ups, as stored."""
    db.session.expire_all()
    return {f.months_after: f.cancelled_at for f in db.session.get(Case, case.id).follow_ups}


def test_logging_a_visit_moves_the_last_visit_forward_only(db):
    case, guide = visited_case(factories.organisation())
    assert case.last_visit_on is None

    log(case, guide, DAY)
    assert last_visit_on(db, case) == DAY
    log(case, guide, DAY - dt.timedelta(days=10))  # written down late
    assert last_visit_on(db, case) == DAY
    log(case, guide, DAY + dt.timedelta(days=1))
    assert last_visit_on(db, case) == DAY + dt.timedelta(days=1)


def test_logging_a_visit_leaves_the_case_version_and_update_time_alone(db):
    # Open assignment forms carry the version: a visit must not make them conflict.
    case, guide = visited_case(factories.organisation())
    db.session.commit()
    version, updated_at = case.version, case.updated_at

    log(case, guide, DAY)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Case, case.id)
    assert (stored.version, stored.updated_at) == (version, updated_at)
    assert stored.last_visit_on == DAY


def test_visits_written_directly_keep_the_last_visit_too(db):
    case, guide = visited_case(factories.organisation())
    case.visits.append(Visit(author=guide, kind=VisitKind.phone_call, occurred_on=DAY))
    db.session.commit()
    assert last_visit_on(db, case) == DAY


def test_editing_or_deleting_a_visit_counts_the_last_visit_again(db):
    case, guide = visited_case(factories.organisation())
    older = log(case, guide, DAY - dt.timedelta(days=7))
    newest = log(case, guide, DAY)

    newest.occurred_on = DAY - dt.timedelta(days=20)
    db.session.flush()
    assert last_visit_on(db, case) == DAY - dt.timedelta(days=7)

    db.session.delete(older)
    db.session.flush()
    assert last_visit_on(db, case) == DAY - dt.timedelta(days=20)

    db.session.delete(newest)
    db.session.flush()
    assert last_visit_on(db, case) is None


def test_moving_a_visit_to_another_case_counts_both_cases_again(db):
    org = factories.organisation()
    first, guide = visited_case(org)
    second = factories.child_case(org, status="in_progress", guide=guide)
    visit = log(first, guide, DAY)

    visit.case_id = second.id
    db.session.flush()
    assert (last_visit_on(db, first), last_visit_on(db, second)) == (None, DAY)


def active_case_with_follow_ups(org):
    """An active case with follow-ups after 1, 3 and 6 months; the first one done."""
    case, guide = visited_case(org)
    case.status = CaseStatus.active
    schedule_follow_ups(case, start=DAY)
    complete_follow_up(case.follow_ups[0], by=guide)
    return case, guide


def test_closing_cancels_the_follow_ups_not_done_and_reopening_restores_them(db):
    org = factories.organisation()
    coordinator = factories.user(org, "coordinator")
    case, _guide = active_case_with_follow_ups(org)

    close_case(case, by=coordinator, reason="moved")
    closed_at = db.session.get(Case, case.id).closed_at
    assert cancelled(db, case) == {1: None, 3: closed_at, 6: closed_at}

    reopen_case(db.session.get(Case, case.id), by=coordinator)
    assert cancelled(db, case) == {1: None, 3: None, 6: None}


def test_the_migration_fills_both_columns_as_the_app_wrote_them(fresh_app):  # noqa: F811
    with fresh_app.app_context():
        schema.upgrade()
        org = factories.organisation()
        coordinator = factories.user(org, "coordinator")
        visited, guide = visited_case(org)
        for day in (DAY, DAY - dt.timedelta(days=30)):
            log(visited, guide, day)
        closed, _guide = active_case_with_follow_ups(org)
        close_case(closed, by=coordinator, reason="moved")
        # Ticked off after the closing, which had already cancelled it.
        late = utcnow() + dt.timedelta(minutes=1)
        complete_follow_up(closed.follow_ups[1], by=coordinator, at=late)
        _db.session.commit()
        done_first, done_late, never_done = (f.id for f in closed.follow_ups)
        written = stored_columns()
        assert written[0][visited.id] == DAY
        assert written[1][done_first] is None
        assert written[1][done_late] == written[1][never_done] is not None

        schema.downgrade("0004")
        schema.upgrade()

        assert stored_columns() == written


def stored_columns() -> tuple[dict, dict]:
    last_visits = dict(_db.session.execute(select(Case.id, Case.last_visit_on)).all())
    cancellations = dict(_db.session.execute(select(FollowUp.id, FollowUp.cancelled_at)).all())
    _db.session.remove()
    return last_visits, cancellations


def test_bench_data_fills_both_columns_as_the_app_would(db):
    generate_organisation(cases=120, seed=3, today=dt.date(2026, 11, 20), batch_size=50)
    db.session.remove()

    newest = select(func.max(Visit.occurred_on)).where(Visit.case_id == Case.id).scalar_subquery()
    cases = db.session.execute(select(Case.last_visit_on, newest)).all()
    assert any(stored is not None for stored, _ in cases)
    assert all(stored == counted for stored, counted in cases)

    follow_ups = db.session.execute(
        select(FollowUp.cancelled_at, FollowUp.done_at, Case.status, Case.closed_at).join(Case)
    ).all()
    assert any(cancelled_at is not None for cancelled_at, *_ in follow_ups)
    for cancelled_at, done_at, status, closed_at in follow_ups:
        called_off = status == CaseStatus.closed and (done_at is None or done_at > closed_at)
        assert cancelled_at == (closed_at if called_off else None)
