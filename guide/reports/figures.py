"""The coordinators' figures for one organisation, each computed by the database.

Every figure is one aggregate query (GROUP BY, with a UNION ALL row for the total), so
the number of statements is the same for ten cases or a hundred thousand and no case is
loaded into Python. Medians and 75th percentiles come from PostgreSQL's
``percentile_cont``; SQLite has no such function, so there one query returns only the
ordered day counts and ``guide.reports.percentiles`` interpolates them the same way.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import (
    Select,
    and_,
    case,
    exists,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from guide.accounts.models import ReferrerKind, User
from guide.activities.models import Activity, Enrollment, EnrollmentEndReason
from guide.cases.labels import CLOSE_REASON_LABELS
from guide.cases.models import Case, Child, CloseReason
from guide.cases.services import GUIDE_OPEN_STATUSES
from guide.catalogue.labels import END_REASON_LABELS, category_names
from guide.database import UTCDateTime
from guide.extensions import db
from guide.guides.certificates import last_check_running_out, warning_days
from guide.guides.models import GuideProfile
from guide.referrals.models import Referral
from guide.reports.dialect import days_between, month_of
from guide.reports.labels import REFERRER_KIND_LABELS, month_label
from guide.reports.percentiles import percentile
from guide.reports.periods import Period
from guide.reports.suppression import protect_count, protect_share
from guide.reports.tables import Cell, Measure, Row, Table, protected_rows
from guide.support.models import EquipmentLoan, Fund, GrantStatus, SupportGrant, SupportKind
from guide.support.services import KIND_LABELS as SUPPORT_KIND_LABELS
from guide.tenant import Organisation

#: "After 3 months" and "after 6 months", in days, so both databases count them alike.
RETENTION_DAYS = {3: 91, 6: 182}
#: Support counts as committed once approved, and stays committed when paid.
COMMITTED = (GrantStatus.approved, GrantStatus.paid)


@dataclass(frozen=True)
class Figures:
    """Every table of the figures page, in page order."""

    period: Period
    tables: tuple[Table, ...]

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


@dataclass(frozen=True)
class WaitStatistics:
    children: int
    median: float | None
    upper_quartile: float | None


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def in_period(column: Any, period: Period) -> ColumnElement[bool]:
    if isinstance(column.type, UTCDateTime):
        return and_(column >= period.starts_at, column < period.ends_before)
    return and_(column >= period.start, column <= period.end)


# --- query helpers -------------------------------------------------------------------------


def grouped_with_total(
    key: ColumnElement[Any],
    measures: Sequence[ColumnElement[Any]],
    build: Callable[[Select], Select],
) -> tuple[dict[Any, tuple], tuple]:
    """One statement: ``measures`` per value of ``key``, and over all rows (the total).

    ``build`` adds the FROM, joins and WHERE to a bare select. Returns (per key, total).
    """
    grouped = build(select(key.label("key"), literal_column("0").label("is_total"), *measures))
    total = build(select(null().label("key"), literal_column("1").label("is_total"), *measures))
    per_key: dict[Any, tuple] = {}
    overall: tuple = tuple(0 for _ in measures)
    for row in db.session.execute(union_all(grouped.group_by(key), total)):
        values = tuple(row[2:])
        if row.is_total:
            overall = values
        else:
            per_key[row.key] = values
    return per_key, overall


def _count_all() -> ColumnElement[int]:
    return func.count()


def _count_children(condition: ColumnElement[bool] | None = None) -> ColumnElement[int]:
    """Distinct cases (one per child and course), optionally only where ``condition`` holds."""
    if condition is None:
        return func.count(func.distinct(Enrollment.case_id))
    return func.count(func.distinct(case((condition, Enrollment.case_id))))


def _sum_where(condition: ColumnElement[bool], value: Any = 1) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def wait_statistics(
    *,
    key: ColumnElement[Any],
    start: Any,
    end: Any,
    build: Callable[[Select], Select],
) -> tuple[dict[Any, WaitStatistics], WaitStatistics]:
    """Children, median and 75th percentile of whole days from ``start`` to ``end``.

    Per value of ``key`` and overall; rows without ``end`` are left out. One statement.
    """
    dialect = _dialect()
    days = days_between(dialect, end, start)

    def filtered(query: Select) -> Select:
        return build(query).where(end.is_not(None))

    if dialect == "postgresql":
        measures = [
            func.count(),
            func.percentile_cont(literal_column("0.5")).within_group(days),
            func.percentile_cont(literal_column("0.75")).within_group(days),
        ]
        per_key, overall = grouped_with_total(key, measures, filtered)
        return (
            {k: WaitStatistics(int(n), m, q) for k, (n, m, q) in per_key.items()},
            WaitStatistics(int(overall[0]), overall[1], overall[2]),
        )
    # SQLite: only (key, days) pairs, already sorted, so Python interpolates like PostgreSQL.
    values: dict[Any, list[int]] = defaultdict(list)
    everything: list[int] = []
    for group, count in db.session.execute(
        filtered(select(key.label("key"), days.label("days"))).order_by(days)
    ):
        values[group].append(count)
        everything.append(count)
    return (
        {group: _statistics(counts) for group, counts in values.items()},
        _statistics(everything),
    )


def _statistics(sorted_days: list[int]) -> WaitStatistics:
    return WaitStatistics(
        len(sorted_days), percentile(sorted_days, 0.5), percentile(sorted_days, 0.75)
    )


def wait_cells(statistics: WaitStatistics | None) -> list[Cell]:
    """Children, median and 75th percentile; the statistics vanish for a small group."""
    if statistics is None or statistics.children == 0:
        return [Cell(0), Cell(None, Measure.days), Cell(None, Measure.days)]
    if protect_count(statistics.children) is None:
        return [Cell.under_five(), Cell.under_five(Measure.days), Cell.under_five(Measure.days)]
    return [
        Cell(statistics.children),
        Cell(statistics.median, Measure.days),
        Cell(statistics.upper_quartile, Measure.days),
    ]


def share_cells(part: int, whole: int) -> list[Cell]:
    """Whole, part and share: the part and the share only when neither side is small."""
    share = protect_share(part, whole)
    whole_cell = Cell(whole) if protect_count(whole) is not None else Cell.under_five()
    if share is None:
        return [whole_cell, Cell.under_five(), Cell.under_five(Measure.share)]
    return [whole_cell, Cell(part), Cell(share, Measure.share)]


def retention_counts(
    *, reference_day: dt.date, months: int, where: Sequence[ColumnElement[bool]]
) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """(started long enough ago, still in an activity then) as aggregate expressions over cases.

    A case counts when its first activity began at least the period's days before the
    reference day; it is retained when some enrollment had started by that day after the
    start and had not ended on or before it.
    """
    dialect = _dialect()
    days = RETENTION_DAYS[months]
    start = Case.first_activity_at
    eligible = days_between(dialect, reference_day, start) >= days
    covered = (
        exists()
        .where(
            Enrollment.case_id == Case.id,
            Enrollment.started_on.is_not(None),
            days_between(dialect, Enrollment.started_on, start) <= days,
            or_(
                Enrollment.ended_on.is_(None),
                days_between(dialect, Enrollment.ended_on, start) > days,
            ),
            *where,
        )
        .correlate(Case)
    )
    return _sum_where(eligible), _sum_where(and_(eligible, covered))


# --- the figures ---------------------------------------------------------------------------


def organisation_figures(*, organisation_id: uuid.UUID, period: Period, today: dt.date) -> Figures:
    """Every table of the figures page for one organisation, protected against small groups."""
    months = period.months()
    tables = (
        referrals_by_month(organisation_id, period, months),
        referrals_by_kind(organisation_id, period),
        referrals_by_area(organisation_id, period),
        waits(organisation_id, period, months, to="guide"),
        waits(organisation_id, period, months, to="activity"),
        retention(organisation_id, period, today),
        closures(organisation_id, period),
        enrollment_endings(organisation_id, period),
        *activities_started(organisation_id, period),
        support_by_kind(organisation_id, period),
        support_by_fund(organisation_id, period),
        equipment(organisation_id, today),
        guides(organisation_id, today),
    )
    return Figures(period=period, tables=tables)


def _referral_query(organisation_id: uuid.UUID, period: Period) -> Callable[[Select], Select]:
    def build(query: Select) -> Select:
        return query.select_from(Referral).where(
            Referral.organisation_id == organisation_id,
            in_period(Referral.submitted_at, period),
        )

    return build


def _count_table(
    *,
    key: str,
    title: str,
    heading: str,
    keys: Sequence[Hashable],
    counts: dict[Any, tuple],
    total: tuple,
    label: Callable[[Any], str],
    note: str = "",
) -> Table:
    """A one-column breakdown of children with its total, small groups hidden."""
    children = {k: int(counts[k][0]) if k in counts else 0 for k in keys}
    rows = protected_rows(
        keys,
        children=children,
        total_children=int(total[0]),
        label=label,
        cells=lambda k: [Cell(int(total[0]) if k is None else children[k])],
        total_label=_("Total"),
    )
    return Table(
        key=key,
        title=title,
        columns=(heading, _("Referrals") if key.startswith("referrals") else _("Children")),
        rows=rows,
        note=note,
        chart_columns=(0,),
    )


def referrals_by_month(organisation_id: uuid.UUID, period: Period, months: list[str]) -> Table:
    """Referrals received per month."""
    counts, total = grouped_with_total(
        month_of(_dialect(), Referral.submitted_at),
        [_count_all()],
        _referral_query(organisation_id, period),
    )
    return _count_table(
        key="referrals_by_month",
        title=_("Referrals per month"),
        heading=_("Month"),
        keys=months,
        counts=counts,
        total=total,
        label=month_label,
    )


def referrals_by_kind(organisation_id: uuid.UUID, period: Period) -> Table:
    """Referrals by the referrer's type (teacher, school nurse, NAV ...)."""
    counts, total = grouped_with_total(
        Referral.referrer_kind, [_count_all()], _referral_query(organisation_id, period)
    )
    return _count_table(
        key="referrals_by_kind",
        title=_("Referrals by type of referrer"),
        heading=_("Referrer"),
        keys=list(ReferrerKind),
        counts=counts,
        total=total,
        label=lambda kind: str(REFERRER_KIND_LABELS[kind]),
    )


