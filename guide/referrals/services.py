"""Referrals: sending one, following its status, and the coordinator's intake decisions.

Every function flushes and audits; the request commits once. Decisions carry the case
version the coordinator saw, so a decision made on a page that has since gone stale is
refused, and two decisions racing each other are caught by the version column at flush.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from guide.access import load_scoped
from guide.accounts.models import User
from guide.areas.services import area_columns
from guide.audit.services import record_event
from guide.cases.identity import unused_reference
from guide.cases.models import (
    Case,
    CaseStatus,
    CaseStatusChange,
    Child,
    Guardian,
    GuardianRelation,
    HelpLevel,
)
from guide.cases.workflow import change_status
from guide.database import utcnow
from guide.dates import local_date
from guide.extensions import db
from guide.policy import Permission, allowed
from guide.referrals.models import ConsentToReferMethod, Referral, ReferralStatus
from guide.tasks import TaskKind, complete_tasks, path_for, raise_task
from guide.unit_of_work import StaleEdit
from guide.validation.versions import check_version

#: Where coordinators decide on new referrals; the view is registered on this path.
INTAKE_PATH = "/intake"

#: Words in the child's own description → plain tags used when matching a guide.
INTEREST_KEYWORDS = {
    "fotball": "football",
    "football": "football",
    "håndball": "handball",
    "handball": "handball",
    "basket": "basketball",
    "svøm": "swimming",
    "swim": "swimming",
    "dans": "dance",
    "gitar": "guitar",
    "guitar": "guitar",
    "piano": "piano",
    "musikk": "music",
    "music": "music",
    "synge": "singing",
    "sing": "singing",
    "tegn": "drawing",
    "draw": "drawing",
    "sjakk": "chess",
    "chess": "chess",
    "klatr": "climbing",
    "climb": "climbing",
    "turn": "gymnastics",
    "ski": "skiing",
    "hest": "riding",
    "ridning": "riding",
    "teater": "theatre",
    "theatre": "theatre",
    "koding": "coding",
    "coding": "coding",
    "speider": "scouts",
    "scout": "scouts",
}
#: A merge target must still be open; a closed case is reopened from its own page instead.
MERGEABLE_STATUSES = frozenset(CaseStatus) - {CaseStatus.declined, CaseStatus.closed}


@dataclass(frozen=True)
class GuardianDetails:
    full_name: str
    relation: GuardianRelation
    phone: str | None
    email: str | None
    preferred_language: str
    needs_interpreter: bool


@dataclass(frozen=True)
class ReferralDetails:
    """What the referrer typed, already validated and normalised by the form."""

    first_name: str
    last_name: str
    born_on: dt.date
    national_id: str | None
    school: str | None
    school_class: str | None
    #: An area of the referrer's organisation (the form offers no other).
    area_id: uuid.UUID | None
    languages: list[str]
    guardians: list[GuardianDetails]
    interests_in_own_words: str | None
    barriers: list[str]
    help_level: HelpLevel
    reason: str
    consent_given_by: str
    consent_relation: str
    consent_method: ConsentToReferMethod
    consent_given_on: dt.date


def interest_tags(text: str | None) -> list[str]:
    """Plain tags for the interests a short keyword list recognises in ``text``."""
    words = (text or "").casefold()
    return sorted({tag for keyword, tag in INTEREST_KEYWORDS.items() if keyword in words})


def submit_referral(*, details: ReferralDetails, referrer: User) -> Referral:
    """Create child, guardians, case and referral in one go, and tell the coordinators."""
    if not allowed(referrer, Permission.referral_create):
        raise PermissionError("only referrers send referrals")
    if not (details.consent_given_by and details.consent_given_on and details.guardians):
        raise ValueError("a referral needs a guardian and documented consent")
    organisation_id = referrer.organisation_id
    now = utcnow()
    # Everything is read before any new row joins the session, so no look-up autoflushes
    # half of the referral and the one flush at the end writes it all.
    case_reference = unused_reference(Case.reference, "FG")
    referral_reference = unused_reference(Referral.reference, "HV")
    area = area_columns(organisation_id, details.area_id)
    child = Child(
        organisation_id=organisation_id,
        first_name=details.first_name,
        last_name=details.last_name,
        birth_date=details.born_on.isoformat(),
        national_id=details.national_id or None,
        school=details.school or None,
        school_class=details.school_class or None,
        **area,
        languages=list(details.languages),
    )
    for guardian in details.guardians:
        child.guardians.append(
            Guardian(
                organisation_id=organisation_id,
                full_name=guardian.full_name,
                relation=guardian.relation,
                phone=guardian.phone or None,
                email=guardian.email or None,
                preferred_language=guardian.preferred_language,
                needs_interpreter=guardian.needs_interpreter,
            )
        )
    case = Case(
        organisation_id=organisation_id,
        child=child,
        reference=case_reference,
        status=CaseStatus.referred,
        help_level=details.help_level,
        interests_in_own_words=details.interests_in_own_words or None,
        interest_tags=interest_tags(details.interests_in_own_words),
        barriers=list(details.barriers),
        referred_at=now,
    )
    # A case is born "referred": change_status only moves between statuses, so the
    # first history row is written here, as the workflow's history expects.
    case.status_changes.append(
        CaseStatusChange(
            from_status=None, to_status=CaseStatus.referred, changed_by=referrer, changed_at=now
        )
    )
    referral = Referral(
        organisation_id=organisation_id,
        reference=referral_reference,
        child=child,
        case=case,
        referred_by=referrer,
        referrer_kind=referrer.referrer_kind or "other",
        status=ReferralStatus.received,
        reason=details.reason,
        interests_in_own_words=details.interests_in_own_words or None,
        barriers=list(details.barriers),
        help_level=details.help_level,
        consent_given_by=details.consent_given_by,
        consent_relation=details.consent_relation,
        consent_method=details.consent_method,
        consent_given_on=details.consent_given_on,
        submitted_at=now,
    )
    db.session.add_all([child, case, referral])
    # The rows above are written at the commit, in one flush; the e-mail names no one.
    raise_task(
        TaskKind.NEW_REFERRAL,
        case=case,
        link=path_for("referrals.intake_referral", referral_id=referral.id),
    )
    record_event(
        "referral_submitted",
        actor=referrer,
        obj=referral,
        details={"case_id": str(case.id), "guardians": len(details.guardians)},
    )
    return referral


# --- The referrer's view --------------------------------------------------------------


class ReferralStage(enum.StrEnum):
    """What a referrer may know about a referral's progress, and nothing more."""

    received = "received"
    accepted = "accepted"
    declined = "declined"
    guide_assigned = "guide_assigned"
    activity_started = "activity_started"
    closed = "closed"


