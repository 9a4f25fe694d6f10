"""Funds: set up by the coordinator; spent, committed and remaining always summed from grants."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select

from guide.support.models import Fund
from guide.support.services import list_funds
from tests import factories
from tests.web.helpers import csrf_token, signed_in_as


@pytest.fixture
def coordinator(client, db):
    org = factories.organisation()
    return signed_in_as(client, org, "coordinator", preferred_locale="nb")


def post_fund(client, **fields):
    page = client.get("/funds/new")
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_token(page.text),
        "name": "Fritidsstipend 2027",
        "source": "municipality",
        "year": "2027",
        "budget": "250 000",
        "is_active": "y",
        **fields,
    }
    return client.post("/funds/new", data=data)


def test_coordinator_sets_up_a_fund_with_a_budget_in_kroner(client, db, coordinator):
    response = post_fund(client, budget="250 000,50", notes="Fra kommunen")
    assert response.status_code == 302
    fund = db.session.scalar(select(Fund))
    assert fund.budget == 25_000_050
    assert fund.organisation_id == coordinator.organisation_id
    assert (fund.name, fund.source, fund.year, fund.is_active) == (
        "Fritidsstipend 2027",
        "municipality",
        2027,
        True,
    )
    page = client.get(response.headers["Location"])
    assert "250\xa0000,50\xa0kr" in page.text


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"budget": "250 000,505"}, "budget", "Bruk høyst to desimaler"),
        ({"budget": ""}, "budget", "Skriv budsjettet i kroner."),
        ({"budget": " \t "}, "budget", "Skriv budsjettet i kroner."),
        ({"name": ""}, "name", "Gi ordningen et navn."),
        ({"year": "1999"}, "year", "Skriv et år mellom 2000 og 2100."),
    ],
)
def test_bad_fund_input_is_explained_beside_the_field(
    client, db, coordinator, fields, field_id, message
):
    response = post_fund(client, **fields)
    assert response.status_code == 400
    error = re.search(rf'id="{field_id}-error">(.*?)</div>', response.text, re.S)
    assert error and message in error.group(1)
    assert db.session.scalar(select(func.count()).select_from(Fund)) == 0


def test_spent_committed_and_remaining_come_from_the_grants(client, db, coordinator):
    org_id, org = coordinator.organisation_id, coordinator.organisation
    fund = factories.fund(org, budget=500_000, name="Stipend")
    other = factories.fund(org, budget=100_000, name="Sponsor")
    case = factories.child_case(org, status="active")
    for amount, status in (
        (180_000, "paid"),
        (65_000, "approved"),
        (40_000, "requested"),
        (30_000, "rejected"),
    ):
        factories.grant(
            case, requested_by=coordinator, amount=amount, status=status, fund_id=fund.id
        )
    db.session.commit()

    totals = {row.fund.name: row for row in list_funds(organisation_id=org_id)}
    assert (totals["Stipend"].paid, totals["Stipend"].committed) == (180_000, 65_000)
    assert totals["Stipend"].remaining == 255_000
    assert (totals["Sponsor"].paid, totals["Sponsor"].remaining) == (0, 100_000)
    assert db.session.get(Fund, fund.id).budget == 500_000  # nothing stored by hand

    page = client.get("/funds")
    row = re.search(rf'data-fund="{fund.id}">(.*?)</tr>', page.text, re.S).group(1)
    for shown in ("5\xa0000,00\xa0kr", "650,00\xa0kr", "1\xa0800,00\xa0kr", "2\xa0550,00\xa0kr"):
        assert shown in row
    assert other.name in page.text


def test_the_fund_overview_by_kind_and_month_and_its_csv(client, db, coordinator):
    org = coordinator.organisation
    fund = factories.fund(org, budget=500_000)
    case = factories.child_case(org, status="active")
    march = dt.datetime(2027, 3, 10, 12, tzinfo=dt.UTC)
    april = dt.datetime(2027, 4, 2, 12, tzinfo=dt.UTC)
    rows = (
        ("membership_fee", 180_000, "paid", march),
        ("trips_events", 65_000, "approved", march),
        ("trips_events", 35_000, "paid", april),
        ("equipment", 99_000, "requested", None),
    )
    for kind, amount, status, decided_at in rows:
        factories.grant(
            case,
            requested_by=coordinator,
            amount=amount,
            kind=kind,
            status=status,
            fund_id=fund.id,
            decided_at=decided_at,
        )
    db.session.commit()

    page = client.get(f"/funds/{fund.id}")
    assert page.status_code == 200
    by_kind = re.search(r'id="by-kind">(.*?)</table>', page.text, re.S).group(1)
    assert "Kontingent" in by_kind and "Utstyr" not in by_kind
    by_month = re.search(r'id="by-month">(.*?)</table>', page.text, re.S).group(1)
    assert "2027-03" in by_month and "2027-04" in by_month
    assert 'data-total="remaining">2\xa0200,00\xa0kr' in page.text

    export = client.get(f"/funds/{fund.id}/export.csv")
    assert export.status_code == 200
    assert export.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == ["Måned", "Type", "Forpliktet (godkjent, ikke betalt)", "Betalt"]
    assert table[1:] == [
        ["2027-03", "Kontingent", "0,00", "1800,00"],
        ["2027-03", "Turer, cuper og leirer", "650,00", "0,00"],
        ["2027-04", "Turer, cuper og leirer", "0,00", "350,00"],
    ]


def test_a_fund_of_another_organisation_is_not_found(client, db, coordinator):
    foreign = factories.fund(factories.organisation())
    db.session.commit()
    for path in (
        f"/funds/{foreign.id}",
        f"/funds/{foreign.id}/edit",
        f"/funds/{foreign.id}/export.csv",
    ):
        assert client.get(path).status_code == 404


def test_a_guide_cannot_open_the_funds(client, db):
    signed_in_as(client, factories.organisation(), "guide")
    assert client.get("/funds").status_code == 403
    assert client.get("/support/payments").status_code == 403


def test_coordinator_changes_the_budget(client, db, coordinator):
    org = coordinator.organisation
    fund = factories.fund(org, budget=100_000, name="Stipend")
    db.session.commit()
    page = client.get(f"/funds/{fund.id}/edit")
    assert 'value="1\xa0000,00"' in page.text
    response = client.post(
        f"/funds/{fund.id}/edit",
        data={
            "csrf_token": csrf_token(page.text),
            "name": "Stipend",
            "source": "municipality",
            "year": "2027",
            "budget": "1 500",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Fund, fund.id).budget == 150_000
