"""What the case page lists besides the case itself, read as plain rows.

Each section is one query by the case's (or the child's) id through an index, built once
and run straight on the session's connection: the page only reads, and building a statement
or loading objects costs more here than the query itself.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Row, Select, bindparam, select

from guide.accounts.models import User
from guide.activities.models import Club
from guide.cases.models import (
    Case,
    CaseStatus,
    CaseStatusChange,
    FollowUp,
    Guardian,
    Visit,
    VisitKind,
)
from guide.clubs_portal.models import ClubReport, ClubReportKind
from guide.extensions import db
from guide.policy import Permission, Scope, allowed, scope_for
from guide.referrals.models import Referral


@dataclass(frozen=True, slots=True)
class GuardianRow:
    full_name: str
    phone: str | None
    email: str | None
    preferred_language: str
    needs_interpreter: bool


@dataclass(frozen=True, slots=True)
class ReferralRow:
    """Who referred the child and what they ticked; why, and the consent, for coordinators only."""

    reference: str
    submitted_at: dt.datetime
    referrer_name: str
    referrer_kind: str
    barriers: list[str]
    #: None for readers who do not triage referrals (guides).
    reason: str | None
    consent_method: str | None
    consent_given_on: dt.date | None


@dataclass(frozen=True, slots=True)
class FollowUpRow:
    id: uuid.UUID
    months_after: int
    due_on: dt.date
    done_at: dt.datetime | None
    note: str | None


@dataclass(frozen=True, slots=True)
class VisitRow:
    occurred_on: dt.date
    kind: VisitKind
    duration_minutes: int | None
    notes: str | None
    child_words: str | None
    author_name: str


@dataclass(frozen=True, slots=True)
class HistoryRow:
    changed_at: dt.datetime
    #: None for a club's report.
    to_status: CaseStatus | None
    #: None for changes the system made.
    changed_by_name: str | None
    #: Read only for those who may edit the case, the only ones shown it; a club's note is
    #: read for everyone who sees the case page (its coordinators and its guide).
    note: str | None
    #: What a club reported (started, absent), and which club; None for a status change.
    club_report: ClubReportKind | None = None
    club_name: str | None = None


@dataclass(frozen=True)
class CaseDetails:
    """The case page's lists: follow-ups by due date, newest visit first, oldest change first."""

    guardians: list[GuardianRow]
    referrals: list[ReferralRow]
    follow_ups: list[FollowUpRow]
    visits: list[VisitRow]
    history: list[HistoryRow]


def case_details(case: Case, *, viewer: User) -> CaseDetails:
    """Everything the case page lists for ``case`` (already checked by ``load_case``)."""
    return CaseDetails(
        guardians=_guardians(case.child_id) if case.child_id else [],
        referrals=_referrals(case.id, viewer=viewer),
        follow_ups=_follow_ups(case.id),
        visits=_visits(case.id),
        history=_history(case.id, with_notes=allowed(viewer, Permission.case_edit)),
    )


def _rows(query: Select, **params: Any) -> Sequence[Row]:
    # On the connection, inside the session's transaction: these reads need neither an
    # autoflush nor the ORM's per-statement work.
    return db.session.connection().execute(query, params).all()


@cache  # each statement is built once, on first use (the models must be mapped by then)
def _guardians_query() -> Select:
    return select(
        Guardian.id,
        Guardian.full_name.sealed_column,
        Guardian.phone.sealed_column,
        Guardian.email.sealed_column,
        Guardian.preferred_language,
        Guardian.needs_interpreter,
    ).where(Guardian.child_id == bindparam("child_id"))


def _guardians(child_id: uuid.UUID) -> list[GuardianRow]:
    return [
        GuardianRow(
            full_name=Guardian.full_name.reveal(name, row_id=row_id),
            phone=Guardian.phone.reveal(phone, row_id=row_id),
            email=Guardian.email.reveal(email, row_id=row_id),
            preferred_language=language,
            needs_interpreter=interpreter,
        )
        for row_id, name, phone, email, language, interpreter in _rows(
            _guardians_query(), child_id=child_id
        )
    ]


@cache
def _referrals_query() -> Select:
    return (
        select(
            Referral.id,
            Referral.reference,
            Referral.submitted_at,
            User.full_name,
            Referral.referrer_kind,
            Referral.barriers,
            Referral.reason.sealed_column,
            Referral.consent_method,
            Referral.consent_given_on,
        )
        .join(User, Referral.referred_by_id == User.id)
        .where(
            Referral.case_id == bindparam("case_id"),
            Referral.organisation_id == bindparam("organisation_id"),
        )
        .order_by(Referral.submitted_at)
    )