#: The case status → the stage the referrer sees.
STAGE_BY_CASE_STATUS = {
    CaseStatus.referred: ReferralStage.received,
    CaseStatus.accepted: ReferralStage.accepted,
    CaseStatus.declined: ReferralStage.declined,
    CaseStatus.guide_assigned: ReferralStage.guide_assigned,
    CaseStatus.in_progress: ReferralStage.guide_assigned,
    CaseStatus.active: ReferralStage.activity_started,
    CaseStatus.paused: ReferralStage.activity_started,
    CaseStatus.closed: ReferralStage.closed,
}


@dataclass(frozen=True)
class ReferralProgress:
    """A referral as its referrer sees it: reference, first name, stage and milestone dates."""

    id: uuid.UUID
    reference: str
    child_first_name: str | None
    sent_at: dt.datetime
    stage: ReferralStage
    #: (stage, when) for each milestone reached so far, oldest first.
    milestones: list[tuple[ReferralStage, dt.datetime]] = field(default_factory=list)


def referral_progress(referral: Referral) -> ReferralProgress:
    """Compute the referrer's view from the referral and its case; nothing else is read."""
    case = referral.case
    # The case decides, so a decision made from the case page shows here too.
    if referral.status == ReferralStatus.declined:
        stage = ReferralStage.declined
    elif case is not None:
        stage = STAGE_BY_CASE_STATUS[CaseStatus(case.status)]
    elif referral.status == ReferralStatus.received:
        stage = ReferralStage.received
    else:  # the case's personal data was erased after the decision
        stage = ReferralStage.accepted
    candidates = [(ReferralStage.received, referral.submitted_at)]
    if referral.status == ReferralStatus.declined:
        candidates.append((ReferralStage.declined, referral.decided_at))
    elif case is not None:
        candidates += [
            (ReferralStage.accepted, referral.decided_at or case.accepted_at),
            (ReferralStage.guide_assigned, case.guide_assigned_at),
            (ReferralStage.activity_started, case.first_activity_at),
            (ReferralStage.closed, case.closed_at),
        ]
    return ReferralProgress(
        id=referral.id,
        reference=referral.reference,
        child_first_name=referral.child.first_name if referral.child is not None else None,
        sent_at=referral.submitted_at,
        stage=stage,
        milestones=[(stage_, when) for stage_, when in candidates if when is not None],
    )


