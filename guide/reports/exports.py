"""Figures leaving the app: each table as a CSV file, and the annual report as a PDF."""

from __future__ import annotations

from flask import Response, render_template

from guide.exports import csv_response
from guide.pdf import render_pdf
from guide.reports.formatting import csv_cell
from guide.reports.tables import Measure, Table


def table_csv_rows(table: Table) -> tuple[list[str], list[list[str | int | None]]]:
    """The header and rows of ``table`` for a spreadsheet; shares are given in percent."""
    measures = [row.cells for row in table.rows[:1]]
    header = [table.columns[0]]
    for index, title in enumerate(table.columns[1:]):
        is_share = bool(measures) and measures[0][index].measure == Measure.share
        header.append(f"{title} (%)" if is_share else title)
    rows = [[row.label, *(csv_cell(cell) for cell in row.cells)] for row in table.rows]
    return header, rows


def table_csv_response(table: Table, *, filename: str) -> Response:
    """A download of one figures table in Norwegian spreadsheet format."""
    header, rows = table_csv_rows(table)
    return csv_response(filename, header, rows)


def annual_report_pdf(**context: object) -> bytes:
    """The annual report (templates/reports/annual_report_pdf.html) laid out as a tagged PDF."""
    return render_pdf(render_template("reports/annual_report_pdf.html", **context))
