"""Telling a database outage apart from a bug: the database is unreachable, busy or full.

An outage is not the app's fault and passes by itself or by an operator's hand, so the
web layer answers 503 with ``Retry-After`` instead of 500. A bug in a query (a missing
table, a broken constraint) stays an unhandled error. Nothing here reads an exception's
message, which may hold the values of the statement that failed.
"""

from __future__ import annotations

import enum
import sqlite3
from dataclasses import dataclass

import psycopg
from sqlalchemy import exc as sa_exc

#: SQLite result codes (primary, the low byte) meaning the file cannot be used just now.
SQLITE_UNAVAILABLE = frozenset(
    {
        3,  # SQLITE_PERM
        5,  # SQLITE_BUSY
        6,  # SQLITE_LOCKED
        8,  # SQLITE_READONLY
        10,  # SQLITE_IOERR
        14,  # SQLITE_CANTOPEN
    }
)
SQLITE_FULL = 13
#: SQLSTATE classes in which PostgreSQL cannot serve now: connection exception,
#: insufficient resources (disk, memory, connections), operator intervention (shutdown).
POSTGRESQL_UNAVAILABLE_CLASSES = ("08", "53", "57")
POSTGRESQL_DISK_FULL = "53100"
#: SQLAlchemy's code for "can't reconnect until invalid transaction is rolled back".
RECONNECT_PENDING_CODE = "8s2b"


class OutageKind(enum.StrEnum):
    unavailable = "unavailable"
    disk_full = "disk_full"


@dataclass(frozen=True)
class Outage:
    """What the log may say about an outage: its kind and exception classes, no message."""

    kind: OutageKind
    error_class: str
    #: The database driver's exception class beneath SQLAlchemy's, if any.
    driver_class: str | None = None
    #: The driver's error code (``SQLITE_FULL``, SQLSTATE ``57P01``): names a cause, no value.
    code: str | None = None

    def log_fields(self) -> str:
        fields = [f"error={self.error_class}"]
        if self.driver_class:
            fields.append(f"driver_error={self.driver_class}")
        if self.code:
            fields.append(f"code={self.code}")
        return " ".join(fields)


def database_outage(error: BaseException | None) -> Outage | None:
    """The outage behind ``error`` or any exception it was raised from, else None.

    The chain matters: a rollback that fails after a failed commit raises its own error
    "during handling of" the first.
    """
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        kind = _outage_kind(error)
        if kind is not None:
            return _describe(error, kind)
        error = error.__cause__ or error.__context__
    return None


def _outage_kind(error: BaseException) -> OutageKind | None:
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return OutageKind.unavailable
        return _driver_outage_kind(error.orig)
    if isinstance(error, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return OutageKind.unavailable  # a dead connection, or the pool waited in vain for one
    if isinstance(error, sa_exc.PendingRollbackError):
        return OutageKind.unavailable if error.code == RECONNECT_PENDING_CODE else None
    return _driver_outage_kind(error)


def _driver_outage_kind(error: BaseException | None) -> OutageKind | None:
    if isinstance(error, sqlite3.Error):
        code = (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF
        if code == SQLITE_FULL:
            return OutageKind.disk_full
        return OutageKind.unavailable if code in SQLITE_UNAVAILABLE else None
    if isinstance(error, psycopg.InterfaceError):
        return OutageKind.unavailable
    if isinstance(error, psycopg.Error):
        sqlstate = error.sqlstate
        if sqlstate == POSTGRESQL_DISK_FULL:
            return OutageKind.disk_full
        if sqlstate is None:
            # Raised by the client, not the server: the connection failed or was lost.
            return OutageKind.unavailable if isinstance(error, psycopg.OperationalError) else None
        return OutageKind.unavailable if sqlstate[:2] in POSTGRESQL_UNAVAILABLE_CLASSES else None
    return None


def _describe(error: BaseException, kind: OutageKind) -> Outage:
    driver_error = error.orig if isinstance(error, sa_exc.DBAPIError) else None
    return Outage(
        kind=kind,
        error_class=_class_name(error),
        driver_class=_class_name(driver_error) if driver_error is not None else None,
        code=_driver_code(driver_error if driver_error is not None else error),
    )


def _driver_code(error: BaseException) -> str | None:
    if isinstance(error, sqlite3.Error):
        return getattr(error, "sqlite_errorname", None)
    if isinstance(error, psycopg.Error):
        return error.sqlstate
    return None


def _class_name(error: BaseException) -> str:
    cls = type(error)
    return f"{cls.__module__}.{cls.__qualname__}"
