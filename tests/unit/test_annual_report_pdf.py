"""The annual report PDF: its extracted text holds the year's figures, "under 5" included."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from guide.reports.exports import annual_report_pdf
from guide.reports.figures import Figures
from guide.reports.formatting import cell_text
from guide.reports.periods import Period
from guide.reports.tables import Cell, Measure, Row, Table

YEAR = 2026


def _table(key: str, title: str, rows: list[Row], columns: tuple[str, ...]) -> Table:
    return Table(key=key, title=title, columns=columns, rows=tuple(rows))


def known_figures() -> Figures:
    """The tables the key figures read, with values easy to find in the text."""
    days, share, money = Measure.days, Measure.share, Measure.money
    total = Row("total", "Totalt", (Cell(31),), is_total=True)
    waits = ("Måned", "Barn", "Median", "75-persentil")
    return Figures(
        period=Period.year(YEAR),
        tables=(
            _table(
                "referrals_by_month",
                "Henvisninger per måned",
                [
                    Row("2026-01", "januar 2026", (Cell(10),)),
                    Row("2026-02", "februar 2026", (Cell.under_five(),)),
                    total,
                ],
                ("Måned", "Henvisninger"),
            ),
            _table(
                "waits_to_guide",
                "Dager til guide",
                [Row("total", "Hele perioden", (Cell(21), Cell(5.0, days), Cell(9.0, days)), True)],
                waits,
            ),
            _table(
                "waits_to_activity",
                "Dager til aktivitet",
                [
                    Row(
                        "total",
                        "Hele perioden",
                        (Cell(11), Cell(40.0, days), Cell(57.5, days)),
                        True,
                    )
                ],
                waits,
            ),
            _table(
                "retention",
                "Fortsatt i aktivitet",
                [
                    Row(
                        "after_3_months",
                        "Etter 3 måneder",
                        (Cell(11), Cell(6), Cell(6 / 11, share)),
                    ),
                    Row(
                        "after_6_months",
                        "Etter 6 måneder",
                        (Cell(11), Cell.under_five(), Cell.under_five(share)),
                    ),
                ],
                ("Tid", "Startet", "Fortsatt", "Andel"),
            ),
            _table(
                "closures",
                "Avsluttede saker",
                [
                    Row("dropped_out", "Falt fra", (Cell(5), Cell(5 / 11, share))),
                    Row("total", "Totalt", (Cell(11), Cell(1.0, share)), True),
                ],
                ("Årsak", "Saker", "Andel"),
            ),
            _table(
                "support_by_kind",
                "Støtte",
                [
                    Row(
                        "total",
                        "Totalt",
                        (Cell(13), Cell(910_000, money), Cell(500_000, money)),
                        True,
                    )
                ],
                ("Type", "Barn", "Innvilget", "Utbetalt"),
            ),
        ),
    )


@pytest.fixture
def pdf_text(app) -> str:
    with app.test_request_context(headers={"Accept-Language": "nb"}):
        pdf = annual_report_pdf(
            year=YEAR,
            organisation_name="Frivilligsentralen i Tallby",
            figures=known_figures(),
            made_on=Period.year(YEAR).end,
            cell_text=cell_text,
        )
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Babel separates thousands and "kr" with non-breaking spaces; compare on plain ones.
    return re.sub(r"[\u00a0\u202f]", " ", text)


def test_annual_report_pdf_names_the_year_and_the_organisation(pdf_text):
    assert str(YEAR) in pdf_text
    assert "Frivilligsentralen i Tallby" in pdf_text


def test_annual_report_pdf_holds_the_years_key_figures(pdf_text):
    assert "31" in pdf_text  # referrals
    assert "21" in pdf_text and "57,5" in pdf_text  # a guide; the 75th percentile to activity
    assert "54,5 %" in pdf_text  # still in an activity after 3 months
    assert "45,5 %" in pdf_text  # dropout among closures
    assert "9 100,00 kr" in pdf_text and "5 000,00 kr" in pdf_text  # committed and paid


def test_annual_report_pdf_shows_small_groups_as_under_5(pdf_text):
    assert pdf_text.count("under 5") >= 3
