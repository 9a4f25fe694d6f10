"""Funds and support grants: requested → approved | rejected → paid; no fund overdrawn by accident.

Approving draws on a fund. The check "does the grant fit what is left" and the approval
happen under a lock on the fund (``lock_fund``), so two coordinators approving the last
money at the same moment cannot both pass: the second waits, then sees the first's grant.
A coordinator may overdraw a fund only by ticking the override and giving a reason; that
is audited as ``fund_override``. Spent, committed and remaining are always summed from the
grants in SQL, never stored. Every service audits and flushes; the request commits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, exists, func, select, update
from sqlalchemy.orm import joinedload

from guide.access import load_scoped
from guide.accounts.models import User
from guide.activities.models import Activity, Club, Enrollment
from guide.audit.services import record_event
from guide.cases.models import Case, CaseStatus, Child
from guide.database import utcnow
from guide.extensions import db
from guide.policy import Permission, allowed
from guide.support.models import Fund, GrantStatus, PayeeKind, SupportGrant, SupportKind
from guide.tasks import TaskKind, complete_tasks, once_key, path_for, raise_task
from guide.validation.versions import check_version

KIND_LABELS = {
    SupportKind.membership_fee: _l("Membership fee"),
    SupportKind.equipment: _l("Equipment"),
    SupportKind.trips_events: _l("Trips, cups and camps"),
    SupportKind.transport: _l("Transport"),
    SupportKind.other: _l("Other"),
}
STATUS_LABELS = {
    GrantStatus.requested: _l("Requested"),
    GrantStatus.approved: _l("Approved, not paid"),
    GrantStatus.rejected: _l("Rejected"),
    GrantStatus.paid: _l("Paid"),
}
PAYEE_LABELS = {
    PayeeKind.club: _l("The activity's club"),
    PayeeKind.shop: _l("A shop"),
    PayeeKind.other: _l("Someone else"),
}
#: Where a fund's money comes from; stored as the key.
FUND_SOURCE_LABELS = {
    "state_grant": _l("State grant scheme"),
    "municipality": _l("The municipality (fritidsstipend)"),
    "business": _l("Local business or sponsor"),
    "own_funds": _l("Own funds"),
    "other": _l("Other"),
}

#: Grants that draw on their fund: committed (approved, unpaid) and spent (paid).
DRAWING_STATUSES = (GrantStatus.approved, GrantStatus.paid)
#: Case statuses in which support can be requested.
REQUESTING_CASE_STATUSES = frozenset(
    {
        CaseStatus.accepted,
        CaseStatus.guide_assigned,
        CaseStatus.in_progress,
        CaseStatus.active,
        CaseStatus.paused,
    }
)
#: The only thing a club may ever learn about support for a child.
CLUB_VISIBLE_KINDS = (SupportKind.membership_fee,)


class SupportRuleError(ValueError):
    """The step is not allowed now; the message says why, in the user's language."""


class FundOverdrawn(SupportRuleError):
    """Approving would take the fund below zero and no override was given."""

    def __init__(self, message: str, *, remaining: int) -> None:
        super().__init__(message)
        self.remaining = remaining


# --- funds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundTotals:
    """A fund with what is committed (approved, unpaid) and spent (paid) from it, in øre."""

    fund: Fund
    committed: int
    paid: int

    @property
    def drawn(self) -> int:
        return self.committed + self.paid

    @property
    def remaining(self) -> int:
        return self.fund.budget - self.drawn


def sum_with_status(status: GrantStatus):
    """SQL: the sum of the amounts of grants in ``status`` (0 when none)."""
    return func.coalesce(
        func.sum(case((SupportGrant.status == status, SupportGrant.amount), else_=0)), 0
    )


def _totals_query() -> Select:
    return (
        select(Fund, sum_with_status(GrantStatus.approved), sum_with_status(GrantStatus.paid))
        .outerjoin(
            SupportGrant,
            (SupportGrant.fund_id == Fund.id) & SupportGrant.status.in_(DRAWING_STATUSES),
        )
        .group_by(Fund.id)
    )


def list_funds(*, organisation_id: uuid.UUID) -> list[FundTotals]:
    """The organisation's funds, newest year first, each with its sums."""
    rows = db.session.execute(
        _totals_query()
        .where(Fund.organisation_id == organisation_id)
        .order_by(Fund.year.desc(), Fund.name)
    )
    return [FundTotals(fund, int(committed), int(paid)) for fund, committed, paid in rows]


def fund_totals(fund: Fund) -> FundTotals:
    """One fund's sums, read now."""
    _fund, committed, paid = db.session.execute(_totals_query().where(Fund.id == fund.id)).one()
    return FundTotals(fund, int(committed), int(paid))


