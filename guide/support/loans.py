"""Equipment loans on a case, overdue loans, and the register of the organisation's own store.

Whether a register item is lent out is kept in ``EquipmentItem.is_available``, and only
this module changes it: lending an item claims it, returning the loan frees it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, func, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload

from guide.access import load_scoped
from guide.accounts.models import User
from guide.audit.services import record_event
from guide.cases.models import Case, CaseStatus
from guide.dates import local_date
from guide.extensions import db
from guide.guides.models import GuideProfile
from guide.support.models import EquipmentItem, EquipmentLoan, LoanSource
from guide.tasks import TaskKind, complete_tasks, once_key

#: Conditions an item or a loan can be recorded in; the keys are stored, labels translate.
CONDITIONS = ("new", "good", "worn", "damaged")
#: New loans are registered on cases a guide still works on.
CLOSED_STATUSES = (CaseStatus.closed, CaseStatus.declined)
#: The dashboard lists at most this many overdue loans, the longest overdue first.
OVERDUE_LIMIT = 100


class LoanRefused(Exception):
    """A loan or return that breaks a rule, raised before anything is changed.

    ``field`` is the form field the message belongs beside, if any.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def can_lend(case: Case) -> bool:
    """New loans only on cases that are not closed or declined."""
    return CaseStatus(case.status) not in CLOSED_STATUSES


def case_loans(case: Case) -> list[EquipmentLoan]:
    """The case's loans: those still out first (soonest due first), then the returned ones."""
    return list(
        db.session.scalars(
            select(EquipmentLoan)
            .where(
                EquipmentLoan.case_id == case.id,
                EquipmentLoan.organisation_id == case.organisation_id,
            )
            .order_by(
                EquipmentLoan.returned_on.is_not(None),
                EquipmentLoan.due_on,
                EquipmentLoan.returned_on.desc(),
                EquipmentLoan.id,
            )
        )
    )


def loans_per_year(loans: list[EquipmentLoan]) -> dict[int, int]:
    """How many of ``loans`` were lent in each year, oldest year first."""
    counts: dict[int, int] = {}
    for loan in loans:
        counts[loan.lent_on.year] = counts.get(loan.lent_on.year, 0) + 1
    return dict(sorted(counts.items()))


def load_loan(case: Case, loan_id: uuid.UUID) -> EquipmentLoan:
    """The loan if it belongs to ``case`` (already loaded through the object rule), else 404."""
    loan = load_scoped(
        select(EquipmentLoan).where(
            EquipmentLoan.id == loan_id,
            EquipmentLoan.case_id == case.id,
            EquipmentLoan.organisation_id == case.organisation_id,
        ),
        kind="loan",
        object_id=loan_id,
    )
    return loan


def available_items(*, organisation_id: uuid.UUID) -> list[EquipmentItem]:
    """Register items that are in the store now, for picking one when lending."""
    return list(
        db.session.scalars(
            select(EquipmentItem)
            .where(
                EquipmentItem.organisation_id == organisation_id,
                EquipmentItem.is_available.is_(True),
            )
            .order_by(EquipmentItem.name, EquipmentItem.size, EquipmentItem.id)
        )
    )


def lend_equipment(
    case: Case,
    *,
    by: User,
    source: LoanSource,
    item_type: str,
    lent_on: dt.date,
    due_on: dt.date,
    size: str | None = None,
    condition: str | None = None,
    note: str | None = None,
    item: EquipmentItem | None = None,
) -> EquipmentLoan:
    """Record equipment lent for the child; an item from the register is claimed at once."""
    source = LoanSource(source)
    if not can_lend(case):
        raise LoanRefused(_l("Equipment can only be lent on an open case."))
    if due_on < lent_on:
        raise LoanRefused(_l("The due date cannot be before the day it was lent."), field="due_on")
    if item is not None:
        if source != LoanSource.own_store or item.organisation_id != case.organisation_id:
            raise LoanRefused(
                _l("Only equipment from the own store can be picked from the register."),
                field="item",
            )
        _claim(item)
        item_type, size, condition = item.name, item.size, item.condition
    loan = EquipmentLoan(
        organisation_id=case.organisation_id,
        case_id=case.id,
        item_id=item.id if item is not None else None,
        item_type=item_type,
        size=size or None,
        condition=condition or None,
        source=source,
        lent_on=lent_on,
        due_on=due_on,
        note=note or None,
    )
    db.session.add(loan)
    db.session.flush()
    # The audit names the source only; what was lent and the note stay out of the log.
    record_event(
        "equipment_loan_created",
        actor=by,
        obj=loan,
        details={"case_id": str(case.id), "source": source.value},
    )
    return loan


