"""Finding activities: filters, total-cost limits, sorting, pages, and suggestions for a child.

Every query is bounded: the search returns one page at a time, and suggestions rank at
most ``SUGGESTION_CANDIDATES`` activities that already fit the child's age and area.
"""

from __future__ import annotations

import enum
import json
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, String, case, cast, or_, select
from sqlalchemy.orm import selectinload

from guide.activities.models import Activity, Club
from guide.activities.services import total_cost_expression, total_cost_per_season
from guide.areas.services import area_distance
from guide.extensions import db

PAGE_SIZE = 20
#: Deeper pages than this are not served: narrow the filters instead.
MAX_PAGE = 50
#: Suggestions rank at most this many fitting activities (cheapest first).
SUGGESTION_CANDIDATES = 200
SUGGESTION_COUNT = 20
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


class SortOrder(enum.StrEnum):
    total_cost = "total_cost"
    #: The home area first ("distance in area"), then the other areas by name.
    area = "area"


@dataclass(frozen=True)
class ActivityFilters:
    """What the searcher narrowed the list to; empty fields do not filter."""

    category: str | None = None
    #: The child's age in whole years; activities without an age bound accept it.
    age: int | None = None
    area: str | None = None
    #: 0 = Monday ... 6 = Sunday.
    weekday: int | None = None
    #: A language code the leaders speak, e.g. "ar".
    language: str | None = None
    free_trial_only: bool = False
    #: Fee plus known extra costs, in øre; an activity costing exactly this is included.
    max_total: int | None = None

    def apply(self, query: Select, total_cost: ColumnElement[int]) -> Select:
        if self.category:
            query = query.where(Activity.category_key == self.category)
        if self.age is not None:
            query = query.where(*age_fits(self.age))
        if self.area:
            query = query.where(Activity.area == self.area)
        if self.weekday is not None:
            query = query.where(Activity.weekday == self.weekday)
        if self.language and LANGUAGE_CODE.match(self.language):
            # The list is stored as JSON text on both databases; codes are plain letters,
            # so the quoted code can only match a whole element.
            query = query.where(
                cast(Activity.leader_languages, String).like(f'%"{self.language}"%')
            )
        if self.free_trial_only:
            query = query.where(Activity.has_free_trial.is_(True))
        if self.max_total is not None:
            query = query.where(total_cost <= self.max_total)
        return query


def age_fits(age: int) -> tuple:
    """Conditions for ``min_age <= age <= max_age``, where an empty bound is open."""
    return (
        or_(Activity.min_age.is_(None), Activity.min_age <= age),
        or_(Activity.max_age.is_(None), Activity.max_age >= age),
    )


@dataclass(frozen=True)
class ActivityResult:
    """One activity with its whole price for a season, in øre."""

    activity: Activity
    total_cost: int


@dataclass(frozen=True)
class ResultPage:
    results: list[ActivityResult]
    page: int
    has_next: bool


def _open_activities(organisation_id: uuid.UUID) -> tuple[Select, ColumnElement[int]]:
    """Active activities of active clubs, each with its total cost, and that cost's SQL."""
    total_cost = total_cost_expression()
    return (
        select(Activity, total_cost)
        .join(Club, Activity.club_id == Club.id)
        .where(
            Activity.organisation_id == organisation_id,
            Activity.is_active.is_(True),
            Club.is_active.is_(True),
        )
        .options(selectinload(Activity.club), selectinload(Activity.extra_costs))
    ), total_cost


def _area_distance_sql(nearby: Sequence[uuid.UUID]) -> ColumnElement[int]:
    """``area_distance`` as SQL, for ordering a query."""
    whens = [(Activity.area_id == nearby[0], 0)]
    if len(nearby) > 1:
        whens.append((Activity.area_id.in_(nearby[1:]), 1))
    return case(*whens, else_=2)


