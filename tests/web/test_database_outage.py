"""With the database out, every page answers "temporarily unavailable" (503) in the visitor's
language, the log gets one line without values, and the app is back by itself afterwards.

The real outages run on the app's own throw-away database: a SQLite file taken away, a
PostgreSQL database refusing connections, a SQLite disk that fills up. The rest raise an
outage at each point of a request where one can surface.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from guide.cases.models import Visit
from guide.dates import local_date
from guide.extensions import csrf
from guide.extensions import db as _db
from guide.schema import upgrade
from tests import factories
from tests.conftest import (
    PG_SERVER_URL,
    IsolatedClient,
    TemporaryPostgresDatabase,
    uses_postgresql,
)
from tests.factories import PASSWORD
from tests.web.helpers import csrf_token, signed_in_as

SECRET = "fnr-01017012345-do-not-leak"
UNAVAILABLE = {
    "nb": "Fritidsguide er midlertidig utilgjengelig",
    "en": "Fritidsguide is temporarily unavailable",
}
DISK_FULL_NB = "Ingenting ble lagret"
#: What the drivers' own messages say; none of it may reach the log.
DRIVER_WORDS = ("unable to open", "not currently accepting", "terminating", "disk is full")
RECOVERY_SECONDS = 5

sqlite_only = pytest.mark.skipif(uses_postgresql(), reason="a SQLite file's outage")
postgresql_only = pytest.mark.skipif(not uses_postgresql(), reason="a PostgreSQL server's outage")


def production_like(application: Flask) -> Flask:
    """Requests in their own contexts, and failures answered by the app as in production."""
    application.test_client_class = IsolatedClient
    application.config["PROPAGATE_EXCEPTIONS"] = False
    return application


def assert_unavailable(response, language: str = "nb") -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert f'<html lang="{language}"' in response.text
    assert UNAVAILABLE[language] in response.text


def assert_outage_logged_without_details(caplog) -> None:
    lines = [record for record in caplog.records if "Database unavailable" in record.getMessage()]
    assert lines, "the outage was not logged"
    assert all(record.exc_info is None for record in caplog.records)
    assert "Traceback" not in caplog.text
    assert SECRET not in caplog.text
    for words in DRIVER_WORDS:
        assert words not in caplog.text


# -- real outages --------------------------------------------------------------------------


@pytest.fixture
def sqlite_app(make_app, tmp_path) -> tuple[Flask, Path]:
    path = tmp_path / "outage.sqlite3"
    path.touch()  # there at start-up, as a production database is
    application = production_like(make_app(database_url=f"sqlite:///{path}"))
    with application.app_context():
        upgrade()
    return application, path


@pytest.fixture
def postgres_app(make_app) -> Iterator[tuple[Flask, str]]:
    database = TemporaryPostgresDatabase()
    with database as url:
        application = production_like(make_app(database_url=url))
        with application.app_context():
            upgrade()
        yield application, database.name
        with application.app_context():
            _db.engine.dispose()


@contextmanager
def sqlite_file_away(application: Flask, path: Path, replaced_by: str) -> Iterator[None]:
    # Connections already open keep the file they opened; closing them makes the app meet
    # the outage at once, as a worker that opens a new connection would.
    with application.app_context():
        _db.engine.dispose()
    away = path.with_name(path.name + ".away")
    path.rename(away)
    if replaced_by == "folder":
        path.mkdir()
    yield
    if replaced_by == "folder":
        path.rmdir()
    away.rename(path)


@contextmanager
def postgresql_refusing_connections(database: str) -> Iterator[None]:
    server = create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false'))
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :database AND pid <> pg_backend_pid()"
                ),
                {"database": database},
            )
        yield
    finally:
        with server.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))
        server.dispose()


def visitor_and_member(application: Flask):
    """An anonymous visitor, and a coordinator signed in who has not chosen a language."""
    visitor, member = application.test_client(), application.test_client()
    with application.app_context():
        account = signed_in_as(member, factories.organisation(), "coordinator")
        visitor.email = account.email
    assert member.get("/cases").status_code == 200
    return visitor, member


def assert_every_kind_of_page_unavailable(visitor, member, outage) -> None:
    sign_in_token = csrf_token(visitor.get("/sign-in").text)
    member_token = csrf_token(member.get("/cases").text)
    with outage:
        # A public page, in the default language and in the browser's.
        assert_unavailable(visitor.get("/aktiviteter"), "nb")
        assert_unavailable(visitor.get("/aktiviteter", headers={"Accept-Language": "en"}), "en")
        # A form that reads (sign-in), sent by an anonymous visitor.
        sign_in = {"email": visitor.email, "password": PASSWORD, "csrf_token": sign_in_token}
        assert_unavailable(visitor.post("/sign-in", data=sign_in), "nb")
        # Signed in: finding the language must not load the user (a query).
        assert_unavailable(member.get("/cases"), "nb")
        assert_unavailable(member.get("/cases", headers={"Accept-Language": "en"}), "en")
        # The switcher on the page works without the database, and its choice wins.
        switch = {"locale": "en", "next": "/cases", "csrf_token": member_token}
        assert member.post("/language", data=switch).status_code == 302
        assert_unavailable(member.get("/cases", headers={"Accept-Language": "nb"}), "en")
        # An error page of its own would load the user for its frame: the outage wins.
        assert_unavailable(member.get("/no-such-page"), "en")
        assert_unavailable(member.post("/sign-out", data={"csrf_token": member_token}), "en")


def assert_back_within_seconds(visitor, member) -> None:
    deadline = time.monotonic() + RECOVERY_SECONDS
    while (response := member.get("/cases")).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert response.status_code == 200  # still signed in, and the page works
    assert visitor.get("/aktiviteter").status_code == 200


@sqlite_only
@pytest.mark.parametrize("replaced_by", ["nothing", "folder"])
def test_sqlite_file_gone_gives_503_in_the_visitors_language_then_recovers(
    sqlite_app, replaced_by, caplog
):
    application, path = sqlite_app
    visitor, member = visitor_and_member(application)
    caplog.set_level(logging.INFO)
    assert_every_kind_of_page_unavailable(
        visitor, member, sqlite_file_away(application, path, replaced_by)
    )
    assert not path.with_name(path.name + ".away").exists()
    assert_back_within_seconds(visitor, member)
    assert_outage_logged_without_details(caplog)
    assert "code=SQLITE_CANTOPEN" in caplog.text


@postgresql_only
def test_postgresql_refusing_connections_gives_503_in_the_visitors_language_then_recovers(
    postgres_app, caplog
):
    application, database = postgres_app
    visitor, member = visitor_and_member(application)
    caplog.set_level(logging.INFO)
    assert_every_kind_of_page_unavailable(
        visitor, member, postgresql_refusing_connections(database)
    )
    assert_back_within_seconds(visitor, member)
    assert_outage_logged_without_details(caplog)
    assert "driver_error=psycopg.OperationalError" in caplog.text


@sqlite_only
def test_sqlite_disk_full_says_nothing_was_saved_and_logs_the_cause(sqlite_app, caplog):
    application, _path = sqlite_app
    client = application.test_client()
    with application.app_context():
        org = factories.organisation()
        guide = signed_in_as(client, org, "guide")
        case = factories.child_case(org, guide=guide, status="guide_assigned")
        _db.session.commit()
        visit_path = f"/cases/{case.id}/visits/new"
        engine = _db.engine
    visit = {
        "kind": "home_visit",
        "occurred_on": local_date().isoformat(),
        "duration_minutes": "45",
        "notes": f"{SECRET} " + "ø" * 4900,  # needs new pages: more than one page holds
        "csrf_token": csrf_token(client.get(visit_path).text),
    }

    def no_room_to_grow(connection, _record) -> None:
        (pages,) = connection.execute("PRAGMA page_count").fetchone()
        connection.execute(f"PRAGMA max_page_count = {pages}")

    caplog.set_level(logging.INFO)
    event.listen(engine, "connect", no_room_to_grow)
    engine.dispose()  # every connection from now on has the limit
    try:
        response = client.post(visit_path, data=visit)
    finally:
        event.remove(engine, "connect", no_room_to_grow)
        engine.dispose()

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert DISK_FULL_NB in response.text
    full = [r for r in caplog.records if "Database disk full" in r.getMessage()]
    assert len(full) == 1
    assert "code=SQLITE_FULL" in full[0].getMessage()
    assert "endpoint=cases.log_visit_view" in full[0].getMessage()
    assert all(record.exc_info is None for record in caplog.records)
    assert "Traceback" not in caplog.text
    assert SECRET not in caplog.text and "ø" not in caplog.text
    for words in DRIVER_WORDS:
        assert words not in caplog.text
    with application.app_context():
        assert _db.session.scalar(select(func.count(Visit.id))) == 0
    # Room again: the same visit is saved.
    assert client.post(visit_path, data=visit).status_code == 302


# -- an outage at each point of a request --------------------------------------------------


def lost_connection() -> sa_exc.OperationalError:
    """As SQLAlchemy raises it when the server is gone: values in the statement and message."""
    return sa_exc.OperationalError(
        "SELECT * FROM children WHERE fnr = %(fnr)s",
        {"fnr": SECRET},
        psycopg.OperationalError(f"server closed the connection reading {SECRET}"),
    )


@pytest.fixture
def fragile_app(make_app) -> Flask:
    """An app whose pages meet an outage in the view, a hook, or the commit after the view."""
    application = production_like(make_app())
    fail_in = application.config.setdefault("FAIL_IN", set())

    @application.before_request
    def before() -> None:
        if "before_request" in fail_in:
            raise lost_connection()

    @application.after_request
    def after(response):
        if "after_request" in fail_in:
            raise lost_connection()
        return response

    @application.route("/work", methods=["GET", "POST"])
    @csrf.exempt
    def work():
        if "view" in fail_in:
            raise lost_connection()
        if "query_bug" in fail_in:
            raise sa_exc.ProgrammingError("SELECT nonsense", {}, psycopg.errors.UndefinedTable())
        return "done"

    return application


@pytest.mark.parametrize("point", ["view", "before_request", "after_request"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_outage_anywhere_in_the_request_gives_the_503_page(fragile_app, caplog, point, method):
    fragile_app.config["FAIL_IN"].add(point)
    caplog.set_level(logging.INFO)
    response = fragile_app.test_client().open("/work", method=method)
    assert_unavailable(response)
    assert response.headers["Content-Language"] == "nb"
    assert SECRET not in response.text
    assert_outage_logged_without_details(caplog)
    request_id = response.headers["X-Request-ID"]
    assert f"Database unavailable: request_id={request_id} endpoint=work" in caplog.text


def test_commit_after_the_view_failing_and_its_rollback_failing_too_gives_503(
    fragile_app, caplog, monkeypatch
):
    """The request's one commit meets the outage, the rollback after it fails as well, and
    so does letting go of the session's connections: still the page, still one clean line."""

    def unit_of_work() -> object:
        try:
            result = Flask.dispatch_request(fragile_app)
            _db.session.commit()
            return result
        except Exception:
            _db.session.rollback()
            raise

    def fail_commit(self) -> None:
        raise lost_connection()

    def fail_rollback(self) -> None:
        raise sa_exc.ResourceClosedError(f"This Connection is closed ({SECRET})")

    def fail_invalidate(self) -> None:
        raise sa_exc.InterfaceError(None, None, psycopg.InterfaceError(SECRET))

    monkeypatch.setattr(fragile_app, "dispatch_request", unit_of_work)
    monkeypatch.setattr(Session, "commit", fail_commit)
    monkeypatch.setattr(Session, "rollback", fail_rollback)
    monkeypatch.setattr(Session, "invalidate", fail_invalidate)
    caplog.set_level(logging.INFO)
    response = fragile_app.test_client().post("/work", headers={"Accept-Language": "en"})
    assert_unavailable(response, "en")
    assert_outage_logged_without_details(caplog)
    assert "Discarding the request's connections failed: InterfaceError" in caplog.text


def test_a_query_bug_is_still_a_500_not_an_outage(fragile_app, caplog):
    fragile_app.config["FAIL_IN"].add("query_bug")
    caplog.set_level(logging.INFO)
    response = fragile_app.test_client().get("/work")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert "Unhandled error in endpoint work: ProgrammingError" in caplog.text
    assert "Database unavailable" not in caplog.text


def test_if_the_page_itself_cannot_be_built_a_plain_503_still_answers(
    fragile_app, caplog, monkeypatch
):
    from guide.web import unavailable

    def broken_template(title: str, message: str) -> str:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(unavailable, "_page", broken_template)
    fragile_app.config["FAIL_IN"].add("view")
    caplog.set_level(logging.INFO)
    response = fragile_app.test_client().get("/work", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.mimetype == "text/plain"
    assert UNAVAILABLE["en"] in response.text
    assert "The unavailable page could not be rendered: RuntimeError" in caplog.text
    assert SECRET not in caplog.text
