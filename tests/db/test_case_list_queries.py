"""The case list and the dashboard send as many SQL statements for 200 cases as for 10."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from guide.cases.followups import schedule_follow_ups
from guide.cases.models import Visit
from guide.database import utcnow
from guide.extensions import db as _db
from tests import factories
from tests.web.helpers import signed_in_as


@contextmanager
def counted_statements(app) -> Iterator[list[str]]:
    """Every SQL statement sent while the block runs (the test client's requests included)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def add_cases(org, how_many: int, guide=None) -> None:
    """Cases in three statuses; without ``guide``, each assigned case gets a guide of its own
    (a lazy load per guide would then show up as extra statements)."""
    start = utcnow() - dt.timedelta(days=60)
    for number in range(how_many):
        status = ("accepted", "in_progress", "active")[number % 3]
        if status != "accepted":
            case_guide = guide or factories.user(org, "guide", second_factor=False)
        case = factories.child_case(
            org,
            first_name=f"Barn{number:03d}",
            status=status,
            guide=None if status == "accepted" else case_guide,
            referred_at=start + dt.timedelta(minutes=number),
        )
        factories.place_child(case, ("Nord", "Sør")[number % 2])
        if status == "active":
            schedule_follow_ups(case, start=(start - dt.timedelta(days=200)).date())
        if status == "in_progress":
            case.visits.append(
                Visit(author=case_guide, kind="home_visit", occurred_on=start.date())
            )
    _db.session.commit()


def statements_for(app, client, path: str) -> int:
    with counted_statements(app) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


def test_case_list_statement_count_does_not_grow_with_the_cases(app, client, db):
    org = factories.organisation()
    signed_in_as(client, org, "coordinator")
    guide = factories.user(org, "guide")
    add_cases(org, 10)
    add_cases(org, 10, guide=guide)
    nord = factories.area(org, "Nord")
    paths = ["/cases", f"/cases?status=active&area={nord.id}", f"/cases?guide={guide.full_name}"]
    few = [statements_for(app, client, path) for path in paths]
    add_cases(org, 190)
    add_cases(org, 190, guide=guide)
    many = [statements_for(app, client, path) for path in paths]
    assert few == many
    assert max(many) < 25


def test_dashboard_statement_count_does_not_grow_with_the_cases(app, client, db):
    org = factories.organisation()
    signed_in_as(client, org, "coordinator")
    add_cases(org, 10)
    few = statements_for(app, client, "/dashboard")
    add_cases(org, 190)
    many = statements_for(app, client, "/dashboard")
    assert few == many
    page = client.get("/dashboard").text
    assert page.count("/cases/") > 100  # the lists really hold many cases


def test_my_children_statement_count_does_not_grow_with_the_cases(app, client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide")
    add_cases(org, 10, guide=guide)
    few = statements_for(app, client, "/my-cases")
    add_cases(org, 190, guide=guide)
    many = statements_for(app, client, "/my-cases")
    assert few == many
