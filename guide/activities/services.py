"""Clubs, activities and categories: the catalogue's business rules and its CSV import."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, cast, delete, func, select
from sqlalchemy.orm import selectinload

from guide.access import load_scoped
from guide.activities.importing import (
    ActivityFields,
    Catalogue,
    ClubFields,
    ExtraCost,
    KnownClub,
    Register,
    activity_key,
    category_lookup,
    check_against_catalogue,
    read_register,
)
from guide.activities.models import (
    Activity,
    ActivityCategory,
    ActivityExtraCost,
    BuiltInCategory,
    CatalogueImport,
    Club,
)
from guide.areas.services import area_columns, area_lookup
from guide.audit.services import record_event
from guide.catalogue.labels import category_names
from guide.database import utcnow
from guide.extensions import db
from guide.validation.text import HIDDEN_CONTROL

#: An upload not imported within this time is forgotten.
IMPORT_KEPT_FOR = dt.timedelta(hours=24)


# --- cost ------------------------------------------------------------------------------------


def total_cost_per_season(activity: Activity) -> int:
    """The season's whole price in øre: the fee plus every known extra cost."""
    return activity.fee_per_season + sum(cost.amount for cost in activity.extra_costs)


def total_cost_expression() -> ColumnElement[int]:
    """SQL for an activity's fee plus extra costs (øre), to filter and sort on in queries."""
    extras = (
        # PostgreSQL sums BIGINT as NUMERIC (a Decimal in Python); money stays whole øre.
        select(cast(func.coalesce(func.sum(ActivityExtraCost.amount), 0), BigInteger))
        .where(ActivityExtraCost.activity_id == Activity.id)
        .correlate(Activity)
        .scalar_subquery()
    )
    return (Activity.fee_per_season + extras).label("total_cost")


# --- categories ------------------------------------------------------------------------------


def own_categories(organisation_id: uuid.UUID) -> list[ActivityCategory]:
    """The categories the organisation added itself, by name."""
    return list(
        db.session.scalars(
            select(ActivityCategory)
            .where(ActivityCategory.organisation_id == organisation_id)
            .order_by(ActivityCategory.name)
        )
    )


def category_choices(organisation_id: uuid.UUID) -> list[tuple[str, str]]:
    """(key, name) of every category the organisation can use; "Other" comes last."""
    names = category_names(organisation_id=organisation_id)
    other = BuiltInCategory.other.value
    return [(key, name) for key, name in names.items() if key != other] + [(other, names[other])]


class CategoryExists(ValueError):
    """The organisation already has a category by that name (or a built-in one has it)."""


def _slug(name: str) -> str:
    text = name.casefold().translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a"}))
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")[:30] or "category"


def add_category(*, organisation_id: uuid.UUID, name: str, by: Any) -> ActivityCategory:
    """Add an organisation's own category; raises CategoryExists for a name already in use."""
    choices = category_choices(organisation_id)
    taken_names = {label.casefold() for _key, label in choices}
    if name.casefold() in taken_names or name.casefold() in category_lookup():
        raise CategoryExists(name)
    taken_keys = {key for key, _label in choices}
    base = key = _slug(name)
    number = 2
    while key in taken_keys:
        key = f"{base}_{number}"
        number += 1
    category = ActivityCategory(organisation_id=organisation_id, key=key, name=name)
    db.session.add(category)
    db.session.flush()
    record_event("activity_category_added", actor=by, obj=category)
    return category


# --- clubs -----------------------------------------------------------------------------------

CLUB_COLUMNS = tuple(field.name for field in dataclasses.fields(ClubFields))


def organisation_clubs(organisation_id: uuid.UUID) -> list[Club]:
    """The organisation's clubs, active first, then by name, with their activities."""
    return list(
        db.session.scalars(
            select(Club)
            .where(Club.organisation_id == organisation_id)
            .options(selectinload(Club.activities))
            .order_by(Club.is_active.desc(), func.lower(Club.name))
        )
    )


def load_club(*, viewer: Any, club_id: uuid.UUID) -> Club:
    """A club of the viewer's organisation, else 404."""
    return load_scoped(
        select(Club).where(Club.id == club_id, Club.organisation_id == viewer.organisation_id),
        kind="club",
        object_id=club_id,
    )


