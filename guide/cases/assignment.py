"""Giving a case a guide: ranked suggestions, assigning, reassigning and unassigning.

Every change checks the case's version as the coordinator saw it; the version column
also catches a concurrent write at flush time (StaleDataError), so two coordinators
acting at once never silently overwrite each other.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from babel.lists import format_list
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from guide.accounts.models import User
from guide.areas.services import area_distance, nearby_area_ids
from guide.audit.services import record_event
from guide.cases.models import Case, CaseStatus, CaseStatusChange
from guide.cases.services import GUIDE_OPEN_STATUSES
from guide.cases.workflow import can_change, change_status
from guide.database import utcnow
from guide.dates import local_date
from guide.extensions import db
from guide.guides.models import GuideProfile
from guide.guides.services import (
    BLOCKER_LABELS,
    assignment_blockers,
    open_case_counts,
)
from guide.i18n import language_name
from guide.roles import Role
from guide.tasks import TaskKind, path_for, raise_task
from guide.validation.versions import check_version

#: Every guide works in Norwegian, so only other shared languages count as a match.
NORWEGIAN = frozenset({"nb", "nn", "no"})
#: Statuses in which the guide can be changed without changing the status.
REASSIGNABLE_STATUSES = GUIDE_OPEN_STATUSES

# Points per match; language first, because a family that cannot talk to its guide
# gets little out of the rest.
GUARDIAN_LANGUAGE_POINTS = 40
CHILD_LANGUAGE_POINTS = 20
SAME_AREA_POINTS = 30
#: A guide who covers a neighbouring area of the child's.
NEIGHBOUR_AREA_POINTS = 15
SHARED_INTEREST_POINTS = 10
MAX_SHARED_INTERESTS = 3
FREE_PLACES_POINTS = 10


class AssignmentRefused(ValueError):
    """The guide cannot be given this case, or the case cannot change guide now."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Suggestion:
    """A guide who can take the case, with the score and the reasons behind it."""

    guide: GuideProfile
    score: int
    open_cases: int
    reasons: tuple[str, ...]

    @property
    def places_left(self) -> int:
        return self.guide.capacity - self.open_cases


@dataclass(frozen=True)
class Unavailable:
    """A guide of the organisation who cannot take the case now, and why."""

    guide: GuideProfile
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class GuideOptions:
    suggestions: list[Suggestion]
    unavailable: list[Unavailable]


def guide_options(case: Case, *, today: dt.date | None = None) -> GuideOptions:
    """The organisation's guides for ``case``: ranked suggestions, and the rest with reasons."""
    today = today or local_date()
    guides = db.session.scalars(
        select(GuideProfile)
        .join(GuideProfile.user)
        .where(GuideProfile.organisation_id == case.organisation_id, User.role == Role.guide)
        .options(contains_eager(GuideProfile.user), selectinload(GuideProfile.areas))
        .order_by(User.full_name)
    ).all()
    nearby = nearby_area_ids(case.child.area_id if case.child else None)
    counts = open_case_counts(case.organisation_id)
    organisation = case.organisation
    suggestions, unavailable = [], []
    for guide in guides:
        if guide.id == case.assigned_guide_id:
            continue
        open_cases = counts.get(guide.id, 0)
        blockers = assignment_blockers(
            guide, organisation, today=today, account_active=guide.user.is_active
        )
        if blockers:
            reasons = tuple(str(BLOCKER_LABELS[blocker]) for blocker in blockers)
            unavailable.append(Unavailable(guide=guide, reasons=reasons))
        elif open_cases >= guide.capacity:
            unavailable.append(Unavailable(guide=guide, reasons=(_full_reason(guide),)))
        else:
            suggestions.append(score_guide(case, guide, open_cases=open_cases, nearby_areas=nearby))
    suggestions.sort(key=lambda s: (-s.score, -s.places_left, s.guide.user.full_name))
    return GuideOptions(suggestions=suggestions, unavailable=unavailable)


def score_guide(
    case: Case,
    guide: GuideProfile,
    *,
    open_cases: int,
    nearby_areas: Sequence[uuid.UUID] | None = None,
) -> Suggestion:
    """How well ``guide`` fits ``case``, and the reasons in the request's language.

    ``nearby_areas`` is the child's area and then its neighbours (looked up if not given).
    """
    child = case.child
    guardian_languages = {g.preferred_language for g in child.guardians} if child else set()
    child_languages = set(child.languages or []) if child else set()
    spoken = set(guide.languages or []) - NORWEGIAN
    with_guardians = spoken & guardian_languages
    with_child = (spoken & child_languages) - with_guardians
    if nearby_areas is None:
        nearby_areas = nearby_area_ids(child.area_id if child else None)
    distance = min((area_distance(area.id, nearby_areas) for area in guide.areas), default=2)
    same_area, neighbour_area = distance == 0, distance == 1
    guide_interests = {_fold(tag) for tag in guide.interests or []}
    shared = [tag for tag in case.interest_tags or [] if _fold(tag) in guide_interests]
    places_left = guide.capacity - open_cases

    score = (
        GUARDIAN_LANGUAGE_POINTS * bool(with_guardians)
        + CHILD_LANGUAGE_POINTS * bool(with_child)
        + SAME_AREA_POINTS * same_area
        + NEIGHBOUR_AREA_POINTS * neighbour_area
        + SHARED_INTEREST_POINTS * min(len(shared), MAX_SHARED_INTERESTS)
        + FREE_PLACES_POINTS * places_left // max(guide.capacity, 1)
    )
    reasons = []
    languages = sorted(with_guardians) + sorted(with_child)
    if languages:
        names = _as_list(language_name(code) for code in languages)
        reasons.append(_("speaks %(languages)s", languages=names))
    if same_area:
        reasons.append(_("same area"))
    elif neighbour_area:
        reasons.append(_("neighbouring area"))
    reasons.append(
        ngettext(
            "%(free)d of %(num)d place free",
            "%(free)d of %(num)d places free",
            guide.capacity,
            free=places_left,
        )
    )
    if shared:
        reasons.append(_("also likes %(interests)s", interests=_as_list(shared)))
    return Suggestion(guide=guide, score=score, open_cases=open_cases, reasons=tuple(reasons))