def load_fund(*, viewer: User, fund_id: uuid.UUID) -> Fund:
    """A fund of the viewer's organisation, else 404."""
    fund = load_scoped(
        select(Fund).where(Fund.id == fund_id, Fund.organisation_id == viewer.organisation_id),
        kind="fund",
        object_id=fund_id,
    )
    return fund


def active_funds(*, organisation_id: uuid.UUID) -> list[Fund]:
    """Funds a grant may draw on now."""
    return list(
        db.session.scalars(
            select(Fund)
            .where(Fund.organisation_id == organisation_id, Fund.is_active.is_(True))
            .order_by(Fund.year.desc(), Fund.name)
        )
    )


@dataclass(frozen=True)
class FundDetails:
    """What a coordinator types about a fund."""

    name: str
    source: str
    year: int
    budget: int
    notes: str | None
    is_active: bool


def create_fund(*, organisation_id: uuid.UUID, by: User, details: FundDetails) -> Fund:
    """Set up a new fund."""
    fund = Fund(organisation_id=organisation_id)
    _apply_fund_details(fund, details)
    db.session.add(fund)
    db.session.flush()
    record_event("fund_created", actor=by, obj=fund, details={"budget": fund.budget})
    return fund


def update_fund(fund: Fund, *, by: User, details: FundDetails) -> None:
    """Change a fund's name, budget or notes; what it has paid is untouched."""
    old_budget = fund.budget
    _apply_fund_details(fund, details)
    record_event(
        "fund_updated",
        actor=by,
        obj=fund,
        details={"budget_before": old_budget, "budget": fund.budget},
    )
    db.session.flush()


def _apply_fund_details(fund: Fund, details: FundDetails) -> None:
    if details.budget < 0:
        raise SupportRuleError(_("A budget cannot be negative."))
    fund.name = details.name.strip()
    fund.source = details.source
    fund.year = details.year
    fund.budget = details.budget
    fund.notes = (details.notes or "").strip() or None
    fund.is_active = details.is_active


def lock_fund(fund_id: uuid.UUID) -> None:
    """Hold the fund until the transaction ends, so one approval at a time draws on it."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(select(Fund.id).where(Fund.id == fund_id).with_for_update())
    else:
        # SQLite has no row locks: a write takes the database's write lock, which the
        # transaction then holds, and a rival approval waits for it (busy_timeout).
        db.session.execute(
            update(Fund)
            .where(Fund.id == fund_id)
            .values(budget=Fund.budget)
            .execution_options(synchronize_session=False)
        )


def room_in(fund_id: uuid.UUID, *, excluding: uuid.UUID | None = None) -> int:
    """Budget minus what approved and paid grants draw, read from the database now (øre)."""
    drawn = select(func.coalesce(func.sum(SupportGrant.amount), 0)).where(
        SupportGrant.fund_id == fund_id, SupportGrant.status.in_(DRAWING_STATUSES)
    )
    if excluding is not None:
        drawn = drawn.where(SupportGrant.id != excluding)
    budget = db.session.scalar(select(Fund.budget).where(Fund.id == fund_id))
    return int(budget) - int(db.session.scalar(drawn))


# --- grants --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantDetails:
    """What a guide or coordinator types when asking for support."""

    kind: SupportKind
    amount: int
    activity_id: uuid.UUID | None
    payee_kind: PayeeKind
    payee_name: str | None
    fund_id: uuid.UUID | None
    reason: str | None


def enrolled_activities(case: Case) -> list[Activity]:
    """The activities the case has (or had) an enrollment in, with their clubs."""
    return list(
        db.session.scalars(
            select(Activity)
            # IN, not a join: no DISTINCT over the JSON column (PostgreSQL cannot compare it).
            .where(
                Activity.id.in_(select(Enrollment.activity_id).where(Enrollment.case_id == case.id))
            )
            .options(joinedload(Activity.club))
            .order_by(Activity.name)
        )
    )


def case_grants(case: Case) -> list[SupportGrant]:
    """Every grant on the case, newest request first, with activity, club and fund."""
    return list(
        db.session.scalars(
            select(SupportGrant)
            .where(SupportGrant.case_id == case.id)
            .options(
                joinedload(SupportGrant.activity),
                joinedload(SupportGrant.payee_club),
                joinedload(SupportGrant.fund),
            )
            .order_by(SupportGrant.requested_at.desc(), SupportGrant.id)
        )
    )


def load_grant(case: Case, grant_id: uuid.UUID) -> SupportGrant:
    """One of ``case``'s grants (the case came through the object rule), else 404."""
    grant = load_scoped(
        select(SupportGrant).where(SupportGrant.id == grant_id, SupportGrant.case_id == case.id),
        kind="grant",
        object_id=grant_id,
    )
    return grant


