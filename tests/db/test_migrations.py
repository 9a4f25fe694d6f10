"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from guide import create_app, schema
from guide.extensions import db as _db
from tests.conftest import TemporaryPostgresDatabase, settings_for_tests, uses_postgresql

MIGRATION_FILE = re.compile(r"^(\d{4})_(\d{2})_(\d{2})_(\d{4})_[a-z0-9_]+\.py$")


@pytest.fixture
def fresh_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on a new, empty database of the suite's kind."""
    if uses_postgresql():
        with TemporaryPostgresDatabase() as url:
            application = create_app(settings_for_tests(url))
            yield application
            with application.app_context():
                _db.engine.dispose()
        return
    application = create_app(settings_for_tests(f"sqlite:///{tmp_path / 'fresh.sqlite3'}"))
    yield application
    with application.app_context():
        _db.engine.dispose()


def table_names() -> set[str]:
    return set(inspect(_db.engine).get_table_names()) - {"alembic_version"}


def test_models_and_migrations_agree(app):
    with app.app_context():
        assert schema.current() == schema.head()
        assert schema.pending_differences() == []


def test_starting_the_app_creates_no_tables(fresh_app):
    with fresh_app.app_context():
        assert table_names() == set()
        assert schema.current() is None


def test_upgrade_downgrade_upgrade_on_a_fresh_database(fresh_app):
    with fresh_app.app_context():
        model_tables = set(_db.metadata.tables)
        assert schema.pending_differences() != []  # nothing is there yet

        schema.upgrade()
        assert schema.current() == schema.head()
        assert table_names() == model_tables

        schema.downgrade("base")
        assert schema.current() is None
        assert table_names() == set()

        schema.upgrade()
        assert table_names() == model_tables
        assert schema.pending_differences() == []


def test_foreign_keys_are_enforced_after_migrating(fresh_app):
    # On SQLite the migration turns foreign keys off while it runs; they must come back on.
    with fresh_app.app_context():
        schema.upgrade()
        with pytest.raises(IntegrityError), _db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO recovery_codes (id, user_id, code_hash) VALUES (:id, :user, 'x')"
                ),
                {"id": uuid.uuid4().hex, "user": uuid.uuid4().hex},
            )


def test_check_command_fails_when_the_database_differs_from_the_models(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["db", "check"]).exit_code != 0  # not migrated yet

    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    agreed = runner.invoke(args=["db", "check"])
    assert agreed.exit_code == 0, agreed.output

    with fresh_app.app_context(), _db.engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_visits_case_occurred"))
    differs = runner.invoke(args=["db", "check"])
    assert differs.exit_code != 0
    assert "ix_visits_case_occurred" in differs.output


def test_current_and_downgrade_commands(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["db", "upgrade"])
    with fresh_app.app_context():
        head = schema.head()
    assert head in runner.invoke(args=["db", "current"]).output

    assert runner.invoke(args=["db", "downgrade", "base"]).exit_code == 0
    with fresh_app.app_context():
        assert schema.current() is None


def test_downgrade_takes_one_step_back_as_an_operator_types_it(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["db", "upgrade"])
    with fresh_app.app_context():
        head = schema.head()
        previous = ScriptDirectory.from_config(schema.alembic_config()).get_revision(head)
        assert previous is not None

    result = runner.invoke(args=["db", "downgrade", "-1"])

    assert result.exit_code == 0, result.output
    with fresh_app.app_context():
        assert schema.current() == previous.down_revision
    assert runner.invoke(args=["db", "downgrade", "--help"]).exit_code == 0


def test_migration_files_are_date_stamped_with_readable_revision_ids():
    versions = schema.MIGRATIONS_DIR / "versions"
    files = sorted(path.name for path in versions.glob("*.py"))
    assert files, "no migrations found"
    for name in files:
        match = MIGRATION_FILE.match(name)
        assert match, f"{name} does not look like 2026_11_26_0001_what_it_does.py"
        source = (versions / name).read_text()
        assert f'revision: str = "{match.group(4)}"' in source, name


def test_new_revision_gets_the_next_number_and_a_dated_name(fresh_app, tmp_path, monkeypatch):
    copy = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", copy)
    with fresh_app.app_context():
        schema.upgrade()
        previous = schema.head()
        path = schema.new_revision("Add nothing yet")
        assert schema.head() == f"{int(previous) + 1:04d}"
    assert MIGRATION_FILE.match(path.name)
    assert path.name.endswith(f"_{schema.head()}_add_nothing_yet.py")
    assert f'down_revision: str | None = "{previous}"' in path.read_text().replace("'", '"')
