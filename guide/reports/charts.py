"""Bar charts drawn on the server as SVG: no script, no style attributes, fine in greyscale.

Each chart draws the chosen columns of a figures table as horizontal bars, one group of
bars per row. The first series is solid, the second hatched, so they differ without
colour; every bar carries its value as text, and a hidden group is marked "under 5"
instead of drawn. The SVG names itself with <title> and <desc>, and the page shows the
same table beside it.
"""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup, escape

from guide.reports.formatting import cell_text
from guide.reports.tables import Cell, Table

WIDTH = 680
LABEL_WIDTH = 230
BAR_START = 240
BAR_SPACE = 330
BAR_HEIGHT = 18
GROUP_GAP = 10
TOP = 8
LEGEND_HEIGHT = 28
#: Dark enough for text contrast; the second series adds a hatch so greyscale tells them apart.
INK = "#1a1a1a"
SERIES_FILLS = ("#1f4e79", "url(#{id}-hatch)")


def bar_chart(table: Table, *, chart_id: str) -> Markup:
    """The table's ``chart_columns`` as an accessible SVG bar chart; empty without columns."""
    columns = table.chart_columns
    rows = table.body_rows
    if not columns or not rows:
        return Markup("")
    top = TOP + (LEGEND_HEIGHT if len(columns) > 1 else 0)
    group_height = BAR_HEIGHT * len(columns) + GROUP_GAP
    height = top + group_height * len(rows) + TOP
    scale = _scale(rows, columns)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(table.title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_description(table))}</desc>',
        _hatch_pattern(chart_id),
    ]
    if len(columns) > 1:
        parts.append(_legend(table, columns, chart_id))
    for index, row in enumerate(rows):
        y = top + index * group_height
        parts.append(
            f'<text x="{LABEL_WIDTH}" y="{y + group_height / 2 - GROUP_GAP / 2 + 4:.1f}" '
            f'text-anchor="end" font-size="14" fill="{INK}">{escape(row.label)}</text>'
        )
        for series, column in enumerate(columns):
            parts.append(_bar(row.cells[column], y + series * BAR_HEIGHT, series, scale, chart_id))
    parts.append(
        f'<line x1="{BAR_START}" y1="{top - 2}" x2="{BAR_START}" '
        f'y2="{height - TOP + 2}" stroke="{INK}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    # Every text and label above went through escape(); the rest are numbers and constants.
    return Markup("".join(parts))  # noqa: S704


def _scale(rows, columns) -> float:
    values = [
        float(row.cells[column].value)
        for row in rows
        for column in columns
        if row.cells[column].value is not None and not row.cells[column].hidden
    ]
    largest = max((value for value in values if value > 0), default=0.0)
    return BAR_SPACE / largest if largest else 0.0


def _bar(cell: Cell, y: float, series: int, scale: float, chart_id: str) -> str:
    text_y = y + BAR_HEIGHT - 3
    if cell.hidden or cell.value is None:
        label = _("under 5") if cell.hidden else "–"
        return (
            f'<text x="{BAR_START + 6}" y="{text_y}" font-size="13" font-style="italic" '
            f'fill="{INK}">{escape(label)}</text>'
        )
    width = max(float(cell.value), 0.0) * scale
    fill = SERIES_FILLS[series % len(SERIES_FILLS)].format(id=chart_id)
    return (
        f'<rect x="{BAR_START}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT - 2}" '
        f'fill="{fill}" stroke="{INK}" stroke-width="0.6"/>'
        f'<text x="{BAR_START + width + 5:.1f}" y="{text_y}" font-size="13" '
        f'fill="{INK}">{escape(cell_text(cell))}</text>'
    )


def _hatch_pattern(chart_id: str) -> str:
    return (
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{INK}" stroke-width="2.5"/>'
        "</pattern></defs>"
    )


def _legend(table: Table, columns: tuple[int, ...], chart_id: str) -> str:
    parts = []
    x = BAR_START
    for series, column in enumerate(columns):
        fill = SERIES_FILLS[series % len(SERIES_FILLS)].format(id=chart_id)
        name = table.columns[column + 1]
        parts.append(
            f'<rect x="{x}" y="{TOP}" width="16" height="14" fill="{fill}" '
            f'stroke="{INK}" stroke-width="0.6"/>'
            f'<text x="{x + 22}" y="{TOP + 12}" font-size="14" fill="{INK}">{escape(name)}</text>'
        )
        x += 34 + 8 * len(name)
    return "".join(parts)


def _description(table: Table) -> str:
    return _(
        "Bar chart of the table “%(title)s” beside it. Groups of fewer than 5 children "
        "are marked “under 5” and not drawn.",
        title=table.title,
    )
