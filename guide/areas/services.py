"""Keeping the organisation's areas, and placing children, guides, clubs and activities in them.

``area_id`` is what matching reads. Children, clubs and activities also keep the area's name
in their ``area`` column (the list pages, the figures and the public catalogue read it); it
is rewritten whenever the area is renamed. Where ``area_id`` is empty, ``area`` holds text
from before areas were a list that no area matched, until a coordinator maps it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import flag_modified

from guide.access import load_scoped
from guide.activities.models import Activity, Club
from guide.areas.models import Area, area_key, area_neighbours
from guide.audit.services import record_event
from guide.cases.models import Child
from guide.extensions import db
from guide.guides.models import GuideProfile
from guide.validation.versions import check_version

#: The rows that carry an area and its name.
PLACED = (Child, Club, Activity)


class AreaNameTaken(ValueError):
    """A name or other spelling is already another area's; ``spelling`` says which."""

    def __init__(self, spelling: str) -> None:
        super().__init__("area name taken")
        self.spelling = spelling


@dataclass(frozen=True)
class AreaDetails:
    """What the coordinator typed, tidied by the form."""

    name: str
    aliases: tuple[str, ...]
    neighbour_ids: tuple[uuid.UUID, ...]


def organisation_areas(organisation_id: uuid.UUID, *, active_only: bool = False) -> list[Area]:
    """The organisation's areas by name (active and inactive unless ``active_only``)."""
    query = select(Area).where(Area.organisation_id == organisation_id)
    if active_only:
        query = query.where(Area.is_active.is_(True))
    return list(db.session.scalars(query.order_by(func.lower(Area.name), Area.id)))


def area_options(
    organisation_id: uuid.UUID, *, keep: Iterable[uuid.UUID | None] = ()
) -> list[tuple[str, str]]:
    """(id, name) of the active areas, and of inactive ones in ``keep`` (a row's own area)."""
    kept = {area_id for area_id in keep if area_id is not None}
    return [
        (str(area.id), area.name)
        for area in organisation_areas(organisation_id)
        if area.is_active or area.id in kept
    ]


def load_area(*, viewer: Any, area_id: uuid.UUID) -> Area:
    """An area of the viewer's organisation, else an audited 404."""
    return load_scoped(
        select(Area).where(Area.id == area_id, Area.organisation_id == viewer.organisation_id),
        kind="area",
        object_id=area_id,
    )


def area_lookup(organisation_id: uuid.UUID) -> dict[str, Area]:
    """Every active area's compared name and other spellings → the area."""
    lookup: dict[str, Area] = {}
    for area in organisation_areas(organisation_id, active_only=True):
        for key in area.spelling_keys():
            lookup.setdefault(key, area)
    return lookup


def nearby_area_ids(area_id: uuid.UUID | None) -> list[uuid.UUID]:
    """The area itself first, then its neighbours by name; empty without an area."""
    if area_id is None:
        return []
    neighbours = db.session.scalars(
        select(area_neighbours.c.neighbour_id)
        .join(Area, Area.id == area_neighbours.c.neighbour_id)
        .where(area_neighbours.c.area_id == area_id)
        .order_by(func.lower(Area.name))
    )
    return [area_id, *neighbours]


def area_distance(area_id: uuid.UUID | None, nearby: Sequence[uuid.UUID]) -> int:
    """0 in the home area (``nearby[0]``), 1 in a neighbouring one, 2 anywhere else."""
    if nearby and area_id == nearby[0]:
        return 0
    return 1 if area_id is not None and area_id in nearby[1:] else 2


def area_in(organisation_id: uuid.UUID, area_id: uuid.UUID | None) -> Area | None:
    """The organisation's area with this id; None for none, ValueError for another's."""
    if area_id is None:
        return None
    area = db.session.get(Area, area_id)
    if area is None or area.organisation_id != organisation_id:
        raise ValueError("not an area of this organisation")
    return area


def area_columns(organisation_id: uuid.UUID, area_id: uuid.UUID | None) -> dict[str, Any]:
    """The ``area_id`` and ``area`` values for a row placed in the area with ``area_id``."""
    area = area_in(organisation_id, area_id)
    return {"area_id": area_id, "area": area.name if area is not None else None}


# --- keeping the list --------------------------------------------------------------------------


def _check_spellings(organisation_id: uuid.UUID, details: AreaDetails, *, own: Area | None):
    for area in organisation_areas(organisation_id):
        if own is not None and area.id == own.id:
            continue
        taken = area.spelling_keys()
        for spelling in (details.name, *details.aliases):
            if area_key(spelling) in taken:
                raise AreaNameTaken(spelling)