def grants_awaiting_action(*, organisation_id: uuid.UUID, limit: int = 200) -> list[SupportGrant]:
    """Requested grants to decide and approved ones to pay, oldest first."""
    return list(
        db.session.scalars(
            select(SupportGrant)
            .where(
                SupportGrant.organisation_id == organisation_id,
                SupportGrant.status.in_((GrantStatus.requested, GrantStatus.approved)),
            )
            .options(
                joinedload(SupportGrant.case),
                joinedload(SupportGrant.fund),
                joinedload(SupportGrant.payee_club),
            )
            .order_by(SupportGrant.status.desc(), SupportGrant.requested_at, SupportGrant.id)
            .limit(limit)
        )
    )


def may_edit(grant: SupportGrant, *, may_approve: bool) -> bool:
    """Requested grants may be corrected; approved ones only by those who approve."""
    if grant.status == GrantStatus.requested:
        return True
    return grant.status == GrantStatus.approved and may_approve


def request_grant(case: Case, *, by: User, details: GrantDetails) -> SupportGrant:
    """Ask for support on the case; a coordinator decides it later."""
    if case.status not in REQUESTING_CASE_STATUSES:
        raise SupportRuleError(_("Support can only be requested on an open case."))
    grant = SupportGrant(
        organisation_id=case.organisation_id,
        case_id=case.id,
        requested_by_id=by.id,
        requested_at=utcnow(),
        status=GrantStatus.requested,
        **_checked_values(case, details),
    )
    db.session.add(grant)
    db.session.flush()
    record_event(
        "support_requested",
        actor=by,
        obj=grant,
        details={"case_id": str(case.id), "kind": grant.kind.value, "amount": grant.amount},
    )
    raise_task(
        TaskKind.SUPPORT_REQUESTED,
        case=case,
        link=_grant_path(grant),
        once_key=_request_key(grant),
    )
    return grant


def _grant_path(grant: SupportGrant) -> str:
    return path_for("support.grant_detail", case_id=grant.case_id, grant_id=grant.id)


def _request_key(grant: SupportGrant) -> str:
    return once_key(TaskKind.SUPPORT_REQUESTED, grant.id)


def _tell_decided(grant: SupportGrant, *, by: User) -> None:
    """The request's tasks are done for every coordinator; the case's guide gets a task."""
    complete_tasks(TaskKind.SUPPORT_REQUESTED, case=grant.case, by=by, once_key=_request_key(grant))
    raise_task(TaskKind.SUPPORT_DECIDED, case=grant.case, link=_grant_path(grant))


def update_grant(
    grant: SupportGrant, *, by: User, expected_version: int, details: GrantDetails
) -> None:
    """Correct a grant that is not final; an approved grant must still fit its fund."""
    check_version(grant, expected_version)
    if not may_edit(grant, may_approve=allowed(by, Permission.support_approve)):
        raise SupportRuleError(_("A rejected or paid grant cannot be changed."))
    values = _checked_values(grant.case, details, current_fund_id=grant.fund_id)
    old_amount = grant.amount
    if grant.status == GrantStatus.approved:
        fund_id = values["fund_id"]
        if fund_id is None:
            raise SupportRuleError(_("An approved grant must draw on a fund."))
        if fund_id != grant.fund_id or values["amount"] > old_amount:
            lock_fund(fund_id)
            remaining = room_in(fund_id, excluding=grant.id)
            if values["amount"] > remaining:
                raise FundOverdrawn(_overdrawn_message(remaining), remaining=remaining)
    _assign(grant, values)
    record_event(
        "support_updated",
        actor=by,
        obj=grant,
        details={"amount_before": old_amount, "amount": grant.amount},
    )
    db.session.flush()


def _checked_values(
    case: Case, details: GrantDetails, *, current_fund_id: uuid.UUID | None = None
) -> dict[str, object]:
    """The grant's new column values, or a refusal before anything has changed."""
    if details.amount <= 0:
        raise SupportRuleError(_("The amount must be more than 0 kr."))
    activity = None
    if details.activity_id is not None:
        activity = next(
            (item for item in enrolled_activities(case) if item.id == details.activity_id), None
        )
        if activity is None:
            raise SupportRuleError(_("Choose one of the child's activities."))
    payee_name = (details.payee_name or "").strip() or None
    if details.payee_kind == PayeeKind.club:
        if activity is None:
            raise SupportRuleError(_("Choose the activity whose club is to be paid."))
        payee_club_id, payee_name = activity.club_id, None
    elif payee_name is None:
        raise SupportRuleError(_("Write the name of the shop or payee."))
    else:
        payee_club_id = None
    if details.fund_id is not None and details.fund_id != current_fund_id:
        _usable_fund(details.fund_id, case.organisation_id)
    return {
        "kind": details.kind,
        "amount": details.amount,
        "activity_id": activity.id if activity is not None else None,
        "payee_kind": details.payee_kind,
        "payee_club_id": payee_club_id,
        "payee_name": payee_name,
        "fund_id": details.fund_id,
        "reason": (details.reason or "").strip() or None,
    }


