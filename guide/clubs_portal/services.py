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
from sqlalchemy import select, text

from consent import Category, Recipient, age_on, allowed_categories
from guide.accounts.models import User
from guide.activities.models import Activity, Enrollment, EnrollmentStatus
from guide.audit.services import record_event
from guide.cases.models import Case, CaseStatus, Child
from guide.clubs_portal.handoff import hand_over, withdraw_hand_over
from guide.clubs_portal.models import ClubReport, ClubReportKind
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
#: The audit event of each report.
REPORT_EVENTS = {
    ClubReportKind.started: "club_confirmed_start",
    ClubReportKind.absent: "club_reported_absence",
}


class ClubReportError(ValueError):
    """A report that cannot be changed any more; the message says why."""


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


def lock_case(case_id: uuid.UUID) -> None:
    """Hold the case until the transaction ends, so two presses at once make one report."""
    if db.session.get_bind().dialect.name == "sqlite":
        # A write that matches no row takes SQLite's database write lock now.
        db.session.execute(text("UPDATE club_reports SET id = id WHERE 0 = 1"))
        return
    db.session.execute(select(Case.id).where(Case.id == case_id).with_for_update()).all()


def report_case(child: SharedChild) -> Case | None:
    """The case a club's report about ``child`` belongs to: the open one, if any."""
    return _open_case(child.child_id)


def report_of_today(case: Case, club_id: uuid.UUID, kind: ClubReportKind) -> ClubReport | None:
    """The club's report of ``kind`` on ``case`` sent today (local day), if any."""
    return db.session.scalar(
        select(ClubReport).where(
            ClubReport.case_id == case.id,
            ClubReport.club_id == club_id,
            ClubReport.kind == kind,
            ClubReport.reported_on == local_date(),
        )
    )


def latest_reports(*, contact: User, case: Case | None) -> dict[ClubReportKind, ClubReport]:
    """The contact's club's newest report of each kind on ``case``; never another club's."""
    if case is None or contact.club_id is None:
        return {}
    reports = db.session.scalars(
        select(ClubReport)
        .where(ClubReport.case_id == case.id, ClubReport.club_id == contact.club_id)
        .order_by(ClubReport.reported_at)
    )
    return {report.kind: report for report in reports}


def may_take_back(report: ClubReport) -> bool:
    """Only on the day it was sent, and not once it recorded the start on the case."""
    return report.reported_on == local_date() and not report.is_start_recorded


def send_report(
    *, contact: User, child: SharedChild, case: Case, kind: ClubReportKind, note: str | None
) -> tuple[ClubReport, bool]:
    """The club's report about ``child``, handed to the coordinators and the case's guide.

    Returns the report and whether it is new: a second one the same day returns the first.
    A start also enrolls the child where the case has a proposed or trial enrollment in one
    of the club's activities (the case turns active, follow-ups are planned).
    """
    lock_case(case.id)
    earlier = report_of_today(case, contact.club_id, kind)
    if earlier is not None:
        return earlier, False
    now = utcnow()
    report = ClubReport(
        organisation_id=contact.organisation_id,
        case_id=case.id,
        club_id=contact.club_id,
        kind=kind,
        reported_by_id=contact.id,
        reported_at=now,
        reported_on=local_date(now),
        note=note or None,
    )
    outcome = None
    if kind == ClubReportKind.started:
        outcome = _record_start(case, contact)
        report.is_start_recorded = outcome == "enrolled"
    db.session.add(report)
    db.session.flush()
    hand_over(report)
    record_event(
        REPORT_EVENTS[kind],
        actor=contact,
        organisation_id=contact.organisation_id,
        obj=case,
        details={
            "child_id": str(child.child_id),
            "club_id": str(contact.club_id),
            "report_id": str(report.id),
            "has_note": report.note is not None,
            **({"outcome": outcome} if outcome else {}),
        },
    )
    return report, True


def take_back(report: ClubReport, *, by: User) -> None:
    """The club takes its report back the same day: the report and its tasks are gone."""
    if not may_take_back(report):
        raise ClubReportError(_("A report can only be taken back on the day it was sent."))
    withdraw_hand_over(report)
    record_event(
        "club_report_taken_back",
        actor=by,
        organisation_id=report.organisation_id,
        obj=report.case,
        details={
            "report_id": str(report.id),
            "club_id": str(report.club_id),
            "kind": report.kind.value,
        },
    )
    db.session.delete(report)
    db.session.flush()


def _record_start(case: Case, contact: User) -> str:
    # "enrolled" when the start is on the case now, else "told_coordinator" (by the task).
    enrollment = _club_enrollment(case, contact.club_id)
    if enrollment is None:
        return "told_coordinator"
    if enrollment.status == EnrollmentStatus.enrolled:
        return "already_enrolled"
    try:
        # The club cannot know whether it was the child's own choice: keep what was known.
        enroll(
            enrollment,
            by=contact,
            started_on=local_date(),
            is_own_choice=enrollment.is_own_choice,  # type: ignore[arg-type]
        )
    except EnrollmentRuleError:
        return "told_coordinator"
    return "enrolled"


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
