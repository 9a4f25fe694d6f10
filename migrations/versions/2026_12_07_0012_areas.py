"""Areas: a list each organisation keeps, and today's free-text areas mapped onto it.

Revision ID: 0012
Revises: 0011
Created: 2026-12-07

Written by hand. New tables ``areas`` (name, other spellings, active), ``area_neighbours``
(both directions stored) and ``guide_profile_areas``; ``area_id`` on children, clubs and
activities; the guide's free-text ``areas`` become ``unmapped_areas``.

The data step, per organisation: the area texts coordinators keep (clubs, activities, guide
profiles) become areas, one per spelling that differs only in case, spacing or accents
(" nord", "NORD" and "Nord" are one area, named by the spelling used most). Every row whose
text matches an area (same comparison) gets its ``area_id`` and the area's name. Texts that
match none (a child's area as a referrer typed it, "Nordby" where the catalogue says "Nord")
stay in ``area`` with no ``area_id``: the areas page lists them for a coordinator to map.
"""

import datetime as dt
import unicodedata
import uuid
from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLACED_TABLES = ("children", "clubs", "activities")
#: The tables whose area texts seed the list (kept by coordinators, not typed at referral).
SEEDING_TABLES = ("clubs", "activities")


def area_key(text: str) -> str:
    """A frozen copy of guide.areas.models.area_key as it was when this migration was written."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("ø", "o").replace("Ø", "o").replace("æ", "ae").replace("Æ", "ae")
    return " ".join(plain.casefold().split())


def upgrade() -> None:
    op.create_table(
        "areas",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_areas_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_areas")),
        sa.UniqueConstraint(
            "organisation_id", "name_key", name=op.f("uq_areas_organisation_id_name_key")
        ),
    )
    op.create_index(op.f("ix_areas_organisation_id"), "areas", ["organisation_id"])
    op.create_table(
        "area_neighbours",
        sa.Column("area_id", sa.Uuid(), nullable=False),
        sa.Column("neighbour_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_area_neighbours_area_id_areas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["neighbour_id"],
            ["areas.id"],
            name=op.f("fk_area_neighbours_neighbour_id_areas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("area_id", "neighbour_id", name=op.f("pk_area_neighbours")),
    )
    op.create_table(
        "guide_profile_areas",
        sa.Column("guide_profile_id", sa.Uuid(), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_guide_profile_areas_area_id_areas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["guide_profile_id"],
            ["guide_profiles.id"],
            name=op.f("fk_guide_profile_areas_guide_profile_id_guide_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("guide_profile_id", "area_id", name=op.f("pk_guide_profile_areas")),
    )
    for table in PLACED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("area_id", sa.Uuid(), nullable=True))
            batch.create_foreign_key(
                op.f(f"fk_{table}_area_id_areas"), "areas", ["area_id"], ["id"], ondelete="SET NULL"
            )
    op.create_index("ix_children_organisation_area_id", "children", ["organisation_id", "area_id"])
    op.create_index(op.f("ix_clubs_area_id"), "clubs", ["area_id"])
    op.create_index(op.f("ix_activities_area_id"), "activities", ["area_id"])
    with op.batch_alter_table("guide_profiles") as batch:
        batch.alter_column("areas", new_column_name="unmapped_areas")
    _map_free_text_areas()


def _tables() -> dict[str, sa.Table]:
    meta = sa.MetaData()
    tables = {
        name: sa.Table(
            name,
            meta,
            sa.Column("id", sa.Uuid()),
            sa.Column("organisation_id", sa.Uuid()),
            sa.Column("area", sa.String(100)),
            sa.Column("area_id", sa.Uuid()),
        )
        for name in PLACED_TABLES
    }
    tables["guide_profiles"] = sa.Table(
        "guide_profiles",
        meta,
        sa.Column("id", sa.Uuid()),
        sa.Column("organisation_id", sa.Uuid()),
        sa.Column("unmapped_areas", sa.JSON()),
    )
    tables["areas"] = sa.Table(
        "areas",
        meta,
        sa.Column("id", sa.Uuid()),
        sa.Column("organisation_id", sa.Uuid()),
        sa.Column("name", sa.String(100)),
        sa.Column("name_key", sa.String(100)),
        sa.Column("aliases", sa.JSON()),
        sa.Column("is_active", sa.Boolean()),
        sa.Column("version", sa.Integer()),
        sa.Column("created_at", sa.DateTime(timezone=True)),
    )
    tables["guide_profile_areas"] = sa.Table(
        "guide_profile_areas",
        meta,
        sa.Column("guide_profile_id", sa.Uuid()),
        sa.Column("area_id", sa.Uuid()),
    )
    return tables


def _seed_spellings(connection, tables) -> dict[uuid.UUID, dict[str, Counter]]:
    """Per organisation, per compared key, how often each trimmed spelling seeds an area."""
    seeds: dict[uuid.UUID, dict[str, Counter]] = {}

    def count(organisation_id, text):
        spelling = " ".join((text or "").split())
        if spelling and len(spelling) <= 100:
            keyed = seeds.setdefault(organisation_id, {})
            keyed.setdefault(area_key(spelling), Counter())[spelling] += 1

    for name in SEEDING_TABLES:
        table = tables[name]
        query = sa.select(table.c.organisation_id, table.c.area).where(table.c.area.is_not(None))
        for organisation_id, text in connection.execute(query):
            count(organisation_id, text)
    guides = tables["guide_profiles"]
    for organisation_id, names in connection.execute(
        sa.select(guides.c.organisation_id, guides.c.unmapped_areas)
    ):
        for text in names or []:
            count(organisation_id, text)
    return seeds


def _map_free_text_areas() -> None:
    connection = op.get_bind()
    tables = _tables()
    now = dt.datetime.now(dt.UTC)
    # (organisation, key) → (area id, name)
    areas: dict[tuple[uuid.UUID, str], tuple[uuid.UUID, str]] = {}
    for organisation_id, keyed in _seed_spellings(connection, tables).items():
        for key, spellings in keyed.items():
            # The spelling used most names the area; among equals, the first in order.
            name = sorted(spellings.items(), key=lambda item: (-item[1], item[0]))[0][0]
            area_id = uuid.uuid4()
            connection.execute(
                tables["areas"]
                .insert()
                .values(
                    id=area_id,
                    organisation_id=organisation_id,
                    name=name,
                    name_key=key,
                    aliases=[],
                    is_active=True,
                    version=1,
                    created_at=now,
                )
            )
            areas[(organisation_id, key)] = (area_id, name)
    for name in PLACED_TABLES:
        table = tables[name]
        rows = connection.execute(
            sa.select(table.c.id, table.c.organisation_id, table.c.area).where(
                table.c.area.is_not(None)
            )
        ).all()
        for row_id, organisation_id, text in rows:
            found = areas.get((organisation_id, area_key(text)))
            if found is not None:
                connection.execute(
                    table.update()
                    .where(table.c.id == row_id)
                    .values(area_id=found[0], area=found[1])
                )
            elif text != text.strip():
                connection.execute(
                    table.update().where(table.c.id == row_id).values(area=text.strip() or None)
                )
    guides = tables["guide_profiles"]
    for guide_id, organisation_id, names in connection.execute(
        sa.select(guides.c.id, guides.c.organisation_id, guides.c.unmapped_areas)
    ).all():
        linked, unmapped = [], []
        for text in names or []:
            found = areas.get((organisation_id, area_key(text)))
            if found is None:
                unmapped.append(text)
            elif found[0] not in linked:
                linked.append(found[0])
        for area_id in linked:
            connection.execute(
                tables["guide_profile_areas"]
                .insert()
                .values(guide_profile_id=guide_id, area_id=area_id)
            )
        connection.execute(
            guides.update().where(guides.c.id == guide_id).values(unmapped_areas=unmapped)
        )


def downgrade() -> None:
    # The areas' names go back into the guides' free-text lists; children, clubs and
    # activities keep the names in their ``area`` column already.
    connection = op.get_bind()
    tables = _tables()
    guides, links, area_table = (
        tables["guide_profiles"],
        tables["guide_profile_areas"],
        tables["areas"],
    )
    for guide_id, names in connection.execute(
        sa.select(guides.c.id, guides.c.unmapped_areas)
    ).all():
        linked = connection.scalars(
            sa.select(area_table.c.name)
            .join(links, links.c.area_id == area_table.c.id)
            .where(links.c.guide_profile_id == guide_id)
            .order_by(area_table.c.name)
        ).all()
        connection.execute(
            guides.update()
            .where(guides.c.id == guide_id)
            .values(unmapped_areas=[*linked, *(names or [])])
        )
    with op.batch_alter_table("guide_profiles") as batch:
        batch.alter_column("unmapped_areas", new_column_name="areas")
    op.drop_index(op.f("ix_activities_area_id"), table_name="activities")
    op.drop_index(op.f("ix_clubs_area_id"), table_name="clubs")
    op.drop_index("ix_children_organisation_area_id", table_name="children")
    for table in PLACED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"fk_{table}_area_id_areas"), type_="foreignkey")
            batch.drop_column("area_id")
    op.drop_table("guide_profile_areas")
    op.drop_table("area_neighbours")
    op.drop_index(op.f("ix_areas_organisation_id"), table_name="areas")
    op.drop_table("areas")
