"""The family's answer to a consent link: yes, partly or no, and where staff see it.

A guardian who ticks nothing has said no; before this module nothing told that apart from no
answer at all. Each answered "give" link leaves one ``FamilyAnswer`` with what was offered
and what was accepted, the coordinators and the child's guide get a task, and the answer is
shown on the case, its consent page and the coordinator's dashboard.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload

from guide.accounts.models import User
from guide.activities.models import Club
from guide.audit.services import record_event
from guide.cases.models import Case, CaseStatus
from guide.consents.labels import category_name
from guide.consents.models import ConsentLink, FamilyAnswer, FamilyAnswerKind
from guide.consents.texts import SCHEME_RECIPIENT_LABEL
from guide.database import utcnow
from guide.dates import local_date
from guide.extensions import db
from guide.i18n import format_date
from guide.policy import Permission, allowed
from guide.tasks import TaskKind, path_for, raise_for_child

#: How an answer through the guardian's link is recorded (a ``CHANNEL_LABELS`` key).
LINK_CHANNEL = "digital_link"
#: The dashboard shows the answers of this many days.
RECENT_DAYS = 14
RECENT_LIMIT = 50
SCHEME_KEY = "scheme"


def item(recipient_key: str, category: str) -> str:
    """One offered or accepted item: ``"<recipient>:<category>"``."""
    return f"{recipient_key}:{category}"


def answer_kind(offered: Iterable[str], accepted: Iterable[str]) -> FamilyAnswerKind:
    """No when nothing was accepted, yes when everything offered was, else partly.

    A link that had nothing left to ask (the guardian had agreed to everything already)
    is a yes: nothing was refused.
    """
    accepted, offered = set(accepted), set(offered)
    if not offered:
        return FamilyAnswerKind.yes
    if not accepted:
        return FamilyAnswerKind.no
    return FamilyAnswerKind.yes if accepted >= offered else FamilyAnswerKind.partly


def record_family_answer(
    link: ConsentLink, *, offered: list[str], accepted: list[str], language: str
) -> FamilyAnswer:
    """Store the answer given through ``link`` and give the people who act on it a task."""
    accepted = [value for value in offered if value in set(accepted)]
    answer = FamilyAnswer(
        organisation_id=link.organisation_id,
        child_id=link.child_id,
        guardian_id=link.guardian_id,
        link_id=link.id,
        answer=answer_kind(offered, accepted),
        offered=offered,
        accepted=accepted,
        channel=LINK_CHANNEL,
        language=language,
        answered_at=utcnow(),
    )
    db.session.add(answer)
    db.session.flush()
    record_event(
        "family_answered",
        organisation_id=link.organisation_id,
        obj=answer,
        details={"answer": answer.answer.value, "offered": len(offered), "accepted": len(accepted)},
    )
    # The coordinators and the child's guide (the kind's audience), on each open case.
    raise_for_child(
        TaskKind.FAMILY_ANSWERED,
        child_id=link.child_id,
        link=lambda case: path_for("consents.overview", case_id=case.id),
        not_for=None,
    )
    return answer


@dataclass(frozen=True)
class RecipientItems:
    """What one recipient was offered or given in an answer, for display."""

    club_name: str | None  # None: the scheme itself
    categories: tuple[str, ...]

    def text(self) -> str:
        recipient = self.club_name or str(SCHEME_RECIPIENT_LABEL)
        return f"{recipient}: {', '.join(map(category_name, self.categories))}"


def items_text(groups: Iterable[RecipientItems]) -> str:
    """Recipients and their categories in words, e.g. "Club: Identity, Contact; ..."."""
    return "; ".join(group.text() for group in groups)


@dataclass(frozen=True)
class AnswerView:
    """A family answer as staff see it: the row, and what was accepted and refused by whom."""

    answer: FamilyAnswer
    accepted: list[RecipientItems]
    refused: list[RecipientItems]

    @property
    def kind(self) -> str:
        return self.answer.answer.value

    @property
    def answered_on(self) -> dt.date:
        return local_date(self.answer.answered_at)

    def summary(self) -> str:
        """One sentence: what the family said yes and no to, and when."""
        when = format_date(self.answered_on)
        if self.kind == FamilyAnswerKind.no:
            return _(
                "The family said no on %(date)s to: %(items)s.",
                date=when,
                items=items_text(self.refused),
            )
        said_yes = _(
            "The family said yes on %(date)s to: %(items)s.",
            date=when,
            items=items_text(self.accepted),
        )
        if self.kind == FamilyAnswerKind.yes:
            return said_yes
        return " ".join(
            (said_yes, _("They said no to: %(items)s.", items=items_text(self.refused)))
        )


def _grouped(items: Iterable[str], club_names: dict[str, str]) -> list[RecipientItems]:
    by_recipient: dict[str, list[str]] = {}
    for value in items:
        recipient, _sep, category = value.partition(":")
        by_recipient.setdefault(recipient, []).append(category)
    return [
        RecipientItems(None if key == SCHEME_KEY else club_names.get(key, "–"), tuple(categories))
        for key, categories in by_recipient.items()
    ]


def _club_names(answers: Iterable[FamilyAnswer]) -> dict[str, str]:
    ids = set()
    for answer in answers:
        for value in answer.offered:
            key = value.partition(":")[0]
            if key != SCHEME_KEY:
                try:
                    ids.add(uuid.UUID(key))
                except ValueError:
                    continue
    if not ids:
        return {}
    clubs = db.session.execute(select(Club.id, Club.name).where(Club.id.in_(ids))).all()
    return {str(club_id): name for club_id, name in clubs}


def views_of(answers: list[FamilyAnswer]) -> list[AnswerView]:
    names = _club_names(answers)
    return [
        AnswerView(
            answer,
            _grouped(answer.accepted, names),
            _grouped([v for v in answer.offered if v not in set(answer.accepted)], names),
        )
        for answer in answers
    ]


def answers_of_child(child_id: uuid.UUID) -> list[AnswerView]:
    """Every answer the family gave about the child, newest first."""
    answers = db.session.scalars(
        select(FamilyAnswer)
        .where(FamilyAnswer.child_id == child_id)
        .order_by(FamilyAnswer.answered_at.desc(), FamilyAnswer.id)
    ).all()
    return views_of(list(answers))


def latest_answer(case: Case) -> AnswerView | None:
    """The family's newest answer about the case's child, for the case page."""
    if case.child_id is None:
        return None
    answer = db.session.scalars(
        select(FamilyAnswer)
        .where(FamilyAnswer.child_id == case.child_id)
        .order_by(FamilyAnswer.answered_at.desc(), FamilyAnswer.id)
        .limit(1)
    ).first()
    return views_of([answer])[0] if answer is not None else None


@dataclass(frozen=True)
class RecentAnswer:
    """One line of the dashboard's panel."""

    kind: str
    answered_on: dt.date
    case_id: uuid.UUID
    reference: str
    #: None once the child's personal data is erased.
    child_first_name: str | None


