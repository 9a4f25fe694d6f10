"""How a figure reads: on the page and in the annual report, and in a CSV cell."""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_decimal, format_percent
from flask_babel import gettext as _

from guide.exports import Amount
from guide.i18n import current_locale, format_money
from guide.reports.tables import Cell, Measure


def under_five_text() -> str:
    return _("under 5")


def cell_text(cell: Cell) -> str:
    """A cell in the request's language: ``12``, ``5,5``, ``54,5 %``, ``1 000,00 kr``."""
    if cell.hidden:
        return under_five_text()
    if cell.value is None:
        return "–"
    locale = current_locale()
    if cell.measure == Measure.money:
        return format_money(int(cell.value), locale=locale)
    if cell.measure == Measure.share:
        # The locale's own percent pattern (spacing, sign position) with one decimal.
        pattern = Locale.parse(locale).percent_formats[None].pattern.replace("0", "0.0", 1)
        return format_percent(cell.value, pattern, locale=locale)
    if cell.measure == Measure.days:
        return format_decimal(cell.value, "#,##0.##", locale=locale)
    return format_decimal(cell.value, "#,##0", locale=locale)


def csv_cell(cell: Cell) -> str | int | None:
    """A cell for a Norwegian spreadsheet: whole numbers, comma decimals, shares in percent."""
    if cell.hidden:
        return under_five_text()
    if cell.value is None:
        return None
    if cell.measure == Measure.money:
        return Amount(int(cell.value))
    if cell.measure == Measure.share:
        return _comma_decimal(round(cell.value * 100, 1))
    if cell.measure == Measure.days:
        return _comma_decimal(round(cell.value, 2))
    return int(cell.value)


def _comma_decimal(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
