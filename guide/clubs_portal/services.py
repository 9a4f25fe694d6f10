"""What a club contact sees and does: consent is asked again on every request.

A child appears only while a Share to the contact's club exists and ``consent.decide``
allows the club the child's identity now. Each field shown is a category that was shared
*and* is still allowed; health and economy never are (``consent`` refuses them for clubs).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from consent import Category, Recipient, age_on, allowed_categories
from guide.accounts.models import User
from guide.activities.models import Activity, Enrollment, EnrollmentStatus
from guide.audit.services import record_event
from guide.cases.models import Case, CaseStatus, Child, FollowUp
from guide.consents.models import ConsentWithdrawal, Share
from guide.consents.records import consent_records_for_child
from guide.consents.sharing import CLUB_CATEGORIES
from guide.database import utcnow
from guide.dates import local_date
from guide.enrollments.services import EnrollmentRuleError, enroll
from guide.extensions import db
from guide.support.services import club_visible_support
from guide.unit_of_work import refuse

#: How long the club's page mentions that a child's data was withdrawn.
WITHDRAWAL_NOTICE_DAYS = 30
#: ``FollowUp.months_after`` for a check-in the club raised (not one of the planned ones).
CLUB_FOLLOW_UP_MONTHS = 0


@dataclass(frozen=True)
class GuardianContact:
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class SharedChild:
    """One child as the club may see it now: only the fields its consent allows."""

    child_id: uuid.UUID
    first_name: str
    age: int
    categories: frozenset[Category]
    contacts: tuple[GuardianContact, ...]
    shared_at: dt.datetime
    #: What the club should know to welcome the child; None unless practical needs are allowed.
    practical_needs: str | None = None
    #: At most "Membership fee settled by the scheme." (translated); never a fund or amount.
    support_note: str | None = None


def _practical_needs(child_id: uuid.UUID) -> str | None:
    # The open case's note, else the latest case's: the club may still welcome the child.
    case = db.session.scalar(
        select(Case)
        .where(Case.child_id == child_id)
        .order_by(Case.status == CaseStatus.closed, Case.referred_at.desc())
        .limit(1)
    )
    return case.practical_needs if case is not None else None


def _visible(child: Child, club_id: uuid.UUID, shared: set[str], first_shared: dt.datetime):
    records = consent_records_for_child(child.id)
    allowed = allowed_categories(
        records, child_id=str(child.id), recipient=Recipient.club(str(club_id)), at=utcnow()
    )
    categories = frozenset(
        category for category in CLUB_CATEGORIES if category in allowed and category.value in shared
    )
    if Category.IDENTITY not in categories:
        return None  # without its identity the club has nothing to show about a child
    contacts = ()
    if Category.CONTACT in categories:
        contacts = tuple(
            GuardianContact(phone=guardian.phone, email=guardian.email)
            for guardian in child.guardians
            if guardian.has_parental_responsibility
        )
    return SharedChild(
        child_id=child.id,
        first_name=child.first_name,
        age=age_on(child.born_on, local_date()),
        categories=categories,
        contacts=contacts,
        shared_at=first_shared,
        practical_needs=(
            _practical_needs(child.id) if Category.PRACTICAL_NEEDS in categories else None
        ),
        support_note=club_visible_support(child, club_id),
    )


def _shares_by_child(contact: User, child_id: uuid.UUID | None = None) -> dict:
    if contact.club_id is None:
        return {}
    query = select(Share).where(
        Share.organisation_id == contact.organisation_id, Share.club_id == contact.club_id
    )
    if child_id is not None:
        query = query.where(Share.child_id == child_id)
    grouped: dict[uuid.UUID, tuple[set[str], dt.datetime]] = {}
    for share in db.session.scalars(query.order_by(Share.shared_at)):
        categories, first = grouped.get(share.child_id, (set(), share.shared_at))
        grouped[share.child_id] = (categories | set(share.categories), first)
    return grouped


def shared_children(*, contact: User) -> list[SharedChild]:
    """The children the contact's club may see now, by first name; the read is audited."""
    grouped = _shares_by_child(contact)
    children = db.session.scalars(select(Child).where(Child.id.in_(grouped))).all()
    visible = [
        row
        for child in children
        if (row := _visible(child, contact.club_id, *grouped[child.id])) is not None
    ]
    visible.sort(key=lambda row: (row.first_name.casefold(), str(row.child_id)))
    record_event(
        "shared_children_viewed",
        actor=contact,
        details={"club_id": str(contact.club_id), "child_ids": [str(r.child_id) for r in visible]},
    )
    return visible


