"""Areas: the geography referrals, guides, activities and the matching use; never free text."""

from __future__ import annotations

import unicodedata

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guide.database import CreatedAt, OrganisationOwned, StringList
from guide.extensions import db

NAME_MAX_LENGTH = 100

#: Both directions of each neighbourhood are stored, so "neighbours of X" is one lookup.
area_neighbours = Table(
    "area_neighbours",
    db.metadata,
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
    Column("neighbour_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)


def area_key(text: str) -> str:
    """How names are compared: trimmed, single spaces, case- and accent-insensitive."""
    decomposed = unicodedata.normalize("NFKD", text)
    # Norwegian letters that do not decompose: "Ø" would otherwise never meet "O".
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("ø", "o").replace("Ø", "o").replace("æ", "ae").replace("Æ", "ae")
    return " ".join(plain.casefold().split())


class Area(OrganisationOwned, db.Model):
    """A bydel or skolekrets of one organisation."""

    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("organisation_id", "name_key"),)

    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    #: ``area_key(name)``: two areas of one organisation never differ only in case or accents.
    name_key: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    #: Other spellings ("Nordbyen", "Bydel Nord"), matched like the name.
    aliases: Mapped[StringList]
    #: An inactive area is offered nowhere new; rows that have it keep it.
    is_active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(nullable=False)
    created_at: Mapped[CreatedAt]

    __mapper_args__ = {"version_id_col": version}

    neighbours: Mapped[list[Area]] = relationship(
        secondary=area_neighbours,
        primaryjoin=lambda: Area.id == area_neighbours.c.area_id,
        secondaryjoin=lambda: Area.id == area_neighbours.c.neighbour_id,
        order_by=lambda: Area.name,
    )

    def spelling_keys(self) -> set[str]:
        """The compared forms of the name and every alias."""
        return {area_key(self.name), *(area_key(alias) for alias in self.aliases or [])}
