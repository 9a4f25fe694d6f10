"""The figures pages through the test client: who sees what, charts, CSV, the annual report."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from guide.audit.models import AuditEvent
from tests import factories
from tests.db.test_case_list_queries import counted_statements
from tests.db.test_figures import TODAY, add_busy_cases, build_data_set
from tests.web.helpers import signed_in_as

YEAR_2026 = {"period": "custom", "start": "2026-01-01", "end": "2026-12-31"}


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr("guide.reports.views.local_date", lambda *args: TODAY)


@pytest.fixture
def coordinator_with_data(client, db):
    org = build_data_set(db)
    return signed_in_as(client, org, "coordinator")


def cell(html: str, table: str, row: str, column: int = 0) -> str:
    """The text of one cell of a figures table on the page."""
    body = html.split(f'id="table-{table}"', 1)[1].split("</table>", 1)[0]
    row_html = body.split(f'data-key="{row}"', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row_html)
    return cells[column].strip()


def test_coordinator_sees_the_figures_of_the_chosen_period(client, coordinator_with_data):
    page = client.get("/figures", query_string=YEAR_2026)
    assert page.status_code == 200
    html = page.text
    assert cell(html, "referrals_by_month", "total") == "31"
    assert cell(html, "referrals_by_kind", "other") == "under 5"
    assert cell(html, "referrals_by_kind", "nav") == "under 5"  # the difference attack
    assert cell(html, "waits_to_guide", "2026-01", 1) == "5,5"
    assert cell(html, "waits_to_guide", "2026-01", 2) == "7,75"
    assert cell(html, "retention", "after_3_months", 2) == "54,5\xa0%"
    assert cell(html, "support_by_kind", "total", 1) == "9\xa0100,00\xa0kr"


def test_charts_are_svg_with_a_text_alternative_and_no_script_or_style(
    client, coordinator_with_data
):
    html = client.get("/figures", query_string=YEAR_2026).text
    charts = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(charts) >= 8
    for chart in charts:
        chart_id = re.search(r'aria-labelledby="([\w-]+)-title', chart).group(1)
        assert 'role="img"' in chart
        assert f'<title id="{chart_id}-title">' in chart
        assert f'<desc id="{chart_id}-desc">' in chart
        assert not re.search(r"\sstyle=", chart) and "<script" not in chart
    # The months of the referrals chart mark the hidden ones instead of drawing them.
    referrals_chart = next(chart for chart in charts if "chart-referrals_by_month" in chart)
    assert "under 5" in referrals_chart
    # The charts need no script; the page's only one is the shared focus script, from a file.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/focus.js" defer>']


def test_period_filter_falls_back_to_this_year_on_wrong_dates(client, coordinator_with_data):
    page = client.get(
        "/figures", query_string={"period": "custom", "start": "2026-05-01", "end": "2026-01-01"}
    )
    assert page.status_code == 200
    assert "The period cannot end before it starts." in page.text or "slutte før" in page.text
    assert "01.01.2027" in page.text  # this year on the fixed clock


def test_last_year_shows_last_years_figures(client, coordinator_with_data):
    html = client.get("/figures", query_string={"period": "last_year"}).text
    assert cell(html, "referrals_by_month", "total") == "31"


def test_csv_export_is_in_norwegian_spreadsheet_format(client, db, coordinator_with_data):
    response = client.get(
        "/figures/export.csv", query_string={**YEAR_2026, "table": "waits_to_guide"}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body[1:].split("\r\n")
    assert lines[0].count(";") == 3
    january = next(line for line in lines if line.startswith("januar 2026") or "2026" in line)
    assert january.split(";")[1:] == ["10", "5,5", "7,75"]
    assert any(line.endswith(";under 5;under 5;under 5") for line in lines)
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "figures_exported"))


def test_csv_of_money_and_shares(client, coordinator_with_data):
    kinds = client.get(
        "/figures/export.csv", query_string={**YEAR_2026, "table": "support_by_kind"}
    ).data.decode("utf-8")
    total = kinds.strip().split("\r\n")[-1].split(";")
    assert total[1:] == ["13", "9100,00", "5000,00"]
    retention = client.get(
        "/figures/export.csv", query_string={**YEAR_2026, "table": "retention"}
    ).data.decode("utf-8")
    assert "(%)" in retention.split("\r\n")[0]
    assert retention.split("\r\n")[1].split(";")[1:] == ["11", "6", "54,5"]


def test_unknown_csv_table_is_a_bad_request(client, coordinator_with_data):
    assert client.get("/figures/export.csv", query_string={"table": "children"}).status_code == 400


def test_annual_report_page_and_pdf(client, coordinator_with_data):
    page = client.get("/figures/annual-report", query_string={"year": "2026"})
    assert page.status_code == 200
    key_figures = page.text.split('id="key-figures"', 1)[1].split("</dl>", 1)[0]
    assert "<dd>31</dd>" in key_figures
    assert "<dd>5</dd>" in key_figures  # median days to a guide
    assert "<svg" not in page.text  # the printable page keeps to tables
    pdf = client.get("/figures/annual-report.pdf", query_string={"year": "2026"})
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert "2026" in pdf.headers["Content-Disposition"]


def test_annual_report_for_a_future_year_shows_last_year(client, coordinator_with_data):
    page = client.get("/figures/annual-report", query_string={"year": "2031"})
    assert page.status_code == 200
    assert "2026" in page.text.split("<h1", 1)[1].split("</h1>", 1)[0]


def test_admin_sees_only_aggregates_across_organisations(client, db):
    org = build_data_set(db)
    quiet = factories.organisation("Liten sentral")
    signed_in_as(client, quiet, "admin")
    page = client.get("/figures/organisations", query_string=YEAR_2026)
    assert page.status_code == 200
    html = page.text
    assert cell(html, "organisations", str(org.id)) == "31"
    assert cell(html, "organisations", str(org.id), 1) == "12"
    assert cell(html, "organisations", str(org.id), 2) == "40"
    # The quiet centre has no referral; with the total shown, the neighbour's 7 would give
    # that away (38 − 31 − 7 = 0), so the neighbour is hidden too.
    neighbour = db.session.scalar(select(type(org)).where(type(org).name == "Nabosentralen"))
    assert cell(html, "organisations", str(quiet.id)) == "under 5"
    assert cell(html, "organisations", str(neighbour.id)) == "under 5"
    assert cell(html, "organisations", "total") == "38"
    assert "Fiktiv" not in html and "Testbarn" not in html
    csv = client.get("/figures/organisations/export.csv", query_string=YEAR_2026)
    assert csv.status_code == 200 and "Nabosentralen;under 5" in csv.data.decode("utf-8")


def test_admin_cannot_open_an_organisations_own_figures(client, db):
    signed_in_as(client, factories.organisation(), "admin")
    assert client.get("/figures").status_code == 403


@pytest.mark.parametrize("role", ["coordinator", "referrer", "guide", "club_contact"])
def test_only_admins_compare_organisations(client, db, role):
    signed_in_as(client, factories.organisation(), role)
    assert client.get("/figures/organisations").status_code == 403


@pytest.mark.parametrize("role", ["referrer", "guide", "club_contact"])
def test_figures_are_for_coordinators(client, db, role):
    signed_in_as(client, factories.organisation(), role)
    assert client.get("/figures").status_code == 403
    assert client.get("/figures/annual-report.pdf").status_code == 403


# --- a bounded number of statements ---------------------------------------------------------


def statements_for_page(app, client, how_many: int) -> int:
    org = factories.organisation()
    add_busy_cases(org, how_many)
    signed_in_as(client, org, "coordinator")
    with counted_statements(app) as statements:
        page = client.get("/figures", query_string=YEAR_2026)
    assert page.status_code == 200
    assert cell(page.text, "referrals_by_month", "total") == str(how_many)
    client.post("/sign-out")
    return len(statements)


def test_figures_page_takes_as_many_statements_for_200_cases_as_for_10(app, client, db):
    few = statements_for_page(app, client, 10)
    many = statements_for_page(app, client, 200)
    assert few == many
    assert few <= 25
