"""The administrators' view across organisations: a few aggregates per organisation, protected.

No case, child or row of any organisation is shown, only counts, medians, shares and sums,
each under the same small-count rule as the coordinators' page. Every column is protected
on its own, against the difference attack too (the total row minus the other
organisations).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from guide.cases.models import Case
from guide.extensions import db
from guide.referrals.models import Referral
from guide.reports.figures import (
    grouped_with_total,
    in_period,
    retention_counts,
    wait_cells,
    wait_statistics,
)
from guide.reports.periods import Period
from guide.reports.suppression import protect_breakdown, protect_share
from guide.reports.tables import TOTAL_KEY, Cell, Measure, Row, Table
from guide.support.models import GrantStatus, SupportGrant
from guide.tenant import Organisation

TOTAL = None


def organisations_overview(*, period: Period, today: dt.date) -> Table:
    """One row per active organisation and a total: referrals, starts, waits, 6 months, money."""
    organisations = list(
        db.session.execute(
            select(Organisation.id, Organisation.name)
            .where(Organisation.is_active.is_(True))
            .order_by(Organisation.name, Organisation.id)
        )
    )
    keys = [org_id for org_id, _name in organisations]
    referrals, referrals_total = grouped_with_total(
        Referral.organisation_id,
        [func.count()],
        lambda query: query.select_from(Referral).where(in_period(Referral.submitted_at, period)),
    )
    eligible, retained = retention_counts(
        reference_day=period.reference_day(today), months=6, where=()
    )
    starts, starts_total = grouped_with_total(
        Case.organisation_id,
        [func.count(), eligible, retained],
        lambda query: query.select_from(Case).where(in_period(Case.first_activity_at, period)),
    )

    def referred_in_period(query: Select) -> Select:
        return query.select_from(Case).where(in_period(Case.referred_at, period))

    waits, waits_total = wait_statistics(
        key=Case.organisation_id,
        start=Case.referred_at,
        end=Case.first_activity_at,
        build=referred_in_period,
    )
    paid, paid_total = grouped_with_total(
        SupportGrant.organisation_id,
        [func.count(func.distinct(SupportGrant.case_id)), func.sum(SupportGrant.amount)],
        lambda query: query.select_from(SupportGrant).where(
            SupportGrant.status == GrantStatus.paid, in_period(SupportGrant.paid_at, period)
        ),
    )

    referral_cells = _count_column(keys, referrals, referrals_total)
    start_cells = _count_column(keys, starts, starts_total)
    paid_protection = protect_breakdown(
        {key: int(paid[key][0]) if key in paid else 0 for key in keys}, int(paid_total[0])
    )

    def row_cells(key: uuid.UUID | None) -> tuple[Cell, ...]:
        start_values = starts_total if key is TOTAL else starts.get(key, (0, 0, 0))
        paid_values = paid_total if key is TOTAL else paid.get(key, (0, 0))
        paid_hidden = (
            paid_protection.total_hidden if key is TOTAL else not paid_protection.shows(key)
        )
        share = protect_share(int(start_values[2]), int(start_values[1]))
        median = wait_cells(waits_total if key is TOTAL else waits.get(key))[1]
        return (
            referral_cells[key],
            start_cells[key],
            median,
            Cell(share, Measure.share) if share is not None else Cell.under_five(Measure.share),
            Cell.under_five(Measure.money)
            if paid_hidden
            else Cell(int(paid_values[1] or 0), Measure.money),
        )

    rows = [Row(key=str(key), label=name, cells=row_cells(key)) for key, name in organisations]
    rows.append(
        Row(key=TOTAL_KEY, label=_("All organisations"), cells=row_cells(TOTAL), is_total=True)
    )
    return Table(
        key="organisations",
        title=_("Figures across organisations"),
        columns=(
            _("Organisation"),
            _("Referrals"),
            _("Started an activity"),
            _("Median days to the first activity"),
            _("Still in an activity after 6 months"),
            _("Support paid"),
        ),
        rows=tuple(rows),
        chart_columns=(0, 1),
    )


def _count_column(
    keys: list[uuid.UUID], counts: Mapping[object, tuple], total: tuple
) -> dict[uuid.UUID | None, Cell]:
    """The first measure per organisation and in total, small and revealing cells hidden."""
    values = {key: int(counts[key][0]) if key in counts else 0 for key in keys}
    protection = protect_breakdown(values, int(total[0]))
    cells: dict[uuid.UUID | None, Cell] = {
        key: Cell(value) if protection.shows(key) else Cell.under_five()
        for key, value in values.items()
    }
    cells[TOTAL] = Cell.under_five() if protection.total_hidden else Cell(int(total[0]))
    return cells