def assign_guide(case: Case, guide: GuideProfile, *, by: User, expected_version: int) -> None:
    """Give a waiting case its guide, move it to guide_assigned and e-mail the guide."""
    check_version(case, expected_version)
    if case.status != CaseStatus.accepted:
        raise AssignmentRefused(
            _l("Only an accepted case that is waiting for a guide can be given a guide.")
        )
    _check_guide_can_take(case, guide)
    case.assigned_guide = guide
    change_status(case, CaseStatus.guide_assigned, by=by)
    record_event("case_guide_assigned", actor=by, obj=case, details={"guide_id": str(guide.id)})
    _tell_guide(case)


def reassign_guide(
    case: Case,
    guide: GuideProfile,
    *,
    by: User,
    expected_version: int,
    note: str | None = None,
) -> None:
    """Hand the case to another guide; the status stays and the former guide loses access."""
    check_version(case, expected_version)
    if case.assigned_guide_id is None or case.status not in REASSIGNABLE_STATUSES:
        raise AssignmentRefused(_l("This case has no guide to replace."))
    if guide.id == case.assigned_guide_id:
        raise AssignmentRefused(_l("This guide already follows the case."))
    _check_guide_can_take(case, guide)
    former_id = case.assigned_guide_id
    former_user = case.assigned_guide.user
    case.assigned_guide = guide
    # The status does not change, so the history gets a note, not a transition.
    case.status_changes.append(
        CaseStatusChange(
            from_status=case.status,
            to_status=case.status,
            changed_by=by,
            changed_at=utcnow(),
            note=note or None,
        )
    )
    record_event(
        "case_guide_reassigned",
        actor=by,
        obj=case,
        details={"from_guide_id": str(former_id), "to_guide_id": str(guide.id)},
    )
    _tell_guide(case)
    _tell_former_guide(case, former_user)


def unassign_guide(case: Case, *, by: User, expected_version: int, note: str | None = None) -> None:
    """Take the guide off the case, which waits for a guide again; the guide loses access."""
    check_version(case, expected_version)
    if case.assigned_guide_id is None:
        raise AssignmentRefused(_l("This case has no guide."))
    if not can_change(case, CaseStatus.accepted):
        raise AssignmentRefused(
            _l(
                "A case where the child has started an activity cannot go back to waiting. "
                "Choose another guide instead."
            )
        )
    former_id = case.assigned_guide_id
    former_user = case.assigned_guide.user
    case.assigned_guide = None
    change_status(case, CaseStatus.accepted, by=by, note=note or None)
    record_event("case_guide_unassigned", actor=by, obj=case, details={"guide_id": str(former_id)})
    _tell_former_guide(case, former_user)


def _check_guide_can_take(case: Case, guide: GuideProfile) -> None:
    """Refuse guides of other organisations, uncleared or paused guides, and full guides."""
    if guide.organisation_id != case.organisation_id or guide.user.role != Role.guide:
        raise AssignmentRefused(_l("Choose a guide from the list."))
    blockers = assignment_blockers(
        guide, case.organisation, today=local_date(), account_active=guide.user.is_active
    )
    if blockers:
        raise AssignmentRefused(" ".join(str(BLOCKER_LABELS[blocker]) for blocker in blockers))
    open_cases = open_case_counts(case.organisation_id, [guide.id]).get(guide.id, 0)
    if open_cases >= guide.capacity:
        raise AssignmentRefused(_full_reason(guide))


def _tell_guide(case: Case) -> None:
    # A task, and an e-mail as the guide chose (no names: the page itself checks access).
    raise_task(
        TaskKind.GUIDE_ASSIGNED,
        case=case,
        link=path_for("cases.case_detail", case_id=case.id),
    )


def _tell_former_guide(case: Case, former: User) -> None:
    # The former guide no longer sees the case: the task names its reference only.
    raise_task(
        TaskKind.GUIDE_UNASSIGNED, case=case, link=path_for("cases.my_cases"), users=[former]
    )


def _full_reason(guide: GuideProfile) -> str:
    return ngettext("All %(num)d place is taken.", "All %(num)d places are taken.", guide.capacity)


def _as_list(items: object) -> str:
    return format_list(list(items), locale=get_locale() or "nb")


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()