def org_number_taken(
    *, organisation_id: uuid.UUID, org_number: str, except_club_id: uuid.UUID | None = None
) -> bool:
    """True when another club of the organisation has this organisation number."""
    query = select(Club.id).where(
        Club.organisation_id == organisation_id, Club.org_number == org_number
    )
    if except_club_id is not None:
        query = query.where(Club.id != except_club_id)
    return db.session.scalar(query.limit(1)) is not None


def create_club(*, organisation_id: uuid.UUID, details: ClubFields, by: Any) -> Club:
    """Add a club to the organisation's catalogue."""
    club = Club(
        organisation_id=organisation_id, is_active=True, **_placed(organisation_id, details)
    )
    db.session.add(club)
    db.session.flush()
    record_event("club_created", actor=by, obj=club)
    return club


def update_club(club: Club, *, details: ClubFields, by: Any) -> list[str]:
    """Save a club's details; returns (and audits) the names of the fields that changed."""
    changed = _assign(club, _placed(club.organisation_id, details))
    db.session.flush()
    if changed:
        record_event("club_updated", actor=by, obj=club, details={"fields": changed})
    return changed


def set_club_active(club: Club, *, is_active: bool, by: Any) -> None:
    """Deactivate a club (its activities leave every list) or bring it back."""
    if club.is_active == is_active:
        return
    club.is_active = is_active
    db.session.flush()
    record_event("club_reactivated" if is_active else "club_deactivated", actor=by, obj=club)


def _placed(organisation_id: uuid.UUID, details: Any) -> dict[str, Any]:
    """The fields of ``details`` with its ``area_id`` as the area's id and name."""
    values = dataclasses.asdict(details)
    values.update(area_columns(organisation_id, values.pop("area_id")))
    return values


def _assign(obj: Any, values: dict[str, Any]) -> list[str]:
    changed = sorted(name for name, value in values.items() if getattr(obj, name) != value)
    for name in changed:
        setattr(obj, name, values[name])
    return changed


# --- activities ------------------------------------------------------------------------------


def organisation_activities(
    organisation_id: uuid.UUID, *, club_id: uuid.UUID | None = None
) -> list[Activity]:
    """The organisation's activities (of one club if given), active first, by club and name."""
    query = (
        select(Activity)
        .join(Activity.club)
        .where(Activity.organisation_id == organisation_id)
        .options(selectinload(Activity.extra_costs))
        .order_by(Activity.is_active.desc(), func.lower(Club.name), func.lower(Activity.name))
    )
    if club_id is not None:
        query = query.where(Activity.club_id == club_id)
    return list(db.session.scalars(query))


def load_activity(*, viewer: Any, activity_id: uuid.UUID) -> Activity:
    """An activity of the viewer's organisation, else 404."""
    activity = load_scoped(
        select(Activity).where(
            Activity.id == activity_id, Activity.organisation_id == viewer.organisation_id
        ),
        kind="activity",
        object_id=activity_id,
    )
    return activity


def _activity_values(organisation_id: uuid.UUID, details: ActivityFields) -> dict[str, Any]:
    values = _placed(organisation_id, details)
    values.pop("extra_costs")
    values["leader_languages"] = list(details.leader_languages)
    return values


def _replace_extra_costs(activity: Activity, details: ActivityFields) -> bool:
    current = [
        ExtraCost(kind=cost.kind, amount=cost.amount, label=cost.label)
        for cost in activity.extra_costs
    ]
    if current == list(details.extra_costs):
        return False
    activity.extra_costs = [
        ActivityExtraCost(kind=cost.kind, amount=cost.amount, label=cost.label)
        for cost in details.extra_costs
    ]
    return True


def create_activity(*, club: Club, details: ActivityFields, by: Any) -> Activity:
    """Add an activity to one of the organisation's clubs."""
    activity = Activity(
        organisation_id=club.organisation_id,
        club=club,
        is_active=True,
        **_activity_values(club.organisation_id, details),
    )
    _replace_extra_costs(activity, details)
    db.session.add(activity)
    db.session.flush()
    record_event("activity_created", actor=by, obj=activity, details={"club_id": str(club.id)})
    return activity


def update_activity(
    activity: Activity, *, club: Club, details: ActivityFields, by: Any
) -> list[str]:
    """Save an activity (it may move to another club of the organisation); audits what changed."""
    if club.organisation_id != activity.organisation_id:
        raise ValueError("an activity stays within its organisation")
    changed = _assign(
        activity, {"club_id": club.id, **_activity_values(activity.organisation_id, details)}
    )
    if _replace_extra_costs(activity, details):
        changed.append("extra_costs")
    db.session.flush()
    if changed:
        record_event("activity_updated", actor=by, obj=activity, details={"fields": changed})
    return changed


