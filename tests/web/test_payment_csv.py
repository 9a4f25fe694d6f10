"""The payment list for the accounts: a Norwegian-spreadsheet CSV, payees only, no child."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from tests import factories
from tests.web.helpers import signed_in_as

CHILD_FIRST, CHILD_LAST = "Tuva", "Ødegård-Sandvik"


@pytest.fixture
def paid(client, db):
    """Three paid grants (two clubs and a shop), one approved but unpaid, one paid in May."""
    org = factories.organisation()
    coordinator = signed_in_as(client, org, "coordinator", preferred_locale="nb")
    case = factories.child_case(org, status="active", first_name=CHILD_FIRST, last_name=CHILD_LAST)
    football = factories.activity(org, name="Fotball")
    football.club.name, football.club.org_number = "Ås IL", "974760673"
    band = factories.activity(org, name="Korps")
    band.club.name, band.club.org_number = "=Bryn skolekorps", "971526920"
    fund = factories.fund(org, budget=10_000_000)

    def grant(offer, amount, paid_at, reference, **fields):
        return factories.grant(
            case,
            requested_by=coordinator,
            amount=amount,
            offer=offer,
            fund_id=fund.id,
            status=fields.pop("status", "paid"),
            decided_at=paid_at,
            paid_at=paid_at,
            payment_reference=reference,
            **fields,
        )

    # 1 April 00:30 in Oslo is still 31 March in UTC: it belongs to April.
    grant(football, 180_000, dt.datetime(2027, 3, 31, 22, 30, tzinfo=dt.UTC), "BILAG-1")
    grant(football, 123_456_789, dt.datetime(2027, 4, 15, 9, tzinfo=dt.UTC), "BILAG-2")
    grant(band, 65_050, dt.datetime(2027, 4, 20, 9, tzinfo=dt.UTC), "BILAG-3", kind="trips_events")
    grant(None, 45_000, dt.datetime(2027, 4, 21, 9, tzinfo=dt.UTC), "BILAG-4", kind="equipment")
    grant(football, 99_900, None, None, status="approved")
    grant(football, 77_700, dt.datetime(2027, 5, 1, 9, tzinfo=dt.UTC), "BILAG-5")
    db.session.commit()
    return {"football": football, "band": band, "case": case}


def download(client, **params):
    response = client.get("/support/payments.csv", query_string=params)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return response


def read_back(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def test_the_april_payment_list_reads_back_with_the_right_amounts(client, db, paid):
    response = download(client, date_from="2027-04-01", date_to="2027-04-30")
    assert response.data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    assert b"\r\n" in response.data and b";" in response.data

    rows = read_back(response)
    assert rows[0] == [
        "Betalingsmottaker",
        "Organisasjonsnummer",
        "Beløp",
        "Betalingsreferanse",
        "Betalt dato",
    ]
    assert rows[1:] == [
        ["'=Bryn skolekorps", "971526920", "650,50", "BILAG-3", "2027-04-20"],
        ["Sportsbutikken AS", "", "450,00", "BILAG-4", "2027-04-21"],
        ["Ås IL", "974760673", "1800,00", "BILAG-1", "2027-04-01"],
        ["Ås IL", "974760673", "1234567,89", "BILAG-2", "2027-04-15"],
    ]


def test_the_payment_list_names_no_child_and_no_case(client, db, paid):
    content = download(client, date_from="2027-01-01", date_to="2027-12-31").data.decode(
        "utf-8-sig"
    )
    case = paid["case"]
    for secret in (CHILD_FIRST, CHILD_LAST, case.reference, str(case.id), "2015-04-01"):
        assert secret not in content


def test_the_payment_list_for_one_payee(client, db, paid):
    rows = read_back(
        download(
            client,
            date_from="2027-04-01",
            date_to="2027-05-31",
            payee=str(paid["football"].club_id),
        )
    )
    assert [row[3] for row in rows[1:]] == ["BILAG-1", "BILAG-2", "BILAG-5"]
    assert {row[0] for row in rows[1:]} == {"Ås IL"}


def test_the_page_shows_the_same_payments_and_refuses_a_backwards_period(client, db, paid):
    page = client.get("/support/payments?date_from=2027-04-01&date_to=2027-04-30")
    assert page.status_code == 200
    assert "BILAG-2" in page.text and "BILAG-5" not in page.text
    backwards = client.get("/support/payments?date_from=2027-04-30&date_to=2027-04-01")
    assert "Den siste dagen kan ikke være før den første." in backwards.text
    assert "BILAG-2" not in backwards.text
    refused = client.get("/support/payments.csv?date_from=2027-04-30&date_to=2027-04-01")
    assert refused.status_code == 302
