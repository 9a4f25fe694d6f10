"""Reading cases: the coordinator's list and the object rule every case page uses."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from dataclasses import dataclass

from flask import abort
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from guide.accounts.models import Role, User
from guide.audit.services import record_event
from guide.cases.models import Case, Child
from guide.extensions import db
from guide.guides.models import GuideProfile

PAGE_SIZE = 50


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    next_cursor: str | None


def encode_cursor(case: Case) -> str:
    raw = f"{case.referred_at.isoformat()}|{case.id}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID] | None:
    try:
        stamp, key = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return dt.datetime.fromisoformat(stamp), uuid.UUID(key)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def list_cases(*, viewer: User, cursor: str | None = None, limit: int = PAGE_SIZE) -> CasePage:
    """Newest referrals first, one page at a time (keyset pagination)."""
    query: Select = (
        select(Case)
        .where(Case.organisation_id == viewer.organisation_id)
        .options(joinedload(Case.child), joinedload(Case.assigned_guide).joinedload(GuideProfile.user))
        .order_by(Case.referred_at.desc(), Case.id.desc())
        .limit(limit + 1)
    )
    position = decode_cursor(cursor) if cursor else None
    if position is not None:
        stamp, key = position
        query = query.where(
            or_(Case.referred_at < stamp, and_(Case.referred_at == stamp, Case.id < key))
        )
    cases = list(db.session.scalars(query).unique())
    has_more = len(cases) > limit
    cases = cases[:limit]
    record_event(
        "case_list_viewed",
        actor=viewer,
        details={"count": len(cases), "case_ids": [str(case.id) for case in cases]},
    )
    return CasePage(cases=cases, next_cursor=encode_cursor(cases[-1]) if has_more else None)


def case_scope(viewer: User) -> Select:
    """The cases this user may open at all: own organisation, and for guides only their own."""
    query = select(Case).where(Case.organisation_id == viewer.organisation_id)
    if viewer.role == Role.guide:
        query = query.join(GuideProfile, Case.assigned_guide_id == GuideProfile.id).where(
            GuideProfile.user_id == viewer.id
        )
    elif viewer.role != Role.coordinator:
        query = query.where(False)  # other roles never open a case page
    return query


def load_case(*, viewer: User, case_id: uuid.UUID) -> Case:
    """The case if this user may see it, else 404 (no hint that it exists); the read is audited."""
    case = db.session.scalar(
        case_scope(viewer)
        .where(Case.id == case_id)
        .options(
            joinedload(Case.child).selectinload(Child.guardians),
            selectinload(Case.status_changes),
            selectinload(Case.visits),
        )
    )
    if case is None:
        record_event("case_access_denied", actor=viewer, details={"case_id": str(case_id)})
        db.session.commit()
        abort(404)
    record_event("case_viewed", actor=viewer, obj=case)
    return case