def set_activity_active(activity: Activity, *, is_active: bool, by: Any) -> None:
    """Take an activity off the lists, or put it back."""
    if activity.is_active == is_active:
        return
    activity.is_active = is_active
    db.session.flush()
    action = "activity_reactivated" if is_active else "activity_deactivated"
    record_event(action, actor=by, obj=activity)


# --- CSV import --------------------------------------------------------------------------------


def start_import(
    *, organisation_id: uuid.UUID, filename: str, content: bytes, by: Any
) -> CatalogueImport:
    """Keep an uploaded file until it is imported; older uploads are forgotten now."""
    db.session.execute(
        delete(CatalogueImport).where(CatalogueImport.created_at < utcnow() - IMPORT_KEPT_FOR)
    )
    upload = CatalogueImport(
        organisation_id=organisation_id,
        created_by_id=by.id,
        # The name the browser gave the file, without control characters (PostgreSQL
        # refuses a NUL in text).
        filename=HIDDEN_CONTROL.sub("", filename)[:200],
        content=content,
    )
    db.session.add(upload)
    db.session.flush()
    record_event("catalogue_file_uploaded", actor=by, obj=upload, details={"bytes": len(content)})
    return upload


def load_import(*, viewer: Any, import_id: uuid.UUID) -> CatalogueImport:
    """An upload of the viewer's organisation that has not expired, else 404."""
    upload = load_scoped(
        select(CatalogueImport).where(
            CatalogueImport.id == import_id,
            CatalogueImport.organisation_id == viewer.organisation_id,
            CatalogueImport.created_at >= utcnow() - IMPORT_KEPT_FOR,
        ),
        kind="catalogue_import",
        object_id=import_id,
    )
    return upload


def current_catalogue(organisation_id: uuid.UUID) -> Catalogue:
    """The organisation's clubs and activities, as the import matches rows against them."""
    clubs = [
        KnownClub(ref=club_id, name=name, org_number=org_number)
        for club_id, name, org_number in db.session.execute(
            select(Club.id, Club.name, Club.org_number)
            .where(Club.organisation_id == organisation_id)
            .order_by(Club.created_at)
        )
    ]
    activities = frozenset(
        activity_key(club_id, name, weekday)
        for club_id, name, weekday in db.session.execute(
            select(Activity.club_id, Activity.name, Activity.weekday).where(
                Activity.organisation_id == organisation_id
            )
        )
    )
    return Catalogue(clubs=clubs, activities=activities)


def preview_import(upload: CatalogueImport) -> Register:
    """The file's rows checked against the catalogue as it is now; raises RegisterFileError."""
    own = [(category.key, category.name) for category in own_categories(upload.organisation_id)]
    areas = {key: area.id for key, area in area_lookup(upload.organisation_id).items()}
    register = read_register(upload.content, categories=category_lookup(own), areas=areas)
    return check_against_catalogue(register, current_catalogue(upload.organisation_id))


@dataclass(frozen=True)
class ImportOutcome:
    clubs_created: int
    activities_created: int
    rows_skipped: int


def apply_import(upload: CatalogueImport, *, by: Any) -> ImportOutcome:
    """Create the clubs and activities of the good rows; rows already there are left alone."""
    register = preview_import(upload)
    clubs: dict[Any, Club] = {}
    clubs_created = 0
    for row in register.importable_rows:
        assert row.club is not None and row.activity is not None and row.club_ref is not None
        club = clubs.get(row.club_ref)
        if club is None and isinstance(row.club_ref, uuid.UUID):
            club = db.session.get(Club, row.club_ref)
        if club is None:
            club = Club(
                organisation_id=upload.organisation_id, **_placed(upload.organisation_id, row.club)
            )
            db.session.add(club)
            clubs_created += 1
        clubs[row.club_ref] = club
        activity = Activity(
            organisation_id=upload.organisation_id,
            club=club,
            **_activity_values(upload.organisation_id, row.activity),
        )
        _replace_extra_costs(activity, row.activity)
        db.session.add(activity)
    upload.imported_at = utcnow()
    db.session.flush()
    outcome = ImportOutcome(
        clubs_created=clubs_created,
        activities_created=len(register.importable_rows),
        rows_skipped=len(register.rows_with_problems),
    )
    record_event("catalogue_imported", actor=by, obj=upload, details=dataclasses.asdict(outcome))
    return outcome