def referrals_by_area(organisation_id: uuid.UUID, period: Period) -> Table:
    """Referrals by the child's area; children without one form their own group."""
    base = _referral_query(organisation_id, period)
    counts, total = grouped_with_total(
        Child.area, [_count_all()], lambda query: base(query).outerjoin(Child, Referral.child)
    )
    areas = sorted((area for area in counts if area is not None), key=str.casefold)
    if None in counts:
        areas.append(None)
    # A key of None would read as the total: the group without an area gets its own key.
    keyed = {("" if area is None else area): value for area, value in counts.items()}
    return _count_table(
        key="referrals_by_area",
        title=_("Referrals by area"),
        heading=_("Area"),
        keys=["" if area is None else area for area in areas],
        counts=keyed,
        total=total,
        label=lambda area: area or _("Area not given"),
    )


def waits(organisation_id: uuid.UUID, period: Period, months: list[str], *, to: str) -> Table:
    """Days from referral to a guide (``to="guide"``) or to the first activity, by month."""
    end = Case.guide_assigned_at if to == "guide" else Case.first_activity_at

    def build(query: Select) -> Select:
        return query.select_from(Case).where(
            Case.organisation_id == organisation_id, in_period(Case.referred_at, period)
        )

    per_month, overall = wait_statistics(
        key=month_of(_dialect(), Case.referred_at), start=Case.referred_at, end=end, build=build
    )
    rows = protected_rows(
        months,
        children={month: stats.children for month, stats in per_month.items()},
        total_children=overall.children,
        label=month_label,
        cells=lambda month: wait_cells(overall if month is None else per_month.get(month)),
        total_label=_("Whole period"),
    )
    if to == "guide":
        title = _("Days from referral to a guide is assigned")
        heading = _("Children with a guide")
    else:
        title = _("Days from referral to the first activity")
        heading = _("Children in an activity")
    return Table(
        key=f"waits_to_{to}",
        title=title,
        columns=(_("Month of referral"), heading, _("Median"), _("75th percentile")),
        rows=rows,
        note=_("Children referred in the period, by the month they were referred."),
        chart_columns=(1, 2),
    )


