"""Declarative base, shared column types and time helpers for every model."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import TYPE_CHECKING, Annotated, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Enum,
    ForeignKey,
    MetaData,
    String,
    TypeDecorator,
)
from sqlalchemy.ext.mutable import MutableList
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

if TYPE_CHECKING:
    from guide.tenant import Organisation

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """Timestamps stored in UTC and always handed back timezone-aware, on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use guide.database.utcnow()")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


#: Primary keys are UUIDs made in Python, so encrypted values can be bound to the row at once.
uuid_pk = Annotated[uuid.UUID, mapped_column(primary_key=True, default=uuid.uuid4)]
#: Money is always whole øre.
Money = Annotated[int, mapped_column(BigInteger)]
Timestamp = Annotated[dt.datetime, mapped_column(UTCDateTime)]
CreatedAt = Annotated[dt.datetime, mapped_column(UTCDateTime, default=utcnow)]
ShortText = Annotated[str, mapped_column(String(200))]
#: Hex HMAC-SHA256 from guide.crypto.BlindIndex.
BlindIndexDigest = Annotated[str, mapped_column(String(64))]
#: The tenant of a row; screens always filter on it first.
OrganisationId = Annotated[
    uuid.UUID, mapped_column(ForeignKey("organisations.id"), index=True, nullable=False)
]


class OrganisationOwned:
    """Mixin for rows that belong to one organisation (the tenant)."""

    organisation_id: Mapped[OrganisationId]

    @declared_attr
    def organisation(cls) -> Mapped[Organisation]:
        # Also makes one flush insert a new organisation before the rows pointing at it.
        return relationship("Organisation")


#: An optional reference to the staff member who did something; kept if the user goes.
ActorId = Annotated[
    uuid.UUID | None, mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
]
#: A list of plain strings (tags, languages, categories); in-place changes are tracked.
StringList = Annotated[list[str], mapped_column(MutableList.as_mutable(JSON), default=list)]


def str_enum(enum_cls: type[enum.StrEnum]) -> Enum:
    """A StrEnum stored as its values in VARCHAR(32): no database enum type, no CHECK."""
    # Python validates the values. Without a CHECK constraint, adding a member needs no
    # migration (SQLite would rebuild the table), and autogenerate, which cannot compare
    # CHECK constraints, has nothing it would silently miss.
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    """Every model: a UUID primary key made in Python, and keyword construction."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    id: Mapped[uuid_pk]

    def __init__(self, **fields: Any) -> None:
        # The id comes first: encrypted attributes bind their value to it.
        self.id = fields.pop("id", None) or uuid.uuid4()
        for name, value in fields.items():
            if not hasattr(type(self), name):
                raise TypeError(f"{type(self).__name__} has no attribute {name!r}")
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"
