"""Reading cases: the coordinator's list and the object rule every case page uses."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import json
import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import joinedload, selectinload

from guide.access import load_scoped
from guide.accounts.models import User
from guide.areas.services import organisation_areas
from guide.audit.services import record_event
from guide.cases.identity import REFERENCE_ALPHABET, child_identity_digest
from guide.cases.models import Case, CaseStatus, Child
from guide.cases.name_index import children_named, guides_matching, normalise
from guide.database import utcnow
from guide.extensions import db
from guide.guides.models import GuideProfile
from guide.policy import Permission, Scope, scope_for
from guide.referrals.models import Referral

PAGE_SIZE = 50
#: Statuses in which a case is still waiting for a guide.
WAITING_STATUSES = (CaseStatus.referred, CaseStatus.accepted)
#: Statuses in which a guide works with the family: "My children", visits, a guide's places.
GUIDE_OPEN_STATUSES = (
    CaseStatus.guide_assigned,
    CaseStatus.in_progress,
    CaseStatus.active,
    CaseStatus.paused,
)


@dataclass(frozen=True)
class CaseFilters:
    """What the coordinator narrowed the case list to; empty fields do not filter."""

    status: CaseStatus | None = None
    area_id: uuid.UUID | None = None
    #: Part of the assigned guide's name, in any case: "kari" finds Kari Nordmann.
    guide_name: str | None = None
    #: Only cases still without a guide, referred more than this many days ago.
    waiting_days: int | None = None

    def apply(self, query: Select, *, organisation_id: uuid.UUID, now: dt.datetime) -> Select:
        if self.status is not None:
            query = query.where(Case.status == self.status)
        if self.area_id:
            # A subquery on (organisation_id, area_id) keeps the list's own join untouched.
            query = query.where(
                Case.child_id.in_(
                    select(Child.id).where(
                        Child.organisation_id == organisation_id, Child.area_id == self.area_id
                    )
                )
            )
        if self.guide_name:
            query = query.where(
                Case.assigned_guide_id.in_(guides_named(organisation_id, self.guide_name))
            )
        if self.waiting_days is not None:
            query = query.where(
                Case.status.in_(WAITING_STATUSES),
                Case.referred_at <= now - dt.timedelta(days=self.waiting_days),
            )
        return query

    def is_empty(self) -> bool:
        return self == CaseFilters()


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One line of the case list: only what it shows, names already decrypted."""

    id: uuid.UUID
    reference: str
    status: CaseStatus
    referred_at: dt.datetime
    child_first_name: str | None
    child_last_name: str | None
    area: str | None
    guide_name: str | None


class CaseSort(enum.StrEnum):
    """The case list's sortable columns."""

    referred = "referred"
    status = "status"
    area = "area"
    guide = "guide"


#: Statuses in the order of a case's course, for sorting by status.
STATUS_ORDER = {
    status: rank
    for rank, status in enumerate(
        (
            CaseStatus.referred,
            CaseStatus.accepted,
            CaseStatus.guide_assigned,
            CaseStatus.in_progress,
            CaseStatus.active,
            CaseStatus.paused,
            CaseStatus.closed,
            CaseStatus.declined,
        )
    )
}
#: What each non-date column sorts by; an empty area or guide sorts as "".
SORT_EXPRESSIONS: dict[CaseSort, ColumnElement] = {
    CaseSort.status: sql_case({status.value: rank for status, rank in STATUS_ORDER.items()},
                          value=Case.status, else_=len(STATUS_ORDER)),
    CaseSort.area: func.coalesce(Child.area, ""),
    CaseSort.guide: func.coalesce(User.full_name, ""),
}  # fmt: skip


