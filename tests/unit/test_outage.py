"""Which database errors are outages (503, try again) and which stay failures (500)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from psycopg import errors as pg_errors
from sqlalchemy import exc as sa_exc

from guide.outage import OutageKind, database_outage

SECRET = "fnr-01017012345-do-not-leak"


def wrapped(driver_error: Exception, cls=sa_exc.OperationalError, **options) -> sa_exc.DBAPIError:
    """The error as SQLAlchemy raises it: the statement and its values ride along."""
    return cls("SELECT * FROM children WHERE name = ?", (SECRET,), driver_error, **options)


def sqlite_error(tmp_path, failing_sql: str | None) -> sqlite3.Error:
    """A real SQLite error: opening a folder as the database, or running ``failing_sql``."""
    try:
        if failing_sql is None:
            sqlite3.connect(tmp_path).execute("SELECT 1")
        else:
            connection = sqlite3.connect(tmp_path / "small.sqlite3")
            try:
                connection.executescript(failing_sql)
            finally:
                connection.close()
    except sqlite3.Error as error:
        return error
    raise AssertionError("no error raised")


FILL_THE_DISK = """
    CREATE TABLE notes (text TEXT);
    PRAGMA max_page_count = 2;
    INSERT INTO notes VALUES (printf('%.*c', 100000, 'x'));
"""


def test_sqlite_file_that_cannot_be_opened_is_an_outage(tmp_path):
    outage = database_outage(wrapped(sqlite_error(tmp_path, None)))
    assert outage is not None
    assert outage.kind is OutageKind.unavailable
    assert outage.code == "SQLITE_CANTOPEN"


def test_sqlite_disk_full_is_its_own_kind(tmp_path):
    outage = database_outage(wrapped(sqlite_error(tmp_path, FILL_THE_DISK)))
    assert outage is not None
    assert outage.kind is OutageKind.disk_full
    assert outage.code == "SQLITE_FULL"


def test_sqlite_query_bug_is_not_an_outage(tmp_path):
    assert database_outage(wrapped(sqlite_error(tmp_path, "SELECT * FROM no_such_table"))) is None


@pytest.mark.parametrize(
    "driver_error",
    [
        psycopg.OperationalError(f"connection to server failed for {SECRET}"),
        psycopg.InterfaceError("the connection is closed"),
        pg_errors.AdminShutdown("terminating connection due to administrator command"),
        pg_errors.CannotConnectNow("the database system is starting up"),
        pg_errors.TooManyConnections("sorry, too many clients already"),
    ],
)
def test_postgresql_connection_failures_are_outages(driver_error):
    outage = database_outage(wrapped(driver_error))
    assert outage is not None
    assert outage.kind is OutageKind.unavailable


def test_postgresql_disk_full_is_its_own_kind():
    outage = database_outage(wrapped(pg_errors.DiskFull("could not extend file")))
    assert outage is not None
    assert outage.kind is OutageKind.disk_full
    assert outage.code == "53100"


@pytest.mark.parametrize(
    ("driver_error", "cls"),
    [
        (pg_errors.UniqueViolation("duplicate key"), sa_exc.IntegrityError),
        (pg_errors.SerializationFailure("could not serialize access"), sa_exc.OperationalError),
        (pg_errors.UndefinedTable("relation does not exist"), sa_exc.ProgrammingError),
    ],
)
def test_postgresql_errors_about_the_query_are_not_outages(driver_error, cls):
    assert database_outage(wrapped(driver_error, cls)) is None


def test_an_invalidated_connection_is_an_outage_whatever_the_driver():
    error = wrapped(RuntimeError("gone"), sa_exc.DBAPIError, connection_invalidated=True)
    assert database_outage(error) is not None


def test_pool_waiting_in_vain_is_an_outage():
    assert database_outage(sa_exc.TimeoutError("QueuePool limit reached")) is not None


def test_a_failed_rollback_after_a_lost_connection_is_still_the_outage():
    try:
        try:
            raise wrapped(pg_errors.AdminShutdown("terminating connection"))
        except sa_exc.OperationalError:
            raise sa_exc.ResourceClosedError("This Connection is closed") from None
    except sa_exc.ResourceClosedError as error:
        rollback_failure = error
    # ``from None`` only hides the context from tracebacks; it is still there.
    assert database_outage(rollback_failure) is not None


@pytest.mark.parametrize("error", [None, ValueError(SECRET), sa_exc.InvalidRequestError("bug")])
def test_other_errors_are_not_outages(error):
    assert database_outage(error) is None


def test_log_fields_name_the_classes_and_code_never_the_message():
    outage = database_outage(wrapped(pg_errors.AdminShutdown(f"terminating {SECRET}")))
    assert outage is not None
    fields = outage.log_fields()
    assert fields == (
        "error=sqlalchemy.exc.OperationalError driver_error=psycopg.errors.AdminShutdown code=57P01"
    )
    assert SECRET not in fields
