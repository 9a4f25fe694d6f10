"""Translated names for what an activity card shows: categories, weekdays, languages, costs."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from babel.dates import get_day_names
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from guide.activities.models import (
    ActivityCategory,
    EnrollmentEndReason,
    EnrollmentStatus,
    ExtraCostKind,
)
from guide.extensions import db
from guide.i18n import current_locale

#: The built-in categories (issue 6); an organisation's own ones carry their own name.
CATEGORY_LABELS = {
    "sport": _l("Sport"),
    "music": _l("Music"),
    "dance": _l("Dance"),
    "scouting": _l("Scouting"),
    "art_and_crafts": _l("Art and crafts"),
    "drama": _l("Drama"),
    "outdoor_life": _l("Outdoor life"),
    "gaming_esport": _l("Gaming and e-sport"),
    "youth_club": _l("Youth club"),
    "culture_school": _l("Culture school"),
    "other": _l("Other"),
}

#: The interest tags a referral's words are read into (guide.referrals.services) and the
#: synonyms activity matching knows (guide.activities.search), named for people.
INTEREST_LABELS = {
    "football": _l("Football"),
    "handball": _l("Handball"),
    "basketball": _l("Basketball"),
    "swimming": _l("Swimming"),
    "guitar": _l("Guitar"),
    "piano": _l("Piano"),
    "singing": _l("Singing"),
    "drawing": _l("Drawing"),
    "chess": _l("Chess"),
    "climbing": _l("Climbing"),
    "gymnastics": _l("Gymnastics"),
    "skiing": _l("Skiing"),
    "riding": _l("Riding"),
    "theatre": _l("Theatre"),
    "coding": _l("Coding"),
    "scouts": _l("Scouting"),
    "outdoor": _l("Outdoor life"),
    "art": _l("Art and crafts"),
    "gaming": _l("Gaming and e-sport"),
}

EXTRA_COST_LABELS = {
    ExtraCostKind.trips: _l("Trips"),
    ExtraCostKind.cups: _l("Cups and tournaments"),
    ExtraCostKind.camps: _l("Camps"),
    ExtraCostKind.uniforms: _l("Uniform and clothing"),
    ExtraCostKind.transport: _l("Transport"),
    ExtraCostKind.other: _l("Other costs"),
}

ENROLLMENT_STATUS_LABELS = {
    EnrollmentStatus.proposed: _l("Proposed"),
    EnrollmentStatus.trial: _l("Free trial"),
    EnrollmentStatus.enrolled: _l("Started"),
    EnrollmentStatus.ended: _l("Ended"),
}

END_REASON_LABELS = {
    EnrollmentEndReason.lost_interest: _l("Lost interest"),
    EnrollmentEndReason.too_expensive: _l("Too expensive"),
    EnrollmentEndReason.transport: _l("Transport"),
    EnrollmentEndReason.social_reasons: _l("Social reasons"),
    EnrollmentEndReason.moved: _l("Moved"),
    EnrollmentEndReason.other: _l("Other reason"),
}


def category_names(*, organisation_id: uuid.UUID) -> dict[str, str]:
    """Every category key the organisation can use, with its name in the request's language."""
    names = dict(_fixed_names(current_locale()).categories)
    rows = db.session.execute(
        select(ActivityCategory.key, ActivityCategory.name).where(
            or_(
                ActivityCategory.organisation_id == organisation_id,
                ActivityCategory.organisation_id.is_(None),
            )
        )
    )
    for key, name in rows:
        names.setdefault(key, name)  # built-in keys keep their translated name
    return names


def weekday_name(weekday: int | None) -> str:
    """ "mandag", "Monday"... in the request's language; empty when unknown."""
    if weekday is None or not 0 <= weekday <= 6:
        return ""
    return _fixed_names(current_locale()).days[weekday]


def weekday_names() -> list[tuple[int, str]]:
    return list(enumerate(_fixed_names(current_locale()).days))


@dataclass(frozen=True)
class _FixedNames:
    #: Monday to Sunday.
    days: tuple[str, ...]
    categories: dict[str, str]
    extra_costs: dict[ExtraCostKind, str]


# Babel and Flask-Babel look names up afresh on every call, and every activity card asks for
# some: they are kept per locale, as neither CLDR nor the catalogues change while the app runs.
@cache
def _fixed_names(locale: str) -> _FixedNames:
    """The built-in names in ``locale``."""
    day_names = get_day_names("wide", locale=locale)
    with force_locale(locale):
        return _FixedNames(
            days=tuple(day_names[day] for day in range(7)),
            categories={key: str(label) for key, label in CATEGORY_LABELS.items()},
            extra_costs={kind: str(label) for kind, label in EXTRA_COST_LABELS.items()},
        )


def interest_name(tag: str) -> str:
    """An interest tag in the reader's language ("football" → "Fotball"); the catalogue's
    category names serve for tags that are categories ("music"); other words (the child's
    own, a guide's) are shown as written."""
    label = INTEREST_LABELS.get(tag) or CATEGORY_LABELS.get(tag)
    return str(label) if label is not None else tag


def interest_names(tags: Iterable[str]) -> str:
    """Interest tags as "Fotball, Gitar" in the reader's language."""
    return ", ".join(interest_name(tag) for tag in tags)


def extra_cost_label(label: str | None, kind: str) -> str:
    """The club's own wording for an extra cost, else the kind's translated name."""
    if label:
        return label
    try:
        return _fixed_names(current_locale()).extra_costs[ExtraCostKind(kind)]
    except ValueError:
        return kind


def end_reason_label(reason: str | None) -> str:
    if reason is None:
        return ""
    return str(END_REASON_LABELS.get(EnrollmentEndReason(reason), reason))


def enrollment_status_label(status: str) -> str:
    return str(ENROLLMENT_STATUS_LABELS.get(EnrollmentStatus(status), status))


def template_helpers() -> dict[str, object]:
    return {
        "weekday_name": weekday_name,
        "extra_cost_label": extra_cost_label,
        "interest_names": interest_names,
        "end_reason_label": end_reason_label,
        "enrollment_status_label": enrollment_status_label,
    }
