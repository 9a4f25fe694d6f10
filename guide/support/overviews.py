"""Sums of support: per case (kind, year), per fund (kind, month) and the payment list.

Every sum is an SQL aggregate over the grants. Years and months are those of the approval
(``decided_at``) in UTC, so each approved or paid grant lands in exactly one row and the
rows add up to the fund's totals. The payment list is chosen by payment date (``paid_at``)
in the organisation's time zone: it is what the accounts actually paid in the period.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, extract, func, select
from sqlalchemy.orm import joinedload

from guide.activities.models import Club
from guide.cases.models import Case
from guide.extensions import db
from guide.support.models import Fund, GrantStatus, SupportGrant, SupportKind
from guide.support.services import DRAWING_STATUSES, case_grants, local_period, sum_with_status


@dataclass(frozen=True)
class Sums:
    """Committed (approved, unpaid) and paid, in øre."""

    committed: int = 0
    paid: int = 0

    @property
    def total(self) -> int:
        return self.committed + self.paid

    def __add__(self, other: Sums) -> Sums:
        return Sums(self.committed + other.committed, self.paid + other.paid)


@dataclass(frozen=True)
class BreakdownRow:
    """One (year, month, kind) cell of a fund's or case's grants."""

    year: int
    month: int
    kind: SupportKind
    sums: Sums

    @property
    def month_key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def _utc(column: ColumnElement) -> ColumnElement:
    # PostgreSQL keeps timestamptz and extracts in the session's zone; pin it to UTC.
    if db.engine.dialect.name == "postgresql":
        return func.timezone("UTC", column)
    return column


def breakdown(*conditions: ColumnElement[bool]) -> list[BreakdownRow]:
    """Approved and paid grants matching ``conditions``, summed per approval month and kind."""
    # Every approved grant has ``decided_at``; the fallbacks keep imported rows countable.
    decided = _utc(
        func.coalesce(SupportGrant.decided_at, SupportGrant.paid_at, SupportGrant.requested_at)
    )
    year, month = extract("year", decided), extract("month", decided)
    rows = db.session.execute(
        select(
            year,
            month,
            SupportGrant.kind,
            sum_with_status(GrantStatus.approved),
            sum_with_status(GrantStatus.paid),
        )
        .where(SupportGrant.status.in_(DRAWING_STATUSES), *conditions)
        .group_by(year, month, SupportGrant.kind)
        .order_by(year, month, SupportGrant.kind)
    )
    return [
        BreakdownRow(int(y), int(m), SupportKind(kind), Sums(int(committed), int(paid)))
        for y, m, kind, committed, paid in rows
    ]


def totals_by(rows: Iterable[BreakdownRow], key) -> dict:
    """Adds up breakdown rows under ``key(row)``, keeping first-seen order."""
    totals: dict = {}
    for row in rows:
        totals[key(row)] = totals.get(key(row), Sums()) + row.sums
    return totals


@dataclass(frozen=True)
class FundOverview:
    fund: Fund
    rows: list[BreakdownRow]

    @property
    def totals(self) -> Sums:
        return sum((row.sums for row in self.rows), Sums())

    @property
    def remaining(self) -> int:
        return self.fund.budget - self.totals.total

    @property
    def by_kind(self) -> dict[SupportKind, Sums]:
        ordered = sorted(self.rows, key=lambda row: list(SupportKind).index(row.kind))
        return totals_by(ordered, lambda row: row.kind)

    @property
    def by_month(self) -> dict[str, Sums]:
        return totals_by(self.rows, lambda row: row.month_key)


def fund_overview(fund: Fund) -> FundOverview:
    """Budget against committed and paid, by kind and by month."""
    return FundOverview(fund=fund, rows=breakdown(SupportGrant.fund_id == fund.id))


@dataclass(frozen=True)
class CaseOverview:
    grants: list[SupportGrant]
    rows: list[BreakdownRow]

    @property
    def totals(self) -> Sums:
        return sum((row.sums for row in self.rows), Sums())

    @property
    def by_kind(self) -> dict[SupportKind, Sums]:
        ordered = sorted(self.rows, key=lambda row: list(SupportKind).index(row.kind))
        return totals_by(ordered, lambda row: row.kind)

    @property
    def by_year(self) -> dict[int, Sums]:
        return totals_by(self.rows, lambda row: row.year)

    @property
    def requested(self) -> int:
        return sum(g.amount for g in self.grants if g.status == GrantStatus.requested)


def case_overview(case: Case) -> CaseOverview:
    """All support for the child on this case, with totals per kind and per year."""
    return CaseOverview(grants=case_grants(case), rows=breakdown(SupportGrant.case_id == case.id))


@dataclass(frozen=True)
class PaymentRow:
    """One payment in the accounts' list: who was paid, how much, under which reference."""

    payee: str
    org_number: str | None
    amount: int
    reference: str
    paid_at: dt.datetime


def payments(
    *,
    organisation_id: uuid.UUID,
    date_from: dt.date,
    date_to: dt.date,
    timezone: str,
    payee_club_id: uuid.UUID | None = None,
) -> list[PaymentRow]:
    """Grants paid in the period (local dates, both included), by payee; no child data."""
    start, end = local_period(date_from, date_to, timezone=timezone)
    query = (
        select(SupportGrant)
        .where(
            SupportGrant.organisation_id == organisation_id,
            SupportGrant.status == GrantStatus.paid,
            SupportGrant.paid_at >= start,
            SupportGrant.paid_at < end,
        )
        .options(joinedload(SupportGrant.payee_club))
        .order_by(SupportGrant.paid_at, SupportGrant.id)
    )
    if payee_club_id is not None:
        query = query.where(SupportGrant.payee_club_id == payee_club_id)
    rows = [
        PaymentRow(
            payee=grant.payee_club.name if grant.payee_club else (grant.payee_name or ""),
            org_number=grant.payee_club.org_number if grant.payee_club else None,
            amount=grant.amount,
            reference=grant.payment_reference or str(grant.id),
            paid_at=grant.paid_at,
        )
        for grant in db.session.scalars(query)
    ]
    return sorted(rows, key=lambda row: (row.payee.casefold(), row.paid_at))


def payee_clubs(*, organisation_id: uuid.UUID) -> list[Club]:
    """Clubs that have been paid support, for the payment list's payee filter."""
    return list(
        db.session.scalars(
            select(Club)
            .where(
                Club.organisation_id == organisation_id,
                Club.id.in_(
                    select(SupportGrant.payee_club_id).where(
                        SupportGrant.organisation_id == organisation_id,
                        SupportGrant.status == GrantStatus.paid,
                    )
                ),
            )
            .order_by(Club.name)
        )
    )
