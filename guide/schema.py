"""Alembic run inside the app, on the app's engine: the only way the schema changes.

There is no alembic.ini: the configuration is built here, so every command uses the
database the app is configured for. Call these functions inside an app context.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from guide.extensions import db

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
#: Date-stamped file names with readable revision ids: 2026_11_26_0001_initial_schema.py.
FILE_TEMPLATE = "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s"
#: Options shared by migrations, autogenerate and the check, so they agree on what differs.
CONTEXT_OPTIONS: dict[str, Any] = {"compare_type": True, "render_as_batch": True}


class SchemaError(RuntimeError):
    """A migration left the database inconsistent."""


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, with the connection migrations/env.py runs on."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", FILE_TEMPLATE)
    config.set_main_option("truncate_slug_length", "40")
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    return config


@contextmanager
def migration_connection() -> Iterator[Connection]:
    """A connection for migrations; on SQLite, with foreign keys off while tables are rebuilt."""
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode copies a table and drops the old one; with foreign keys on, that
            # drop would cascade deletes into child tables. The pragma is ignored inside a
            # transaction, so it is set (and committed) before the migration begins.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            yield connection
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise SchemaError(f"Foreign keys broken after migrating: {broken[:5]}")
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def upgrade(revision: str = "head") -> None:
    """Migrate the app's database up to ``revision``."""
    with migration_connection() as connection, connection.begin():
        command.upgrade(alembic_config(connection), revision)


def downgrade(revision: str) -> None:
    """Migrate the app's database down to ``revision`` ("base" removes every table)."""
    with migration_connection() as connection, connection.begin():
        command.downgrade(alembic_config(connection), revision)


def current() -> str | None:
    """The revision the database is at, or None before the first migration."""
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head() -> str | None:
    """The newest revision in migrations/versions."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def pending_differences() -> list:
    """What autogenerate finds between the models and the database; empty when they agree."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=CONTEXT_OPTIONS)
        return compare_metadata(context, db.metadata)


def next_revision_id() -> str:
    """The next readable revision id: "0002" after "0001"."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    numbers = [int(rev) for rev in heads if rev.isdigit()]
    return f"{max(numbers, default=0) + 1:04d}"


def new_revision(message: str) -> Path:
    """Autogenerate a migration from the models; read and edit it before committing it."""
    with db.engine.connect() as connection:
        script = command.revision(
            alembic_config(connection),
            message=message,
            autogenerate=True,
            rev_id=next_revision_id(),
        )
    if script is None or isinstance(script, list):
        raise SchemaError("Alembic did not write exactly one revision.")
    return Path(script.path)
