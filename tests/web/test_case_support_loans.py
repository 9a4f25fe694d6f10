"""The per-case support overview lists the case's equipment loans and counts them per year."""

from __future__ import annotations

import datetime as dt

from guide.dates import local_date
from guide.support.loans import lend_equipment, loans_per_year, mark_returned
from guide.support.models import LoanSource
from tests import factories
from tests.web.helpers import signed_in_as


def test_loans_appear_on_the_case_support_overview(client, db):
    org = factories.organisation()
    coordinator = signed_in_as(client, org, "coordinator")
    case = factories.child_case(org, status="active", guide=factories.user(org, "guide"))
    today = local_date()
    returned = lend_equipment(
        case,
        by=coordinator,
        source=LoanSource.club,
        item_type="Fotballsko",
        size="34",
        lent_on=dt.date(today.year - 1, 3, 1),
        due_on=dt.date(today.year - 1, 6, 1),
    )
    mark_returned(returned, by=coordinator, returned_on=dt.date(today.year - 1, 5, 30))
    lend_equipment(
        case,
        by=coordinator,
        source=LoanSource.equipment_library,
        item_type="Skøyter",
        lent_on=today - dt.timedelta(days=20),
        due_on=today - dt.timedelta(days=2),
    )
    db.session.commit()

    page = client.get(f"/cases/{case.id}/support")

    assert page.status_code == 200
    assert 'id="case-loans"' in page.text
    assert "Fotballsko (34)" in page.text and "Skøyter" in page.text
    assert page.text.count('data-overdue="true"') == 1
    assert "Ikke levert – over fristen" in page.text
    assert 'id="loans-by-year"' in page.text


def test_a_case_without_loans_says_so(client, db):
    org = factories.organisation()
    signed_in_as(client, org, "coordinator")
    case = factories.child_case(org, status="active")
    db.session.commit()
    page = client.get(f"/cases/{case.id}/support")
    assert page.status_code == 200
    assert 'id="case-loans"' not in page.text
    assert 'id="case-loans-heading"' in page.text


def test_loans_are_counted_per_year_lent():
    class Lent:
        def __init__(self, year: int) -> None:
            self.lent_on = dt.date(year, 5, 1)

    assert loans_per_year([Lent(2027), Lent(2026), Lent(2027)]) == {2026: 1, 2027: 2}
    assert loans_per_year([]) == {}
