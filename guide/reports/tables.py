"""Figures as tables: what the page, the charts, the CSV files and the annual report show.

A cell holds a number and how to read it. A hidden cell is a small group ("under 5"); a
cell without a value and not hidden has no data (no child was in the group at all, so
there is no median to give).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

from guide.reports.suppression import protect_breakdown


class Measure(enum.StrEnum):
    count = "count"
    days = "days"
    share = "share"
    money = "money"


@dataclass(frozen=True)
class Cell:
    value: int | float | None
    measure: Measure = Measure.count
    hidden: bool = False

    @classmethod
    def under_five(cls, measure: Measure = Measure.count) -> Cell:
        return cls(None, measure, hidden=True)


@dataclass(frozen=True)
class Row:
    #: Stable key for links, tests and CSV (the month, the enum value, the fund id).
    key: str
    label: str
    cells: tuple[Cell, ...]
    is_total: bool = False


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    #: Headings: the first names the row labels, then one per cell.
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    note: str = ""
    #: Which cell columns a chart draws (indexes into ``cells``), none for no chart.
    chart_columns: tuple[int, ...] = field(default=())

    def row(self, key: str) -> Row:
        """The row with ``key``; the total row is ``"total"``."""
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def cell(self, key: str, column: int = 0) -> Cell:
        return self.row(key).cells[column]

    @property
    def body_rows(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if not row.is_total)


TOTAL_KEY = "total"


def protected_rows(
    keys: Sequence[Hashable],
    *,
    children: Mapping[Hashable, int],
    total_children: int | None,
    label: Callable[[Hashable], str],
    cells: Callable[[Hashable | None], Sequence[Cell]],
    total_label: str,
) -> tuple[Row, ...]:
    """Rows for ``keys`` and a total row, hiding every cell of a row whose group is protected.

    ``children`` counts the children behind each row (the count that decides protection);
    ``cells(key)`` gives a row's cells, ``cells(None)`` the total's.
    """
    counts = {key: children.get(key, 0) for key in keys}
    protection = protect_breakdown(counts, total_children)
    rows = [
        Row(
            key=str(getattr(key, "value", key)),
            label=label(key),
            cells=_maybe_hidden(cells(key), hidden=not protection.shows(key)),
        )
        for key in keys
    ]
    rows.append(
        Row(
            key=TOTAL_KEY,
            label=total_label,
            cells=_maybe_hidden(cells(None), hidden=protection.total_hidden),
            is_total=True,
        )
    )
    return tuple(rows)


def _maybe_hidden(cells: Sequence[Cell], *, hidden: bool) -> tuple[Cell, ...]:
    if not hidden:
        return tuple(cells)
    return tuple(Cell.under_five(cell.measure) for cell in cells)
