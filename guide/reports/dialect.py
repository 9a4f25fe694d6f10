"""Date arithmetic that reads the same on SQLite and PostgreSQL.

Figures count calendar days and months in UTC, the zone timestamps are stored in, so both
databases agree to the day. PostgreSQL's ``timestamptz`` is first turned into UTC wall
time; SQLite already stores UTC text that its date functions read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Integer, cast, func, literal, literal_column
from sqlalchemy.sql.elements import ColumnElement

from guide.database import UTCDateTime

#: Constants written into the SQL, not bound: PostgreSQL only matches a GROUP BY expression
#: to the selected one when both are the same text, and each bound value is a new parameter.
_UTC = literal_column("'UTC'")
_MONTH_FORMAT = {"postgresql": literal_column("'YYYY-MM'"), "sqlite": literal_column("'%Y-%m'")}


def _is_timestamp(expression: ColumnElement[Any]) -> bool:
    return isinstance(expression.type, UTCDateTime)


def as_expression(value: ColumnElement[Any] | dt.date) -> ColumnElement[Any]:
    """A column as it is, or a Python date as a bound date parameter."""
    if isinstance(value, dt.date):
        return literal(value, Date)
    return value


def utc_day(dialect: str, value: ColumnElement[Any] | dt.date) -> ColumnElement[Any]:
    """The calendar day (UTC) of a timestamp column, a date column or a Python date."""
    expression = as_expression(value)
    if dialect == "postgresql":
        if _is_timestamp(expression):
            expression = func.timezone(_UTC, expression)
        return cast(expression, Date)
    return func.date(expression)


def days_between(
    dialect: str, later: ColumnElement[Any] | dt.date, earlier: ColumnElement[Any] | dt.date
) -> ColumnElement[int]:
    """Whole calendar days from ``earlier`` to ``later`` (negative when later is earlier)."""
    if dialect == "postgresql":
        return utc_day(dialect, later) - utc_day(dialect, earlier)
    return cast(
        func.julianday(utc_day(dialect, later)) - func.julianday(utc_day(dialect, earlier)),
        Integer,
    )


def month_of(dialect: str, value: ColumnElement[Any]) -> ColumnElement[str]:
    """The month of a timestamp or date column as ``YYYY-MM`` text (UTC)."""
    if dialect == "postgresql":
        expression = func.timezone(_UTC, value) if _is_timestamp(value) else value
        return func.to_char(expression, _MONTH_FORMAT[dialect])
    return func.strftime(_MONTH_FORMAT["sqlite"], value)
