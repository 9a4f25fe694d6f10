"""CSV files for Norwegian spreadsheets: ``;`` between cells, comma decimals, UTF-8 with BOM.

Excel and LibreOffice set to Norwegian read such a file without an import dialog: the BOM
tells them it is UTF-8 (so æøå survive), ``;`` is the list separator where ``,`` is the
decimal mark, and an amount written ``1250,50`` (no thousands separator) becomes a number.
Lines end in CRLF as RFC 4180 asks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from flask import Response

BOM = "\ufeff"
DELIMITER = ";"
#: A text cell starting with one of these is a formula to a spreadsheet; it gets a quote mark.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | None


class Amount(int):
    """Whole øre that a CSV cell writes as kroner with a comma, e.g. 125050 → ``1250,50``."""


def csv_amount(ore: int) -> str:
    """Whole øre as a spreadsheet number in Norwegian format: ``1250,50``, ``-0,10``."""
    if isinstance(ore, bool) or not isinstance(ore, int):
        raise TypeError("Money is an integer number of øre")
    return f"{Decimal(ore).scaleb(-2):.2f}".replace(".", ",")


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Amount):
        return csv_amount(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    # Names typed by users must never run as spreadsheet formulas ("CSV injection").
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """The whole file as text, BOM first; ``Amount`` cells become comma-decimal kroner."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([str(title) for title in header])
    writer.writerows([_cell(value) for value in row] for row in rows)
    return BOM + buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Response:
    """A download of ``csv_text`` that no cache keeps."""
    return Response(
        csv_text(header, rows).encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