def search_activities(
    *,
    organisation_id: uuid.UUID,
    filters: ActivityFilters,
    sort: SortOrder = SortOrder.total_cost,
    home_area: str | None = None,
    nearby_areas: Sequence[uuid.UUID] = (),
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> ResultPage:
    """One page of the organisation's open activities that pass ``filters``.

    Sorted by area, the area named ``home_area`` comes first; without one, the areas of
    ``nearby_areas`` (a child's area, then its neighbours) do.
    """
    page = min(max(page, 1), MAX_PAGE)
    query, total_cost = _open_activities(organisation_id)
    query = filters.apply(query, total_cost)
    if sort == SortOrder.area:
        order: list = [Activity.area.is_(None), Activity.area]
        if home_area:
            order.insert(0, case((Activity.area == home_area, 0), else_=1))
        elif nearby_areas:
            order.insert(0, _area_distance_sql(nearby_areas))
        query = query.order_by(*order, total_cost, Activity.name, Activity.id)
    else:
        query = query.order_by(total_cost, Activity.name, Activity.id)
    rows = db.session.execute(query.offset((page - 1) * page_size).limit(page_size + 1)).all()
    results = [ActivityResult(activity=row[0], total_cost=row[1]) for row in rows[:page_size]]
    return ResultPage(results=results, page=page, has_next=len(rows) > page_size)


@dataclass(frozen=True)
class FilterOptions:
    """What the organisation's open activities offer to filter by."""

    category_keys: list[str]
    areas: list[str]
    #: Language codes the leaders speak.
    languages: list[str]


def filter_options(*, organisation_id: uuid.UUID) -> FilterOptions:
    """Categories, areas and leaders' languages of open activities, from one query."""
    rows = db.session.execute(
        select(Activity.category_key, Activity.area, cast(Activity.leader_languages, String))
        .join(Club, Activity.club_id == Club.id)
        .where(
            Activity.organisation_id == organisation_id,
            Activity.is_active.is_(True),
            Club.is_active.is_(True),
        )
        # PostgreSQL has no equality for json, so the languages are compared as text.
        .distinct()
    ).all()
    languages = {
        code
        for _key, _area, codes in rows
        for code in json.loads(codes or "[]") or []
        if isinstance(code, str) and LANGUAGE_CODE.match(code)
    }
    return FilterOptions(
        category_keys=sorted({key for key, _area, _codes in rows}),
        areas=sorted({area for _key, area, _codes in rows if area is not None}),
        languages=sorted(languages),
    )


# --- suggestions for a child ----------------------------------------------------------------

#: Words too common to say anything about an interest (bokmål, nynorsk, English).
_STOP_WORD_TEXT = """
    og eller men som med for til fra på av den det de en ei et jeg eg vil ville kan kunne
    har hadde liker likar lyst gjerne mye mykje litt helst også ogso meg min mitt mine
    sin sitt sine hos kanskje ikke ikkje være vere bli spille spele lære gjøre
    gjere hun han hen broren søster søstera venner vennene venninnene the and with
    for like want play learn some more very
"""
STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())
#: Everyday interest tags and the Norwegian word stems activities are described with.
TAG_SYNONYMS: dict[str, tuple[str, ...]] = {
    "football": ("fotball",),
    "guitar": ("gitar",),
    "music": ("musikk", "band", "kor"),
    "dance": ("dans",),
    "scouting": ("speid",),
    "outdoor": ("friluft", "tur"),
    "art": ("kunst", "tegn", "mal"),
    "swimming": ("svøm", "sym"),
    "drama": ("teater",),
    "gaming": ("gaming", "e-sport", "esport", "spill"),
    "handball": ("håndball",),
    "climbing": ("klatr",),
    "piano": ("piano",),
    "singing": ("sang", "kor"),
}
#: Shorter words than this only match whole words (a stem like "mal" would match too much).
PREFIX_MIN_LENGTH = 4