def _own_referrals(referrer: User):
    return (
        select(Referral)
        .where(
            Referral.organisation_id == referrer.organisation_id,
            Referral.referred_by_id == referrer.id,
        )
        .options(
            joinedload(Referral.child),
            joinedload(Referral.case),
            joinedload(Referral.referred_by),
        )
    )


def list_my_referrals(*, referrer: User) -> list[ReferralProgress]:
    """The referrer's own referrals, newest first, as stages and dates only."""
    referrals = db.session.scalars(
        _own_referrals(referrer).order_by(Referral.submitted_at.desc(), Referral.id.desc())
    ).unique()
    progress = [referral_progress(referral) for referral in referrals]
    record_event("own_referrals_viewed", actor=referrer, details={"count": len(progress)})
    return progress


def load_own_referral(*, referrer: User, referral_id: uuid.UUID) -> ReferralProgress:
    """One of the referrer's own referrals, else 404 (another's looks like none at all)."""
    referral = load_scoped(
        _own_referrals(referrer).where(Referral.id == referral_id),
        kind="referral",
        object_id=referral_id,
    )
    record_event("own_referral_viewed", actor=referrer, obj=referral)
    return referral_progress(referral)


# --- The coordinator's intake ----------------------------------------------------------


@dataclass(frozen=True)
class IntakeItem:
    referral: Referral
    days_waiting: int
    #: Cases of other children in the organisation with the same identity (blind index).
    duplicates: list[Case]

    @property
    def merge_targets(self) -> list[Case]:
        return [case for case in self.duplicates if case.status in MERGEABLE_STATUSES]

    @property
    def needs_interpreter(self) -> bool:
        return any(guardian.needs_interpreter for guardian in self.referral.child.guardians)


def intake_queue(*, coordinator: User, today: dt.date | None = None) -> list[IntakeItem]:
    """Received referrals of the coordinator's organisation, oldest first, with duplicates."""
    referrals = list(
        db.session.scalars(
            _organisation_referrals(coordinator)
            .where(Referral.status == ReferralStatus.received)
            # The queue shows the languages and the interpreter need, from the guardians.
            .options(joinedload(Referral.child).selectinload(Child.guardians))
            .order_by(Referral.submitted_at, Referral.id)
        ).unique()
    )
    duplicates = _duplicate_cases(coordinator.organisation_id, referrals)
    today = today or local_date()
    items = [
        IntakeItem(
            referral=referral,
            days_waiting=max((today - local_date(referral.submitted_at)).days, 0),
            duplicates=duplicates[referral.id],
        )
        for referral in referrals
    ]
    record_event(
        "intake_queue_viewed",
        actor=coordinator,
        details={"count": len(items), "referral_ids": [str(item.referral.id) for item in items]},
    )
    return items