def retention(organisation_id: uuid.UUID, period: Period, today: dt.date) -> Table:
    """Of the children whose first activity began in the period, how many kept one going."""
    reference_day = period.reference_day(today)
    measures = []
    for months in RETENTION_DAYS:
        measures.extend(retention_counts(reference_day=reference_day, months=months, where=()))
    row = db.session.execute(
        select(*measures).where(
            Case.organisation_id == organisation_id,
            in_period(Case.first_activity_at, period),
        )
    ).one()
    rows = []
    for index, months in enumerate(RETENTION_DAYS):
        started, still = int(row[2 * index]), int(row[2 * index + 1])
        label = _("After %(num)d months", num=months)
        rows.append(
            Row(key=f"after_{months}_months", label=label, cells=tuple(share_cells(still, started)))
        )
    return Table(
        key="retention",
        title=_("Children still in an activity after 3 and 6 months"),
        columns=(
            _("Time after the first activity"),
            _("Started"),
            _("Still in an activity"),
            _("Share"),
        ),
        rows=tuple(rows),
        note=_(
            "Children whose first activity began in the period, long enough before its end "
            "(91 and 182 days)."
        ),
        chart_columns=(2,),
    )


def closures(organisation_id: uuid.UUID, period: Period) -> Table:
    """Cases closed in the period by reason, dropout among them."""
    counts, total = grouped_with_total(
        Case.close_reason,
        [_count_all()],
        lambda query: query.select_from(Case).where(
            Case.organisation_id == organisation_id,
            Case.close_reason.is_not(None),
            in_period(Case.closed_at, period),
        ),
    )
    closed = int(total[0])
    children = {reason: int(counts[reason][0]) if reason in counts else 0 for reason in CloseReason}

    def cells(reason: CloseReason | None) -> list[Cell]:
        count = closed if reason is None else children[reason]
        return [Cell(count), Cell(count / closed if closed else None, Measure.share)]

    rows = protected_rows(
        list(CloseReason),
        children=children,
        total_children=closed,
        label=lambda reason: str(CLOSE_REASON_LABELS[reason.value]),
        cells=cells,
        total_label=_("Total"),
    )
    return Table(
        key="closures",
        title=_("Closed cases by reason"),
        columns=(_("Reason"), _("Cases"), _("Share of closed cases")),
        rows=rows,
        note=_("Dropout is the row “%(reason)s”.", reason=CLOSE_REASON_LABELS["dropped_out"]),
        chart_columns=(0,),
    )