def _claim(item: EquipmentItem) -> None:
    # One conditional UPDATE, so two loans racing for the same item cannot both get it.
    claimed = db.session.execute(
        update(EquipmentItem)
        .where(EquipmentItem.id == item.id, EquipmentItem.is_available.is_(True))
        .values(is_available=False)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(item, ["is_available"])
    if claimed.rowcount != 1:
        raise LoanRefused(_l("This item has just been lent out. Choose another one."), field="item")


def mark_returned(loan: EquipmentLoan, *, by: User, returned_on: dt.date) -> None:
    """Record that the equipment came back; a register item is in the store again."""
    if loan.returned_on is not None:
        raise LoanRefused(_l("This loan is already marked as returned."))
    if returned_on < loan.lent_on:
        raise LoanRefused(
            _l("The return date cannot be before the day it was lent."), field="returned_on"
        )
    loan.returned_on = returned_on
    if loan.item is not None:
        loan.item.is_available = True
    record_event(
        "equipment_loan_returned", actor=by, obj=loan, details={"case_id": str(loan.case_id)}
    )
    db.session.flush()
    complete_tasks(
        TaskKind.LOAN_OVERDUE,
        case=loan.case,
        by=by,
        once_key=once_key(TaskKind.LOAN_OVERDUE, loan.id),
    )


def overdue_loans(
    *, organisation_id: uuid.UUID, today: dt.date, limit: int = OVERDUE_LIMIT
) -> list[EquipmentLoan]:
    """Loans not returned by the day after their due date, longest overdue first."""
    values = {"organisation_id": organisation_id, "today": today, "limit": limit}
    return list(db.session.scalars(_overdue_loans_query(), values).unique())


@cache
def _overdue_loans_query() -> Select:
    # Built once: the dashboard asks on every visit, and the eager loads cost more to build
    # than the query costs to run.
    return (
        select(EquipmentLoan)
        .join(EquipmentLoan.case)
        .where(
            EquipmentLoan.organisation_id == bindparam("organisation_id"),
            EquipmentLoan.returned_on.is_(None),
            EquipmentLoan.due_on < bindparam("today"),
        )
        .options(
            contains_eager(EquipmentLoan.case).joinedload(Case.child),
            contains_eager(EquipmentLoan.case)
            .joinedload(Case.assigned_guide)
            .joinedload(GuideProfile.user),
        )
        .order_by(EquipmentLoan.due_on, EquipmentLoan.id)
        .limit(bindparam("limit"))
    )


def dashboard_overdue_loans(*, viewer: User, today: dt.date | None = None) -> list[EquipmentLoan]:
    """The dashboard's overdue-loans panel for the viewer's organisation; audited."""
    loans = overdue_loans(organisation_id=viewer.organisation_id, today=today or local_date())
    record_event(
        "overdue_loans_viewed",
        actor=viewer,
        details={"case_ids": sorted({str(loan.case_id) for loan in loans})},
    )
    return loans


# --- the item register ----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFilters:
    """What the coordinator narrowed the register to; empty fields do not filter."""

    #: "available", "lent", or None for both.
    status: str | None = None
    #: Part of the item's name or size.
    text: str | None = None

    def apply(self, query: Select) -> Select:
        if self.status == "available":
            query = query.where(EquipmentItem.is_available.is_(True))
        elif self.status == "lent":
            query = query.where(EquipmentItem.is_available.is_(False))
        if self.text:
            pattern = f"%{_escape_like(self.text.lower())}%"
            query = query.where(
                or_(
                    func.lower(EquipmentItem.name).like(pattern, escape="\\"),
                    func.lower(EquipmentItem.size).like(pattern, escape="\\"),
                )
            )
        return query


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class ItemRow:
    """One line of the register: the item and, when it is lent, the loan that has it."""

    item: EquipmentItem
    loan: EquipmentLoan | None


def list_items(*, organisation_id: uuid.UUID, filters: ItemFilters | None = None) -> list[ItemRow]:
    """The register, by name and size, each lent item with its open loan."""
    query = (
        select(EquipmentItem, EquipmentLoan)
        .outerjoin(
            EquipmentLoan,
            (EquipmentLoan.item_id == EquipmentItem.id) & EquipmentLoan.returned_on.is_(None),
        )
        .where(EquipmentItem.organisation_id == organisation_id)
        .options(joinedload(EquipmentLoan.case))
        .order_by(EquipmentItem.name, EquipmentItem.size, EquipmentItem.id)
    )
    query = (filters or ItemFilters()).apply(query)
    return [ItemRow(item=item, loan=loan) for item, loan in db.session.execute(query)]


def load_item(*, viewer: User, item_id: uuid.UUID) -> EquipmentItem:
    """A register item of the viewer's organisation, else 404."""
    item = load_scoped(
        select(EquipmentItem).where(
            EquipmentItem.id == item_id, EquipmentItem.organisation_id == viewer.organisation_id
        ),
        kind="equipment_item",
        object_id=item_id,
    )
    return item


def add_item(
    *, by: User, name: str, size: str | None = None, condition: str | None = None
) -> EquipmentItem:
    """Put a new item in the register, available for lending."""
    item = EquipmentItem(
        organisation_id=by.organisation_id,
        name=name,
        size=size or None,
        condition=condition or None,
        is_available=True,
    )
    db.session.add(item)
    db.session.flush()
    record_event("equipment_item_added", actor=by, obj=item)
    return item


def update_item(
    item: EquipmentItem,
    *,
    by: User,
    name: str,
    size: str | None = None,
    condition: str | None = None,
) -> None:
    """Change an item's name, size or condition; whether it is lent is left to the loans."""
    item.name = name
    item.size = size or None
    item.condition = condition or None
    record_event("equipment_item_changed", actor=by, obj=item)
    db.session.flush()
