"""Shared fixtures: an app on a migrated test database, emptied after every test.

The suite runs on SQLite by default. With ``FRITIDSGUIDE_TEST_DATABASE=postgresql``
it creates its own PostgreSQL database (named per run) and drops it at the end, so
runs never see each other's data. ``FRITIDSGUIDE_TEST_PG_URL`` names the server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, inspect, text

from guide import create_app
from guide.crypto.keyring import Keyring
from guide.extensions import db as _db
from tests.html_checker import NuChecker

PG_SERVER_URL = os.environ.get(
    "FRITIDSGUIDE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def uses_postgresql() -> bool:
    return os.environ.get("FRITIDSGUIDE_TEST_DATABASE", "sqlite") == "postgresql"


#: One keyring for the whole run, as one installation has: every app a test builds can read
#: what another wrote, and matches the check values another recorded in the shared database.
TEST_KEYRING = Keyring.generate().to_json()


def settings_for_tests(database_url: str, **overrides: object) -> dict[str, object]:
    """Settings for a test app: the run's keys, cheap password hashing, no demo mode."""
    settings: dict[str, object] = {
        "environment": "test",
        "demo_mode": False,
        "secret_key": "test-secret-key-not-for-production",
        "keyring": TEST_KEYRING,
        "database_url": database_url,
        "redis_url": "",
        "rate_limits_enabled": False,
        "password_time_cost": 1,
        "password_memory_kib": 8,
        "password_parallelism": 1,
        "smtp_port": 0,
    }
    settings.update(overrides)
    return settings


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not uses_postgresql():
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    with TemporaryPostgresDatabase() as url:
        yield url


class TemporaryPostgresDatabase:
    """A throw-away PostgreSQL database: ``with TemporaryPostgresDatabase() as url``."""

    def __init__(self) -> None:
        self.name = f"fritidsguide_test_{uuid.uuid4().hex[:12]}"
        self.server = create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT")

    def __enter__(self) -> str:
        with self.server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
            # A throw-away database need not survive a crash: a commit returns without
            # waiting for the disk. What other sessions see, and when, stays the same.
            connection.execute(text(f'ALTER DATABASE "{self.name}" SET synchronous_commit TO off'))
        return PG_SERVER_URL.rsplit("/", 1)[0] + "/" + self.name

    def __exit__(self, *exc_info: object) -> None:
        with self.server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.server.dispose()


class IsolatedClient(FlaskClient):
    """Each request gets a fresh app context, as in production.

    Tests hold an app context open (for ``db.session``); without this, requests would
    reuse it and share ``g`` (and the database session) with the test and each other.
    """

    def open(self, *args, **kwargs):
        # Contexts kept after a request would be popped out of order by the next one.
        self.preserve_context = False
        test_session = _db.session if has_app_context() else None
        if test_session is not None:
            # What the test wrote is visible to the request, and the test's transaction
            # does not hold an old snapshot (SQLite refuses writes from a stale snapshot).
            test_session.commit()
        with self.application.app_context():
            kwargs.setdefault("buffered", True)
            response = super().open(*args, **kwargs)
        if test_session is not None:
            test_session.expire_all()  # the test sees what the request changed
        return response


@pytest.fixture(scope="session")
def app(database_url: str):
    from guide.schema import upgrade

    application = create_app(settings_for_tests(database_url))
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables_after_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts with empty tables (only when it used the app)."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        empty_all_tables()


def empty_all_tables() -> None:
    """Delete every row of every table (inside an app context)."""
    _db.session.remove()
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # The audit log's trigger refuses DELETE (docs/security.md); as a superuser,
            # this cleanup alone turns triggers off, for its own transaction only.
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(_db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def db(app):
    """The SQLAlchemy extension, inside an app context."""
    with app.app_context():
        yield _db
        _db.session.remove()


@pytest.fixture
def client_for(app):
    """``client_for(user)``: a test client of its own for each person, signed in once."""
    from tests.web.helpers import sign_in

    def open_as(user):
        client = app.test_client()
        assert sign_in(client, user.email).status_code == 302
        return client

    return open_as


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> None:
    """Compile the catalogues (the .mo files are git-ignored) so pages render translated."""
    from guide.i18n import compile_catalogues

    compile_catalogues(Path(__file__).resolve().parent.parent / "translations")


@pytest.fixture
def make_app(database_url: str):
    """Build extra apps (``make_app(demo_mode=True)``) whose connections close after the test."""
    from flask import Flask

    built: list[Flask] = []
    on_shared_database: list[Flask] = []

    def build(**overrides: object) -> Flask:
        url = str(overrides.pop("database_url", database_url))
        application = create_app(settings_for_tests(url, **overrides))
        built.append(application)
        if url == database_url:
            on_shared_database.append(application)
        return application

    yield build
    if has_app_context():
        _db.session.remove()  # the test's own transaction must not hold the write lock
    if on_shared_database:
        forget_key_checks(on_shared_database[0])
    for application in built:
        with application.app_context():
            _db.engine.dispose()


def forget_key_checks(application) -> None:
    """Empty key_checks, which an app's start-up fills, as if the database were new."""
    from guide.crypto.models import KeyCheck

    with application.app_context(), _db.engine.begin() as connection:
        if inspect(connection).has_table(KeyCheck.__tablename__):
            connection.execute(KeyCheck.__table__.delete())


@pytest.fixture(scope="session")
def html_checker() -> Iterator[NuChecker]:
    """The W3C Nu HTML checker, one Java process for the whole run (tests/html_checker.py)."""
    checker = NuChecker()
    checker.start()
    yield checker
    checker.stop()