def load_intake_item(*, coordinator: User, referral_id: uuid.UUID) -> IntakeItem:
    """A referral of the coordinator's organisation with its duplicates, else 404."""
    referral = load_scoped(
        _organisation_referrals(coordinator)
        .where(Referral.id == referral_id)
        .options(joinedload(Referral.child).selectinload(Child.guardians)),
        kind="referral",
        object_id=referral_id,
    )
    record_event("referral_viewed", actor=coordinator, obj=referral)
    days = (local_date() - local_date(referral.submitted_at)).days
    duplicates = _duplicate_cases(coordinator.organisation_id, [referral])[referral.id]
    return IntakeItem(referral=referral, days_waiting=max(days, 0), duplicates=duplicates)


def _organisation_referrals(coordinator: User):
    if not allowed(coordinator, Permission.referral_triage):
        raise PermissionError("only coordinators handle intake")
    return (
        select(Referral)
        .where(Referral.organisation_id == coordinator.organisation_id)
        .options(
            joinedload(Referral.child),
            joinedload(Referral.case),
            joinedload(Referral.referred_by),
        )
    )


def _duplicate_cases(
    organisation_id: uuid.UUID, referrals: list[Referral]
) -> dict[uuid.UUID, list[Case]]:
    """referral id → cases of *other* children with the same blind index, oldest first."""
    digests = {referral.child.identity_index for referral in referrals}
    found: dict[str, list[Child]] = defaultdict(list)
    if digests:
        children = db.session.scalars(
            select(Child)
            .where(Child.organisation_id == organisation_id, Child.identity_index.in_(digests))
            .options(selectinload(Child.cases))
        )
        for child in children:
            found[child.identity_index].append(child)
    result: dict[uuid.UUID, list[Case]] = {}
    for referral in referrals:
        others = [
            case
            for child in found[referral.child.identity_index]
            if child.id != referral.child_id
            for case in child.cases
        ]
        result[referral.id] = sorted(others, key=lambda case: case.referred_at)
    return result


def _check_still_open(referral: Referral, seen_version: int | None) -> Case:
    case = referral.case
    if referral.status != ReferralStatus.received or case is None:
        raise StaleEdit()  # decided by someone else since the page was opened
    if seen_version is not None:  # a decision made from a page says which version it saw
        check_version(case, seen_version)
    return case


def _mark_decided(referral: Referral, status: ReferralStatus, *, by: User) -> None:
    referral.status = status
    referral.decided_by_id = by.id
    referral.decided_at = utcnow()
    db.session.flush()
    # Decided: the coordinators' tasks on it are done (a merged referral's case goes, and its
    # tasks with it), and its referrer learns the outcome.
    if status != ReferralStatus.merged:
        complete_tasks(TaskKind.NEW_REFERRAL, case=referral.case, by=by)
    kind = (
        TaskKind.REFERRAL_DECLINED
        if status == ReferralStatus.declined
        else TaskKind.REFERRAL_ACCEPTED
    )
    raise_task(
        kind,
        case=referral.case,
        link=path_for("referrals.referral_status", referral_id=referral.id),
        users=[referral.referred_by],
    )


def accept_referral(referral: Referral, *, by: User, seen_version: int | None) -> Case:
    """Accept the referral: its case moves to ``accepted`` and waits for a guide."""
    case = _check_still_open(referral, seen_version)
    change_status(case, CaseStatus.accepted, by=by)
    _mark_decided(referral, ReferralStatus.accepted, by=by)
    record_event("referral_accepted", actor=by, obj=referral, details={"case_id": str(case.id)})
    db.session.flush()
    return case