def enrollment_endings(organisation_id: uuid.UUID, period: Period) -> Table:
    """Children whose activity ended in the period, by the reason it ended."""
    counts, total = grouped_with_total(
        Enrollment.end_reason,
        [_count_children()],
        lambda query: (
            query.select_from(Enrollment)
            .join(Case, Enrollment.case)
            .where(
                Case.organisation_id == organisation_id,
                Enrollment.ended_on.is_not(None),
                in_period(Enrollment.ended_on, period),
            )
        ),
    )
    # Endings without a reason get their own row: a key of None would read as the total.
    keyed = {("unknown" if k is None else k): v for k, v in counts.items()}
    keys = [*EnrollmentEndReason, "unknown"]
    label_for = {reason: str(END_REASON_LABELS[reason]) for reason in EnrollmentEndReason}
    label_for["unknown"] = _("Reason not given")
    return _count_table(
        key="enrollment_endings",
        title=_("Ended activities by reason"),
        heading=_("Reason"),
        keys=keys,
        counts=keyed,
        total=total,
        label=lambda reason: label_for[reason],
        note=_("A child whose activities ended for different reasons counts once for each."),
    )


def activities_started(organisation_id: uuid.UUID, period: Period) -> tuple[Table, Table]:
    """Children who started an activity, by category; and whether it was their own choice."""
    own = Enrollment.is_own_choice.is_(True)
    asked = Enrollment.is_own_choice.is_not(None)
    counts, total = grouped_with_total(
        Activity.category_key,
        [_count_children(), _count_children(own), _count_children(asked)],
        lambda query: (
            query.select_from(Enrollment)
            .join(Case, Enrollment.case)
            .join(Activity, Enrollment.activity)
            .where(
                Case.organisation_id == organisation_id,
                Enrollment.started_on.is_not(None),
                in_period(Enrollment.started_on, period),
            )
        ),
    )
    names = category_names(organisation_id=organisation_id)
    keys = sorted(counts, key=lambda key: names.get(key, key).casefold())
    by_category = _count_table(
        key="activities_by_category",
        title=_("Children who started an activity, by category"),
        heading=_("Category"),
        keys=keys,
        counts=counts,
        total=total,
        label=lambda key: names.get(key, key),
        note=_("A child who started activities in two categories counts in both."),
    )
    own_count, asked_count = int(total[1]), int(total[2])
    own_choice = Table(
        key="own_choice",
        title=_("The child's own choice"),
        columns=(_("Activities started"), _("Children asked"), _("Their own choice"), _("Share")),
        rows=(
            Row(
                key="own_choice",
                label=_("Chose the activity themselves"),
                cells=tuple(share_cells(own_count, asked_count)),
            ),
        ),
        note=_("Only children who were asked count."),
    )
    return by_category, own_choice