@dataclass(frozen=True)
class CaseOrder:
    """How the case list is sorted: a column and a direction; ties go newest referral first."""

    key: CaseSort = CaseSort.referred
    descending: bool = True

    @property
    def value(self) -> str:
        """As the list's ``sort`` argument: "status", "-status"."""
        return ("-" if self.descending else "") + self.key.value

    def toggled(self, key: CaseSort) -> CaseOrder:
        """The order a click on ``key``'s header gives: the other direction, or the key's first."""
        key = CaseSort(key)
        if key == self.key:
            return CaseOrder(key, descending=not self.descending)
        return CaseOrder(key, descending=key == CaseSort.referred)

    def columns(self) -> list[tuple[ColumnElement, bool]]:
        """(expression, descending) pairs, ending in a unique key for keyset pagination."""
        if self.key == CaseSort.referred:
            return [(Case.referred_at, self.descending), (Case.id, self.descending)]
        return [
            (SORT_EXPRESSIONS[self.key], self.descending),
            (Case.referred_at, True),
            (Case.id, True),
        ]

    def position(self, row: CaseRow) -> list:
        """The values of ``columns()`` for ``row``, as the SQL computes them."""
        sort_value = {
            CaseSort.referred: [],
            CaseSort.status: [STATUS_ORDER.get(CaseStatus(row.status), len(STATUS_ORDER))],
            CaseSort.area: [row.area or ""],
            CaseSort.guide: [row.guide_name or ""],
        }[self.key]
        return [*sort_value, row.referred_at, row.id]

    def after(self, position: list) -> ColumnElement:
        """Rows that come after ``position`` in this order."""
        condition = None
        for (column, descending), value in reversed(
            list(zip(self.columns(), position, strict=True))
        ):
            beyond = column < value if descending else column > value
            condition = (
                beyond if condition is None else or_(beyond, and_(column == value, condition))
            )
        return condition

    def order_by(self) -> list[ColumnElement]:
        return [
            column.desc() if descending else column.asc() for column, descending in self.columns()
        ]


@dataclass(frozen=True)
class CasePage:
    cases: list[CaseRow]
    next_cursor: str | None
    #: The name searched for matches more children than the search answers.
    too_many_names: bool = False


