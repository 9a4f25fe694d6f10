"""Migration 0012 turns today's free-text areas into the organisation's list of areas."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from guide import schema
from guide.extensions import db as _db
from tests.db.test_migrations import fresh_app  # noqa: F401  (the fixture)

BEFORE_AREAS = "0008"
AREAS = "0012"


def _filler(column: sa.Column):
    """A harmless value for a required column the test does not care about."""
    kind = column.type
    if isinstance(kind, sa.Uuid) or column.name.endswith("id"):
        return uuid.uuid4()
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, sa.DateTime):
        return dt.datetime.now(dt.UTC)
    if isinstance(kind, sa.Date):
        return dt.date(2026, 1, 1)
    if isinstance(kind, sa.Time):
        return dt.time(17, 0)
    if isinstance(kind, sa.JSON):
        return []
    if isinstance(kind, sa.LargeBinary):
        return b"sealed"
    return "x"


class OldDatabase:
    """Rows written straight into the tables as they were at revision 0008."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.meta = sa.MetaData()
        self.meta.reflect(bind=connection)

    def insert(self, table_name: str, **values) -> uuid.UUID:
        table = self.meta.tables[table_name]
        values.setdefault("id", uuid.uuid4())
        for column in table.columns:
            if column.name not in values and not column.nullable:
                values[column.name] = _filler(column)
        row_id = values["id"]
        if self.connection.dialect.name != "postgresql":  # SQLite stores UUIDs as hex text
            values = {k: v.hex if isinstance(v, uuid.UUID) else v for k, v in values.items()}
        self.connection.execute(table.insert().values(**values))
        return row_id


def _after(connection: sa.Connection, sql: str, **params) -> list[tuple]:
    return [tuple(row) for row in connection.execute(sa.text(sql), params)]


@pytest.fixture
def migrated(fresh_app: Flask, tmp_path: Path):  # noqa: F811
    """Two organisations' free-text areas at 0008, then the upgrade to 0012."""
    with fresh_app.app_context():
        schema.upgrade(BEFORE_AREAS)
        ids: dict[str, uuid.UUID] = {}
        with _db.engine.begin() as connection:
            old = OldDatabase(connection)
            org = ids["org"] = old.insert("organisations", name="Nordby frivilligsentral")
            other = ids["other"] = old.insert("organisations", name="Other")
            club = old.insert("clubs", organisation_id=org, name="IL Nord", area="Nord")
            ids["activity"] = old.insert(
                "activities", organisation_id=org, club_id=club, name="Fotball", area="Nord"
            )
            ids["activity_sor"] = old.insert(
                "activities", organisation_id=org, club_id=club, name="Dans", area="Sør"
            )
            # Spellings a referrer types: exact, case and spacing, accents, and none at all.
            for key, area in {
                "exact": "Nord",
                "variant": "  nORD ",
                "accents": "sor",
                "unmatched": "Nordby",
                "nothing": None,
            }.items():
                ids[key] = old.insert("children", organisation_id=org, area=area)
            ids["elsewhere"] = old.insert("children", organisation_id=other, area="Nordby")
            user = old.insert("users", organisation_id=org, email="guide@example.org")
            ids["guide"] = old.insert(
                "guide_profiles",
                organisation_id=org,
                user_id=user,
                areas=["nord", "Sentrum vest"],
            )
        schema.upgrade(AREAS)
        with _db.engine.connect() as connection:
            yield connection, ids
        _db.engine.dispose()


def _areas(connection, organisation_id) -> dict[str, uuid.UUID]:
    rows = _after(
        connection,
        "SELECT name, id FROM areas WHERE organisation_id = :org",
        org=_uuid_param(connection, organisation_id),
    )
    return {name: _as_uuid(area_id) for name, area_id in rows}


def _uuid_param(connection, value: uuid.UUID):
    return value if connection.dialect.name == "postgresql" else value.hex


def _as_uuid(value) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


def _placed(connection, table: str, row_id: uuid.UUID) -> tuple[str | None, uuid.UUID | None]:
    ((area, area_id),) = _after(
        connection,
        f"SELECT area, area_id FROM {table} WHERE id = :id",  # noqa: S608 (a fixed name)
        id=_uuid_param(connection, row_id),
    )
    return area, _as_uuid(area_id)


def test_the_catalogue_and_guides_areas_become_the_list(migrated):
    connection, ids = migrated
    assert set(_areas(connection, ids["org"])) == {"Nord", "Sør", "Sentrum vest"}
    # The other organisation kept no area anywhere but in a child's text: no list yet.
    assert _areas(connection, ids["other"]) == {}


def test_exact_case_spacing_and_accent_variants_get_the_area(migrated):
    connection, ids = migrated
    areas = _areas(connection, ids["org"])
    assert _placed(connection, "children", ids["exact"]) == ("Nord", areas["Nord"])
    assert _placed(connection, "children", ids["variant"]) == ("Nord", areas["Nord"])
    assert _placed(connection, "children", ids["accents"]) == ("Sør", areas["Sør"])
    assert _placed(connection, "activities", ids["activity"]) == ("Nord", areas["Nord"])
    assert _placed(connection, "children", ids["nothing"]) == (None, None)


def test_a_text_that_matches_no_area_is_kept_unmapped(migrated):
    connection, ids = migrated
    assert _placed(connection, "children", ids["unmatched"]) == ("Nordby", None)
    assert _placed(connection, "children", ids["elsewhere"]) == ("Nordby", None)


def test_guides_get_their_areas_and_keep_nothing_unmapped_that_matched(migrated):
    connection, ids = migrated
    areas = _areas(connection, ids["org"])
    linked = _after(
        connection,
        "SELECT area_id FROM guide_profile_areas WHERE guide_profile_id = :guide",
        guide=_uuid_param(connection, ids["guide"]),
    )
    assert {_as_uuid(area_id) for (area_id,) in linked} == {
        areas["Nord"],
        areas["Sentrum vest"],
    }
    ((unmapped,),) = _after(
        connection,
        "SELECT unmapped_areas FROM guide_profiles WHERE id = :guide",
        guide=_uuid_param(connection, ids["guide"]),
    )
    assert unmapped in ([], "[]")


def test_the_names_left_over_are_what_the_areas_page_offers_to_map(migrated):
    connection, ids = migrated
    left = _after(
        connection,
        "SELECT DISTINCT area FROM children WHERE area_id IS NULL AND area IS NOT NULL "
        "AND organisation_id = :org",
        org=_uuid_param(connection, ids["org"]),
    )
    assert left == [("Nordby",)]