def _money_cells(children: int, committed: int, paid: int) -> list[Cell]:
    return [Cell(children), Cell(committed, Measure.money), Cell(paid, Measure.money)]


def support_by_kind(organisation_id: uuid.UUID, period: Period) -> Table:
    """Support committed (approved or paid) and paid, by kind, for grants decided in the period."""
    paid = SupportGrant.status == GrantStatus.paid
    counts, total = grouped_with_total(
        SupportGrant.kind,
        [
            func.count(func.distinct(SupportGrant.case_id)),
            func.coalesce(func.sum(SupportGrant.amount), 0),
            _sum_where(paid, SupportGrant.amount),
        ],
        lambda query: query.select_from(SupportGrant).where(
            SupportGrant.organisation_id == organisation_id,
            SupportGrant.status.in_(COMMITTED),
            in_period(SupportGrant.decided_at, period),
        ),
    )
    values: dict[SupportKind | None, tuple[int, ...]] = {
        kind: tuple(int(v) for v in counts.get(kind, (0, 0, 0))) for kind in SupportKind
    }
    values[None] = tuple(int(v) for v in total)
    rows = protected_rows(
        list(SupportKind),
        children={kind: value[0] for kind, value in values.items() if kind is not None},
        total_children=values[None][0],
        label=lambda kind: str(SUPPORT_KIND_LABELS[kind]),
        cells=lambda kind: _money_cells(*values[kind]),
        total_label=_("Total"),
    )
    return Table(
        key="support_by_kind",
        title=_("Support by kind"),
        columns=(_("Kind"), _("Children"), _("Committed"), _("Paid")),
        rows=rows,
        note=_("Grants approved in the period; committed includes what is paid."),
        chart_columns=(1, 2),
    )


def support_by_fund(organisation_id: uuid.UUID, period: Period) -> Table:
    """Each fund of the period's years: budget, committed, paid and what is left."""
    paid = SupportGrant.status == GrantStatus.paid
    query = (
        select(
            Fund.id,
            Fund.name,
            Fund.year,
            Fund.budget,
            func.count(func.distinct(SupportGrant.case_id)),
            func.coalesce(func.sum(SupportGrant.amount), 0),
            _sum_where(paid, SupportGrant.amount),
        )
        .outerjoin(
            SupportGrant,
            and_(SupportGrant.fund_id == Fund.id, SupportGrant.status.in_(COMMITTED)),
        )
        .where(
            Fund.organisation_id == organisation_id,
            Fund.year >= period.start.year,
            Fund.year <= period.end.year,
        )
        .group_by(Fund.id, Fund.name, Fund.year, Fund.budget)
        .order_by(Fund.year, Fund.name, Fund.id)
    )
    funds = {row[0]: row for row in db.session.execute(query)}
    #: budget, children, committed, paid per fund, and (under None) summed over the funds.
    amounts: dict[uuid.UUID | None, tuple[int, ...]] = {
        fund_id: tuple(int(v) for v in row[3:7]) for fund_id, row in funds.items()
    }
    amounts[None] = tuple(sum(values[i] for values in list(amounts.values())) for i in range(4))

    def cells(fund_id: uuid.UUID | None) -> list[Cell]:
        budget, children, committed, paid_amount = amounts[fund_id]
        return [
            Cell(budget, Measure.money),
            *_money_cells(children, committed, paid_amount),
            Cell(budget - committed, Measure.money),
        ]

    rows = protected_rows(
        list(funds),
        children={fund_id: values[1] for fund_id, values in amounts.items() if fund_id},
        total_children=None,
        label=lambda fund_id: f"{funds[fund_id][1]} ({funds[fund_id][2]})",
        cells=cells,
        total_label=_("Total"),
    )
    # The budget is public: keep it when the rest of a row is hidden.
    budgets = [Cell(amounts[fund_id][0], Measure.money) for fund_id in [*funds, None]]
    rows = tuple(
        Row(row.key, row.label, (budget, *row.cells[1:]), row.is_total)
        for row, budget in zip(rows, budgets, strict=True)
    )
    return Table(
        key="support_by_fund",
        title=_("Funds against budget"),
        columns=(_("Fund"), _("Budget"), _("Children"), _("Committed"), _("Paid"), _("Left")),
        rows=rows,
        note=_("All approved grants on each fund, whenever they were decided."),
    )