def normalised_words(text: str | None) -> list[str]:
    """Lower-case words of at least three letters, without stop words, in order."""
    if not text:
        return []
    folded = unicodedata.normalize("NFC", text).casefold()
    words = re.findall(r"[^\W\d_]{3,}", folded)
    return [word for word in words if word not in STOP_WORDS]


@dataclass(frozen=True)
class Interest:
    """One thing the child likes, as said (shown in the reason) and the stems it matches."""

    label: str
    stems: tuple[str, ...]


def interests_of(tags: Iterable[str], own_words: str | None) -> list[Interest]:
    """The case's interest tags, then the words of the child's own text that add something."""
    interests: list[Interest] = []
    seen: set[str] = set()
    for raw in [*(tag.strip().casefold() for tag in tags), *normalised_words(own_words)]:
        if not raw or raw in seen:
            continue
        stems = (raw, *TAG_SYNONYMS.get(raw, ()))
        seen.update(stems)  # "gitar" in the child's words adds nothing to the tag "guitar"
        interests.append(Interest(label=raw, stems=stems))
    return interests


def _matches(stem: str, words: Sequence[str]) -> bool:
    # Norwegian joins words ("gitargruppe"), so a long enough stem may start a word.
    if len(stem) >= PREFIX_MIN_LENGTH:
        return any(word.startswith(stem) for word in words)
    return stem in words


@dataclass(frozen=True)
class Suggestion:
    """An activity that fits the child, the interests it matches, and its whole price."""

    activity: Activity
    total_cost: int
    matched: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return len(self.matched)


def rank_suggestions(
    results: Iterable[ActivityResult],
    interests: Sequence[Interest],
    *,
    nearby_areas: Sequence[uuid.UUID] = (),
    category_names: dict[str, str] | None = None,
) -> list[Suggestion]:
    """Most matched interests first, then the home area, its neighbours, then the lowest cost."""
    suggestions = []
    for result in results:
        activity = result.activity
        text = " ".join(
            filter(
                None,
                (
                    activity.name,
                    activity.category_key,
                    (category_names or {}).get(activity.category_key),
                    activity.description,
                ),
            )
        )
        words = normalised_words(text)
        matched = [
            interest.label
            for interest in interests
            if any(_matches(stem, words) for stem in interest.stems)
        ]
        suggestions.append(Suggestion(activity, result.total_cost, matched))
    suggestions.sort(
        key=lambda s: (
            -s.score,
            area_distance(s.activity.area_id, nearby_areas),
            s.total_cost,
            s.activity.name,
        )
    )
    return suggestions


def suggest_activities(
    *,
    organisation_id: uuid.UUID,
    interests: Sequence[Interest],
    filters: ActivityFilters,
    nearby_areas: Sequence[uuid.UUID] = (),
    category_names: dict[str, str] | None = None,
    limit: int = SUGGESTION_COUNT,
) -> list[Suggestion]:
    """Open activities that fit ``filters`` and lie in the child's area, a neighbouring one or
    none (``nearby_areas``: the child's area first, then its neighbours), best match first."""
    query, total_cost = _open_activities(organisation_id)
    query = filters.apply(query, total_cost)
    order: list = [total_cost, Activity.id]
    if nearby_areas and not filters.area:
        query = query.where(or_(Activity.area_id.in_(nearby_areas), Activity.area_id.is_(None)))
        order.insert(0, _area_distance_sql(nearby_areas))
    rows = db.session.execute(query.order_by(*order).limit(SUGGESTION_CANDIDATES)).all()
    results = [ActivityResult(activity=row[0], total_cost=row[1]) for row in rows]
    ranked = rank_suggestions(
        results, interests, nearby_areas=nearby_areas, category_names=category_names
    )
    return ranked[:limit]


def cost_breakdown(activity: Activity) -> tuple[int, list[tuple[str | None, str, int]]]:
    """(total, [(label, kind, amount), ...]) in øre, from the rule in activities.services."""
    extras = [(cost.label, str(cost.kind), cost.amount) for cost in activity.extra_costs]
    return total_cost_per_season(activity), extras