def _set_neighbours(area: Area, neighbour_ids: Sequence[uuid.UUID]) -> bool:
    wanted = [
        area_in(area.organisation_id, neighbour_id)
        for neighbour_id in dict.fromkeys(neighbour_ids)
        if neighbour_id != area.id
    ]
    before = {neighbour.id for neighbour in area.neighbours}
    after = {neighbour.id for neighbour in wanted if neighbour is not None}
    if before == after:
        return False
    for neighbour in list(area.neighbours):
        if neighbour.id not in after:
            area.neighbours.remove(neighbour)
            if area in neighbour.neighbours:
                neighbour.neighbours.remove(area)
    for neighbour in wanted:
        if neighbour is not None and neighbour.id not in before:
            area.neighbours.append(neighbour)
            if area not in neighbour.neighbours:
                neighbour.neighbours.append(area)
    return True


def create_area(*, organisation_id: uuid.UUID, details: AreaDetails, by: Any) -> Area:
    """Add an area; raises AreaNameTaken when a spelling is another area's already."""
    _check_spellings(organisation_id, details, own=None)
    area = Area(
        organisation_id=organisation_id,
        name=details.name,
        name_key=area_key(details.name),
        aliases=list(details.aliases),
        is_active=True,
    )
    db.session.add(area)
    _set_neighbours(area, details.neighbour_ids)
    db.session.flush()
    record_event("area_created", actor=by, obj=area)
    return area


def update_area(
    area: Area, *, details: AreaDetails, is_active: bool, seen_version: int | None, by: Any
) -> list[str]:
    """Rename, respell, re-neighbour, deactivate or reactivate an area; audits what changed.

    A renamed area's rows take the new name; an inactive area is offered nowhere new, and
    the rows already in it keep it.
    """
    check_version(area, seen_version)
    _check_spellings(area.organisation_id, details, own=area)
    changed = []
    if area.name != details.name:
        area.name, area.name_key = details.name, area_key(details.name)
        for model in PLACED:
            db.session.execute(
                update(model).where(model.area_id == area.id).values(area=details.name)
            )
        changed.append("name")
    if list(area.aliases or []) != list(details.aliases):
        area.aliases = list(details.aliases)
        changed.append("aliases")
    if _set_neighbours(area, details.neighbour_ids):
        changed.append("neighbours")
    if area.is_active != is_active:
        area.is_active = is_active
        changed.append("is_active")
    if changed:
        flag_modified(area, "aliases")  # the version moves on every change, neighbours too
        db.session.flush()
        record_event("area_updated", actor=by, obj=area, details={"fields": changed})
    return changed


# --- names from before the list ----------------------------------------------------------------


@dataclass(frozen=True)
class UnmappedName:
    """Text no area matched, and how many rows carry it."""

    name: str
    count: int


def unmapped_area_names(organisation_id: uuid.UUID) -> list[UnmappedName]:
    """Area texts of children, clubs, activities and guides that no area holds yet."""
    counts: dict[str, int] = {}
    for model in PLACED:
        rows = db.session.execute(
            select(model.area, func.count())
            .where(
                model.organisation_id == organisation_id,
                model.area_id.is_(None),
                model.area.is_not(None),
            )
            .group_by(model.area)
        )
        for name, count in rows:
            counts[name] = counts.get(name, 0) + count
    for names in db.session.scalars(
        select(GuideProfile.unmapped_areas).where(GuideProfile.organisation_id == organisation_id)
    ):
        for name in names or []:
            counts[name] = counts.get(name, 0) + 1
    return [UnmappedName(name, counts[name]) for name in sorted(counts, key=str.casefold)]


def map_area_name(*, organisation_id: uuid.UUID, name: str, area: Area, by: Any) -> int:
    """Put every row whose unmapped area text is ``name`` into ``area``; returns how many."""
    if area.organisation_id != organisation_id:
        raise ValueError("an area of another organisation")
    moved = 0
    for model in PLACED:
        result = db.session.execute(
            update(model)
            .where(
                model.organisation_id == organisation_id,
                model.area_id.is_(None),
                model.area == name,
            )
            .values(area_id=area.id, area=area.name)
            .execution_options(synchronize_session="fetch")
        )
        moved += result.rowcount or 0
    for guide in db.session.scalars(
        select(GuideProfile).where(GuideProfile.organisation_id == organisation_id)
    ):
        if name in (guide.unmapped_areas or []):
            guide.unmapped_areas = [other for other in guide.unmapped_areas if other != name]
            if area not in guide.areas:
                guide.areas.append(area)
            moved += 1
    db.session.flush()
    record_event("area_name_mapped", actor=by, obj=area, details={"rows": moved})
    return moved