def _referrals(case_id: uuid.UUID, *, viewer: User) -> list[ReferralRow]:
    # Everyone who sees the case sees who referred and what they ticked; only those who
    # triage referrals read why the child was referred and how the family agreed to it.
    triages = scope_for(viewer, Permission.referral_triage) == Scope.own_organisation
    rows = _rows(_referrals_query(), case_id=case_id, organisation_id=viewer.organisation_id)
    return [
        ReferralRow(
            reference=reference,
            submitted_at=submitted_at,
            referrer_name=referrer_name,
            referrer_kind=referrer_kind,
            barriers=list(barriers or []),
            reason=Referral.reason.reveal(reason, row_id=row_id) if triages else None,
            consent_method=consent_method if triages else None,
            consent_given_on=consent_given_on if triages else None,
        )
        for (
            row_id,
            reference,
            submitted_at,
            referrer_name,
            referrer_kind,
            barriers,
            reason,
            consent_method,
            consent_given_on,
        ) in rows
    ]


@cache
def _follow_ups_query() -> Select:
    return (
        select(
            FollowUp.id,
            FollowUp.months_after,
            FollowUp.due_on,
            FollowUp.done_at,
            FollowUp.note.sealed_column,
        )
        .where(FollowUp.case_id == bindparam("case_id"))
        .order_by(FollowUp.due_on)
    )


def _follow_ups(case_id: uuid.UUID) -> list[FollowUpRow]:
    return [
        FollowUpRow(
            id=row_id,
            months_after=months,
            due_on=due_on,
            done_at=done_at,
            note=FollowUp.note.reveal(note, row_id=row_id),
        )
        for row_id, months, due_on, done_at, note in _rows(_follow_ups_query(), case_id=case_id)
    ]


@cache
def _visits_query() -> Select:
    return (
        select(
            Visit.id,
            Visit.occurred_on,
            Visit.kind,
            Visit.duration_minutes,
            Visit.notes.sealed_column,
            Visit.child_words.sealed_column,
            User.full_name,
        )
        .join(User, Visit.author_id == User.id)
        .where(Visit.case_id == bindparam("case_id"))
        .order_by(Visit.occurred_on.desc())
    )


def _visits(case_id: uuid.UUID) -> list[VisitRow]:
    return [
        VisitRow(
            occurred_on=occurred_on,
            kind=kind,
            duration_minutes=minutes,
            notes=Visit.notes.reveal(notes, row_id=row_id),
            child_words=Visit.child_words.reveal(words, row_id=row_id),
            author_name=author,
        )
        for row_id, occurred_on, kind, minutes, notes, words, author in _rows(
            _visits_query(), case_id=case_id
        )
    ]


@cache
def _history_query() -> Select:
    return (
        select(
            CaseStatusChange.id,
            CaseStatusChange.changed_at,
            CaseStatusChange.to_status,
            User.full_name,
            CaseStatusChange.note.sealed_column,
        )
        .outerjoin(User, CaseStatusChange.changed_by_id == User.id)
        .where(CaseStatusChange.case_id == bindparam("case_id"))
        .order_by(CaseStatusChange.changed_at)
    )


@cache
def _club_reports_query() -> Select:
    return (
        select(
            ClubReport.id,
            ClubReport.reported_at,
            ClubReport.kind,
            User.full_name,
            ClubReport.note.sealed_column,
            Club.name,
        )
        .join(Club, ClubReport.club_id == Club.id)
        .outerjoin(User, ClubReport.reported_by_id == User.id)
        .where(ClubReport.case_id == bindparam("case_id"))
    )


def _history(case_id: uuid.UUID, *, with_notes: bool) -> list[HistoryRow]:
    changes = [
        HistoryRow(
            changed_at=changed_at,
            to_status=to_status,
            changed_by_name=name,
            note=CaseStatusChange.note.reveal(note, row_id=row_id) if with_notes else None,
        )
        for row_id, changed_at, to_status, name, note in _rows(_history_query(), case_id=case_id)
    ]
    reports = [
        HistoryRow(
            changed_at=reported_at,
            to_status=None,
            changed_by_name=name,
            note=ClubReport.note.reveal(note, row_id=row_id),
            club_report=kind,
            club_name=club_name,
        )
        for row_id, reported_at, kind, name, note, club_name in _rows(
            _club_reports_query(), case_id=case_id
        )
    ]
    # Both lists are short; a stable sort keeps a change before a report of the same moment.
    return sorted(changes + reports, key=lambda row: row.changed_at)