def load_shared_child(*, contact: User, child_id: uuid.UUID) -> SharedChild:
    """One child the club may see now, else 404 (withdrawn, never shared, another club)."""
    grouped = _shares_by_child(contact, child_id)
    child = db.session.get(Child, child_id) if child_id in grouped else None
    row = _visible(child, contact.club_id, *grouped[child_id]) if child is not None else None
    if row is None:
        refuse("shared_child_access_denied", child_id=child_id)
    record_event(
        "shared_child_viewed",
        actor=contact,
        obj=child,
        details={"club_id": str(contact.club_id), "categories": sorted(row.categories)},
    )
    return row


def recent_withdrawals(*, contact: User) -> int:
    """How many children shared with the club had a consent withdrawn lately (never who)."""
    if contact.club_id is None:
        return 0
    since = utcnow() - dt.timedelta(days=WITHDRAWAL_NOTICE_DAYS)
    return len(
        set(
            db.session.scalars(
                select(Share.child_id)
                .join(ConsentWithdrawal, ConsentWithdrawal.consent_id == Share.consent_id)
                .where(
                    Share.organisation_id == contact.organisation_id,
                    Share.club_id == contact.club_id,
                    ConsentWithdrawal.withdrawn_at >= since,
                )
            )
        )
    )


def _open_case(child_id: uuid.UUID) -> Case | None:
    return db.session.scalar(
        select(Case)
        .where(Case.child_id == child_id, Case.status != CaseStatus.closed)
        .order_by(Case.referred_at.desc())
        .limit(1)
    )


def confirm_start(*, contact: User, child: SharedChild) -> str:
    """The club says the child has started; returns "enrolled" or "told_coordinator".

    If the case has a proposed or trial enrollment in one of the club's activities, it
    becomes enrolled (the case turns active, follow-ups are planned). Otherwise the
    coordinator gets a follow-up due today to record it.
    """
    case = _open_case(child.child_id)
    enrollment = _club_enrollment(case, contact.club_id) if case is not None else None
    outcome = "told_coordinator"
    if enrollment is not None and enrollment.status == EnrollmentStatus.enrolled:
        outcome = "enrolled"
    elif enrollment is not None:
        try:
            # The club cannot know whether it was the child's own choice: keep what was known.
            enroll(
                enrollment,
                by=contact,
                started_on=local_date(),
                is_own_choice=enrollment.is_own_choice,  # type: ignore[arg-type]
            )
            outcome = "enrolled"
        except EnrollmentRuleError:
            outcome = "told_coordinator"
    if outcome == "told_coordinator" and case is not None:
        _raise_follow_up(
            case,
            _("The club says the child has started. Record the activity on the case."),
        )
    record_event(
        "club_confirmed_start",
        actor=contact,
        organisation_id=contact.organisation_id,
        obj=case,
        details={
            "child_id": str(child.child_id),
            "club_id": str(contact.club_id),
            "outcome": outcome,
        },
    )
    db.session.flush()
    return outcome


def report_absence(*, contact: User, child: SharedChild) -> None:
    """The club says the child has not come for a while: a follow-up due today."""
    case = _open_case(child.child_id)
    if case is not None:
        _raise_follow_up(
            case,
            _("The club says the child has not come for a while. Get in touch with the family."),
        )
    record_event(
        "club_reported_absence",
        actor=contact,
        organisation_id=contact.organisation_id,
        obj=case,
        details={"child_id": str(child.child_id), "club_id": str(contact.club_id)},
    )
    db.session.flush()


def _club_enrollment(case: Case, club_id: uuid.UUID | None) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment)
        .join(Activity, Enrollment.activity_id == Activity.id)
        .where(
            Enrollment.case_id == case.id,
            Activity.club_id == club_id,
            Enrollment.status != EnrollmentStatus.ended,
        )
        .order_by(Enrollment.created_at.desc())
        .limit(1)
    )


def _raise_follow_up(case: Case, note: str) -> None:
    # The note is a fixed sentence: the club can add nothing about the child to the case.
    case.follow_ups.append(
        FollowUp(months_after=CLUB_FOLLOW_UP_MONTHS, due_on=local_date(), note=note)
    )