def decline_referral(
    referral: Referral, *, by: User, reason: str, seen_version: int | None
) -> Case:
    """Decline the referral with a reason (encrypted, for coordinators only)."""
    if not reason or not reason.strip():
        raise ValueError("declining needs a reason")
    case = _check_still_open(referral, seen_version)
    change_status(case, CaseStatus.declined, by=by)
    _mark_decided(referral, ReferralStatus.declined, by=by)
    referral.decline_reason = reason.strip()
    record_event("referral_declined", actor=by, obj=referral, details={"case_id": str(case.id)})
    db.session.flush()
    return case


def merge_referral(referral: Referral, *, into: Case, by: User, seen_version: int | None) -> Case:
    """Attach the referral to the child's existing case and remove the duplicate it created."""
    duplicate_case = _check_still_open(referral, seen_version)
    targets = _duplicate_cases(referral.organisation_id, [referral])[referral.id]
    if into not in targets or into.status not in MERGEABLE_STATUSES:
        raise StaleEdit()  # the case to merge into changed since the page was opened
    duplicate_child = referral.child
    child = into.child
    moved = _move_new_guardians(duplicate_child, child)
    _fill_blanks(child, duplicate_child)
    into.barriers = sorted(set(into.barriers) | set(duplicate_case.barriers))
    into.interest_tags = sorted(set(into.interest_tags) | set(duplicate_case.interest_tags))
    if not into.interests_in_own_words:
        into.interests_in_own_words = duplicate_case.interests_in_own_words
    # Touching the case makes its version go up, so a racing decision on it fails.
    now = utcnow()
    into.updated_at = now
    # The history row is a note: the status stays as it is (from == to).
    into.status_changes.append(
        CaseStatusChange(
            from_status=into.status,
            to_status=into.status,
            changed_by=by,
            changed_at=now,
            note=_(
                "Referral %(reference)s was merged into this case.", reference=referral.reference
            ),
        )
    )
    referral.case = into
    referral.child = child
    _mark_decided(referral, ReferralStatus.merged, by=by)
    # The child and case made at submission are deleted rather than kept as "merged":
    # a second copy of the same child's personal data would outlive its purpose, and
    # would raise the duplicate warning for ever. The referral keeps what the referrer
    # wrote (reason, interests, consent), and the audit log keeps the trail.
    db.session.delete(duplicate_case)
    db.session.delete(duplicate_child)
    record_event(
        "referral_merged",
        actor=by,
        obj=referral,
        details={
            "case_id": str(into.id),
            "removed_case_id": str(duplicate_case.id),
            "removed_child_id": str(duplicate_child.id),
            "guardians_moved": moved,
        },
    )
    db.session.flush()
    return into


def _move_new_guardians(source: Child, target: Child) -> int:
    """Move guardians the target child does not have yet (same name or phone = known)."""
    known_names = {_name_key(guardian.full_name) for guardian in target.guardians}
    known_phones = {guardian.phone for guardian in target.guardians if guardian.phone}
    moved = 0
    for guardian in list(source.guardians):
        if _name_key(guardian.full_name) in known_names or guardian.phone in known_phones:
            continue
        guardian.child = target
        moved += 1
    return moved


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _fill_blanks(target: Child, source: Child) -> None:
    """Keep what the existing record says; take from the new referral only what it lacks."""
    for name in ("national_id", "school", "school_class"):
        if not getattr(target, name) and getattr(source, name):
            setattr(target, name, getattr(source, name))
    if target.area_id is None and target.area is None and source.area is not None:
        target.area_id, target.area = source.area_id, source.area
    target.languages = sorted(set(target.languages) | set(source.languages))


def load_merge_target(*, coordinator: User, case_id: str) -> Case | None:
    """A case of the coordinator's organisation by id, or None."""
    try:
        key = uuid.UUID(case_id)
    except ValueError:
        return None
    return db.session.scalar(
        select(Case).where(Case.id == key, Case.organisation_id == coordinator.organisation_id)
    )