def encode_cursor(row: CaseRow, order: CaseOrder) -> str:
    """An opaque position after ``row`` in ``order``; it holds no personal data."""
    *sort_value, referred_at, key = order.position(row)
    raw = json.dumps([order.key.value, *sort_value, referred_at.isoformat(), str(key)])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str, order: CaseOrder) -> list | None:
    """The position in ``cursor``; None when it is garbled or made for another order."""
    try:
        key, *sort_value, stamp, row_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if key != order.key.value or len(sort_value) != len(order.columns()) - 2:
            return None
        if sort_value and not isinstance(sort_value[0], int | str):
            return None
        return [*sort_value, dt.datetime.fromisoformat(stamp), uuid.UUID(row_id)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None


def list_cases(
    *,
    viewer: User,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    filters: CaseFilters | None = None,
    search: str | None = None,
    order: CaseOrder | None = None,
    now: dt.datetime | None = None,
) -> CasePage:
    """One page of the organisation's cases (keyset pagination), filtered, searched, sorted.

    ``search`` finds cases by part of the child's name (guide.cases.name_index), by case or
    referral reference, by part of the school's or the assigned guide's name.
    """
    order = order or CaseOrder()
    if scope_for(viewer, Permission.case_list) != Scope.own_organisation:
        return CasePage(cases=[], next_cursor=None)  # no scope (or one this list does not know)
    # Plain rows rather than objects: 51 lines of a few columns each, no identity map.
    query: Select = join_child_and_guide(
        select(
            Case.id,
            Case.reference,
            Case.status,
            Case.referred_at,
            Child.id,
            Child.first_name.sealed_column,
            Child.last_name.sealed_column,
            Child.area,
            User.full_name,
        ).select_from(Case)
    )
    query = (
        query.where(Case.organisation_id == viewer.organisation_id)
        .order_by(*order.order_by())
        .limit(limit + 1)
    )
    if filters is not None:
        query = filters.apply(query, organisation_id=viewer.organisation_id, now=now or utcnow())
    too_many = False
    if search:
        condition, too_many = search_condition(viewer.organisation_id, search)
        query = query.where(condition)
    position = decode_cursor(cursor, order) if cursor else None
    if position is not None:
        query = query.where(order.after(position))
    rows = db.session.execute(query).all()
    has_more = len(rows) > limit
    cases = [_case_row(*row) for row in rows[:limit]]
    # The audit says that the list was searched and what it showed, never what was typed.
    record_event(
        "case_list_viewed",
        actor=viewer,
        details={
            "count": len(cases),
            "case_ids": [str(case.id) for case in cases],
            **({"searched": True} if search else {}),
        },
    )
    return CasePage(
        cases=cases,
        next_cursor=encode_cursor(cases[-1], order) if has_more else None,
        too_many_names=too_many,
    )


def search_condition(organisation_id: uuid.UUID, text: str) -> tuple[ColumnElement, bool]:
    """Cases whose child's name, reference, school or guide matches ``text``; and whether
    the name matched more children than the search answers."""
    names = children_named(organisation_id, text)
    parts: list[ColumnElement] = []
    if names.child_ids:
        parts.append(Case.child_id.in_(names.child_ids))
    schools = schools_named(organisation_id, text)
    if schools:
        parts.append(
            Case.child_id.in_(
                select(Child.id).where(
                    Child.organisation_id == organisation_id, Child.school.in_(schools)
                )
            )
        )
    guides = guides_matching(organisation_id, text)
    if guides:
        parts.append(Case.assigned_guide_id.in_(guides))
    references = reference_candidates(text)
    if references:
        parts.append(_with_reference(organisation_id, references))
    return (or_(*parts) if parts else false()), names.too_many


def join_child_and_guide(query: Select) -> Select:
    """``query``, which reads from ``cases``, with the child and the assigned guide's account
    outer-joined: the columns every line about a case shows."""
    return (
        query.outerjoin(Child, Case.child_id == Child.id)
        .outerjoin(GuideProfile, Case.assigned_guide_id == GuideProfile.id)
        .outerjoin(User, GuideProfile.user_id == User.id)
    )


def _case_row(case_id, reference, status, referred_at, child_id, first, last, area, guide):
    return CaseRow(
        id=case_id,
        reference=reference,
        status=status,
        referred_at=referred_at,
        child_first_name=Child.first_name.reveal(first, row_id=child_id),
        child_last_name=Child.last_name.reveal(last, row_id=child_id),
        area=area,
        guide_name=guide,
    )


def area_choices(*, viewer: User) -> list[tuple[str, str]]:
    """(id, name) of each of the organisation's areas, once, by name, for the list filter."""
    return [(str(area.id), area.name) for area in organisation_areas(viewer.organisation_id)]


def schools_named(organisation_id: uuid.UUID, text: str) -> list[str]:
    """The organisation's schools whose name holds ``text`` (case and accents aside)."""
    wanted = normalise(text)
    schools = _distinct_values(organisation_id, Child.school)
    return [school for school in schools if wanted and wanted in normalise(school)]


def _distinct_values(organisation_id: uuid.UUID, column) -> list[str]:
    """The distinct values of a children's column in the organisation, in order.

    A "loose index scan": each step asks the (organisation_id, column) index for the next
    value after the last one, so the cost follows the number of values, not of children.
    """
    in_organisation = Child.organisation_id == organisation_id
    values = select(
        select(func.min(column)).where(in_organisation).scalar_subquery().label("value")
    ).cte("distinct_values", recursive=True)
    following = (
        select(func.min(column)).where(in_organisation, column > values.c.value)
    ).scalar_subquery()
    values = values.union_all(select(following).where(values.c.value.is_not(None)))
    return list(db.session.scalars(select(values.c.value).where(values.c.value.is_not(None))))


def guides_named(organisation_id: uuid.UUID, text: str) -> list[uuid.UUID]:
    """Profile ids of the organisation's guides whose name contains ``text``, in any case
    and with or without accents.

    Compared in Python, since SQLite's lower() knows only ASCII (Øystein, Åse). One
    organisation's guides are few enough for that, and only a filtered list asks.
    """
    wanted = normalise(text)
    if not wanted:
        return []
    rows = db.session.execute(
        select(GuideProfile.id, User.full_name)
        .join(User, GuideProfile.user_id == User.id)
        .where(GuideProfile.organisation_id == organisation_id)
    )
    return [profile_id for profile_id, name in rows if wanted in normalise(name)]


#: Prefixes of the references a coordinator may quote: cases (FG) and referrals (HV).
REFERENCE_PREFIXES = ("FG", "HV")


def reference_candidates(text: str) -> list[str]:
    """``fg 7k3m9q``, ``FG-7K3M9Q`` → ``["FG-7K3M9Q"]``; a bare code could be either kind."""
    compact = "".join(character for character in text.upper() if character.isalnum())
    prefix = compact[:2] if compact[:2] in REFERENCE_PREFIXES else None
    code = compact[2:] if prefix else compact
    if len(code) != 6 or any(character not in REFERENCE_ALPHABET for character in code):
        return []
    return [f"{kind}-{code}" for kind in ([prefix] if prefix else REFERENCE_PREFIXES)]


def _found(viewer: User, query: Select, kind: str) -> list[Case]:
    cases = list(
        db.session.scalars(
            query.where(Case.organisation_id == viewer.organisation_id)
            .options(
                joinedload(Case.child),
                joinedload(Case.assigned_guide).joinedload(GuideProfile.user),
            )
            .order_by(Case.referred_at.desc())
        ).unique()
    )
    # The audit says how someone searched and what they found, never what they typed.
    record_event(
        "case_search",
        actor=viewer,
        details={"by": kind, "case_ids": [str(case.id) for case in cases]},
    )
    return cases


def find_cases_by_reference(*, viewer: User, reference: str) -> list[Case]:
    """The case with this case or referral reference (typed loosely), if any."""
    candidates = reference_candidates(reference)
    query = select(Case).where(_with_reference(viewer.organisation_id, candidates))
    return _found(viewer, query, "reference")


def _with_reference(organisation_id: uuid.UUID, candidates: list[str]) -> ColumnElement:
    """Cases whose own reference, or whose referral's reference, is one of ``candidates``."""
    referred_case_ids = select(Referral.case_id).where(
        Referral.organisation_id == organisation_id, Referral.reference.in_(candidates)
    )
    return or_(Case.reference.in_(candidates), Case.id.in_(referred_case_ids))


def find_cases_by_identity(
    *, viewer: User, first_name: str, last_name: str, birth_date: dt.date
) -> list[Case]:
    """Cases of the child with exactly this name and birth date, through the blind index."""
    digest = child_identity_digest(first_name, last_name, birth_date)
    query = (
        select(Case)
        .join(Child, Case.child_id == Child.id)
        .where(Child.organisation_id == viewer.organisation_id, Child.identity_index == digest)
    )
    return _found(viewer, query, "identity")


@dataclass(frozen=True)
class GuideCase:
    """One row of the guide's "My children": the case and what the guide should do next."""

    case: Case
    next_step: str
    due_on: dt.date | None = None


#: The step after the furthest an activity has come: proposed → arrange a trial, trial →
#: record the start. A started activity leaves the next step to the follow-ups.
_ACTIVITY_STEPS = (("trial", "record_start"), ("proposed", "arrange_trial"))


def next_step_for(case: Case) -> tuple[str, dt.date | None]:
    """What the guide should do next, as a key the template translates, and a due date.

    It follows what was last done: a visit moves on from the first contact, a proposed
    activity from finding one, a trial from arranging it, a start from recording it.
    """
    status = CaseStatus(case.status)
    if status == CaseStatus.paused:
        return "check_in", None
    if status != CaseStatus.active:
        reached = {str(enrollment.status) for enrollment in case.enrollments}
        step = next((step for stage, step in _ACTIVITY_STEPS if stage in reached), None)
        if step is not None and "enrolled" not in reached:
            return step, None
        if status == CaseStatus.guide_assigned:
            return "first_contact", None
        if status == CaseStatus.in_progress:
            return "find_activity", None
    open_follow_up = next((f for f in case.follow_ups if f.done_at is None), None)
    if open_follow_up is not None:
        return "follow_up", open_follow_up.due_on
    return "keep_in_touch", None


def my_cases(*, viewer: User) -> list[GuideCase]:
    """The guide's open cases, most recently assigned first, each with the next step."""
    cases = db.session.scalars(
        case_scope(viewer)
        .where(
            Case.status.in_(GUIDE_OPEN_STATUSES),
            # Only the viewer's own assignments, also for a coordinator who is a guide too.
            Case.assigned_guide_id.in_(
                select(GuideProfile.id).where(GuideProfile.user_id == viewer.id)
            ),
        )
        .options(
            joinedload(Case.child),
            selectinload(Case.follow_ups),
            selectinload(Case.enrollments),
        )
        .order_by(Case.guide_assigned_at.desc(), Case.id)
    ).unique()
    rows = []
    for case in cases:
        step, due_on = next_step_for(case)
        rows.append(GuideCase(case=case, next_step=step, due_on=due_on))
    record_event(
        "my_cases_viewed",
        actor=viewer,
        details={"case_ids": [str(row.case.id) for row in rows]},
    )
    return rows


def case_scope(viewer: User) -> Select:
    """The cases this user may open at all, by the scope guide.policy gives ``case.view``."""
    scope = scope_for(viewer, Permission.case_view)
    query = select(Case).where(Case.organisation_id == viewer.organisation_id)
    if scope == Scope.own_organisation:
        return query
    if scope == Scope.assigned_to_me:
        return query.join(GuideProfile, Case.assigned_guide_id == GuideProfile.id).where(
            GuideProfile.user_id == viewer.id
        )
    return query.where(False)  # no scope (or one this loader does not know): nothing


def load_case(*, viewer: User, case_id: uuid.UUID) -> Case:
    """The case if this user may see it, else 404 (no hint that it exists); the read is audited."""
    case = load_scoped(
        case_scope(viewer)
        .where(Case.id == case_id)
        # What every case page shows; the case page reads its lists through guide.cases.page.
        .options(
            joinedload(Case.child), joinedload(Case.assigned_guide).joinedload(GuideProfile.user)
        ),
        kind="case",
        object_id=case_id,
    )
    record_event("case_viewed", actor=viewer, obj=case)
    return case
