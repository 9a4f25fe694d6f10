"""Alembic environment: runs on the connection guide.schema hands over (no alembic.ini)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Enum

import guide.models  # noqa: F401  (every table on the metadata)
from guide.database import UTCDateTime
from guide.extensions import db
from guide.schema import CONTEXT_OPTIONS


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write plain SQLAlchemy types into new migrations, so old ones never import app code."""
    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, Enum) and not obj.native_enum:
        # StrEnum columns are plain strings; Python checks the values.
        return f"sa.String(length={obj.length})"
    return False


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("Run migrations through guide.schema or `flask db`, not bare alembic.")
    context.configure(
        connection=connection,
        target_metadata=db.metadata,
        render_item=render_item,
        **CONTEXT_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("Offline (SQL script) mode is not supported.")
run_migrations()