def _assign(grant: SupportGrant, values: dict[str, object]) -> None:
    for name, value in values.items():
        setattr(grant, name, value)


def _usable_fund(fund_id: uuid.UUID, organisation_id: uuid.UUID) -> Fund:
    fund = db.session.get(Fund, fund_id)
    if fund is None or fund.organisation_id != organisation_id or not fund.is_active:
        raise SupportRuleError(_("Choose one of the organisation's active funds."))
    return fund


def _overdrawn_message(remaining: int) -> str:
    from guide.i18n import format_money

    return _(
        "The fund has only %(remaining)s left. Choose another fund, or tick the override "
        "and say why the fund may be overdrawn.",
        remaining=format_money(remaining),
    )


def approve_grant(
    grant: SupportGrant,
    *,
    by: User,
    expected_version: int,
    fund_id: uuid.UUID,
    override: bool = False,
    override_reason: str | None = None,
) -> None:
    """Approve a requested grant from ``fund``; refused if it does not fit, unless overridden."""
    check_version(grant, expected_version)
    if grant.status != GrantStatus.requested:
        raise SupportRuleError(_("Only a requested grant can be approved."))
    fund = _usable_fund(fund_id, grant.organisation_id)
    reason = (override_reason or "").strip()
    if override and not reason:
        raise SupportRuleError(_("Say why the fund may be overdrawn."))
    # The lock first, then the sum: a rival approval's grant is either counted or waits.
    lock_fund(fund.id)
    remaining = room_in(fund.id, excluding=grant.id)
    if grant.amount > remaining:
        if not override:
            raise FundOverdrawn(_overdrawn_message(remaining), remaining=remaining)
        grant.override_reason = reason
        record_event(
            "fund_override",
            actor=by,
            obj=grant,
            details={"fund_id": str(fund.id), "amount": grant.amount, "remaining": remaining},
        )
    grant.fund_id = fund.id
    grant.status = GrantStatus.approved
    grant.decided_by_id = by.id
    grant.decided_at = utcnow()
    record_event(
        "support_approved",
        actor=by,
        obj=grant,
        details={"fund_id": str(fund.id), "amount": grant.amount},
    )
    _tell_decided(grant, by=by)


def reject_grant(grant: SupportGrant, *, by: User, expected_version: int, reason: str) -> None:
    """Reject a requested grant, with a reason the family's guide can read (clubs never)."""
    check_version(grant, expected_version)
    if grant.status != GrantStatus.requested:
        raise SupportRuleError(_("Only a requested grant can be rejected."))
    if not reason.strip():
        raise SupportRuleError(_("Say why the request is rejected."))
    grant.status = GrantStatus.rejected
    grant.decision_note = reason.strip()
    grant.decided_by_id = by.id
    grant.decided_at = utcnow()
    record_event("support_rejected", actor=by, obj=grant)
    _tell_decided(grant, by=by)


def mark_paid(
    grant: SupportGrant, *, by: User, expected_version: int, payment_reference: str
) -> None:
    """Record that the organisation's accounts have paid an approved grant."""
    check_version(grant, expected_version)
    if grant.status != GrantStatus.approved:
        raise SupportRuleError(_("Only an approved grant can be marked as paid."))
    reference = payment_reference.strip()
    if not reference:
        raise SupportRuleError(_("Enter the payment reference from the accounts."))
    grant.status = GrantStatus.paid
    grant.payment_reference = reference
    grant.paid_by_id = by.id
    grant.paid_at = utcnow()
    record_event("support_paid", actor=by, obj=grant, details={"amount": grant.amount})
    db.session.flush()


# --- what a club may see --------------------------------------------------------------------


def club_visible_support(child: Child, club: Club | uuid.UUID) -> str | None:
    """At most "membership fee settled by the scheme"; never a fund, amount or reason.

    The caller shows it only for a child shared with the club under consent.
    """
    club_id = club if isinstance(club, uuid.UUID) else club.id
    settled = db.session.scalar(
        select(
            exists().where(
                SupportGrant.case_id.in_(select(Case.id).where(Case.child_id == child.id)),
                SupportGrant.payee_club_id == club_id,
                SupportGrant.kind.in_(CLUB_VISIBLE_KINDS),
                SupportGrant.status.in_(DRAWING_STATUSES),
            )
        )
    )
    return _("Membership fee settled by the scheme.") if settled else None


def local_period(
    date_from: dt.date, date_to: dt.date, *, timezone: str
) -> tuple[dt.datetime, dt.datetime]:
    """UTC bounds [start, end) of the local calendar days from ``date_from`` to ``date_to``."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    start = dt.datetime.combine(date_from, dt.time(), zone)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)