@dataclass(frozen=True)
class RecentAnswers:
    """The dashboard's panel: the answers of the last days and how many said no."""

    rows: list[RecentAnswer]
    refusals: int
    days: int


def dashboard_family_answers(*, viewer: User, now: dt.datetime | None = None) -> RecentAnswers:
    """The family answers of the viewer's organisation of the last ``RECENT_DAYS``; audited."""
    values = {
        "organisation_id": viewer.organisation_id,
        "since": (now or utcnow()) - dt.timedelta(days=RECENT_DAYS),
    }
    seen: set[uuid.UUID] = set()
    shown = []
    for answer, case in db.session.execute(_recent_answers_query(), values):
        if answer.id not in seen:  # a child with two cases: its newest one
            seen.add(answer.id)
            first_name = case.child.first_name if case.child is not None else None
            shown.append(
                RecentAnswer(
                    answer.answer.value,
                    local_date(answer.answered_at),
                    case.id,
                    case.reference,
                    first_name,
                )
            )
    record_event(
        "family_answers_viewed",
        actor=viewer,
        details={"case_ids": sorted({str(row.case_id) for row in shown})},
    )
    refusals = db.session.scalar(_refusals_query(), values)
    return RecentAnswers(shown, refusals or 0, RECENT_DAYS)


# Built once each: the dashboard asks on every visit.
@cache
def _recent_answers_query() -> Select:
    return (
        select(FamilyAnswer, Case)
        .join(Case, Case.child_id == FamilyAnswer.child_id)
        .where(
            FamilyAnswer.organisation_id == bindparam("organisation_id"),
            Case.organisation_id == bindparam("organisation_id"),
            FamilyAnswer.answered_at >= bindparam("since"),
        )
        .options(joinedload(Case.child))
        .order_by(FamilyAnswer.answered_at.desc(), FamilyAnswer.id, Case.referred_at.desc())
        .limit(RECENT_LIMIT)
    )


@cache
def _refusals_query() -> Select:
    return select(func.count()).where(
        FamilyAnswer.organisation_id == bindparam("organisation_id"),
        FamilyAnswer.answered_at >= bindparam("since"),
        FamilyAnswer.answer == FamilyAnswerKind.no,
    )


def may_send_consent_link(case: Case, *, viewer: User) -> bool:
    """Whether the viewer may send the family a (new) consent link for the case now."""
    return (
        case.child is not None
        and case.status != CaseStatus.closed
        and allowed(viewer, Permission.consent_record)
    )