def equipment(organisation_id: uuid.UUID, today: dt.date) -> Table:
    """Equipment out on loan today, and how much of it is overdue."""
    out = EquipmentLoan.returned_on.is_(None)
    row = db.session.execute(
        select(
            _sum_where(out),
            _sum_where(and_(out, EquipmentLoan.due_on.is_not(None), EquipmentLoan.due_on < today)),
        ).where(EquipmentLoan.organisation_id == organisation_id, EquipmentLoan.lent_on <= today)
    ).one()
    return _numbers_table(
        key="equipment",
        title=_("Equipment loans"),
        heading=_("Loans"),
        note=_("On the day the figures were made."),
        items=(("out", _("Out on loan"), row[0]), ("overdue", _("Overdue"), row[1])),
        protect=True,
    )


def _numbers_table(
    *,
    key: str,
    title: str,
    heading: str,
    note: str,
    items: Sequence[tuple[str, str, int]],
    protect: bool,
) -> Table:
    """A short list of single numbers, each protected on its own when ``protect``."""

    def number(value: int) -> Cell:
        return Cell.under_five() if protect and protect_count(value) is None else Cell(value)

    rows = tuple(Row(key=k, label=label, cells=(number(int(value)),)) for k, label, value in items)
    return Table(key=key, title=title, columns=(heading, _("Number")), rows=rows, note=note)


def guides(organisation_id: uuid.UUID, today: dt.date) -> Table:
    """Active guides, those with a free place, and police certificates running out soon."""
    valid_months = db.session.scalar(
        select(Organisation.police_certificate_valid_months).where(
            Organisation.id == organisation_id
        )
    )
    # Checked on or before this day: the certificate has run out or expires soon.
    cutoff = last_check_running_out(today, valid_months or 0)
    open_cases = (
        select(func.count(Case.id))
        .where(Case.assigned_guide_id == GuideProfile.id, Case.status.in_(GUIDE_OPEN_STATUSES))
        .correlate(GuideProfile)
        .scalar_subquery()
    )
    checked = GuideProfile.police_certificate_checked_on
    row = db.session.execute(
        select(
            func.count(),
            _sum_where(GuideProfile.capacity > open_cases),
            _sum_where(and_(checked.is_not(None), checked <= cutoff)),
        )
        .select_from(GuideProfile)
        .join(User, GuideProfile.user)
        .where(
            GuideProfile.organisation_id == organisation_id,
            GuideProfile.is_paused.is_(false()),
            User.is_active.is_(true()),
        )
    ).one()
    return _numbers_table(
        key="guides",
        title=_("Guides"),
        heading=_("Guides"),
        note=_("About the volunteers, not the children: shown as they are."),
        items=(
            ("active", _("Active guides"), row[0]),
            ("free_places", _("With a free place"), row[1]),
            (
                "certificate_expiring",
                ngettext(
                    "Police certificate expires within %(num)d day",
                    "Police certificate expires within %(num)d days",
                    warning_days(),
                ),
                row[2],
            ),
        ),
        protect=False,
    )
