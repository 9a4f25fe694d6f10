"""The Norwegian calendar day, and moving a date by whole months as follow-ups count them."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from guide.dates import add_months, local_date, start_of_local_day
from guide.settings import Settings


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 15), 3, dt.date(2027, 2, 15)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2023, 11, 15), 36, dt.date(2026, 11, 15)),
        (dt.date(2026, 12, 1), 1, dt.date(2027, 1, 1)),
    ],
)
def test_adding_months_keeps_the_day_or_takes_the_last_of_a_short_month(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2025, 3, 31), -1, dt.date(2025, 2, 28)),
        (dt.date(2026, 1, 15), -1, dt.date(2025, 12, 15)),
        (dt.date(2029, 11, 30), -37, dt.date(2026, 10, 30)),
    ],
)
def test_negative_months_go_back_across_year_ends(start, months, expected):
    assert add_months(start, months) == expected


def test_zero_months_is_the_same_day():
    assert add_months(dt.date(2024, 2, 29), 0) == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("moment", "oslo_day"),
    [
        # Winter (UTC+1): 23:30 UTC on 9 March is already 00:30 on 10 March in Oslo.
        (dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC), dt.date(2026, 3, 10)),
        (dt.datetime(2026, 3, 9, 22, 59, tzinfo=dt.UTC), dt.date(2026, 3, 9)),
        # Summer (UTC+2): from 22:00 UTC it is the next day in Oslo.
        (dt.datetime(2026, 6, 30, 22, 0, tzinfo=dt.UTC), dt.date(2026, 7, 1)),
        (dt.datetime(2026, 12, 31, 23, 0, tzinfo=dt.UTC), dt.date(2027, 1, 1)),
    ],
)
def test_the_day_is_the_norwegian_calendar_day_not_the_utc_one(moment, oslo_day):
    assert local_date(moment) == oslo_day


def test_today_after_midnight_in_oslo_is_already_tomorrow_while_utc_is_still_today(monkeypatch):
    late_evening_utc = dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC)
    monkeypatch.setattr("guide.dates.utcnow", lambda: late_evening_utc)

    assert late_evening_utc.date() == dt.date(2026, 3, 9)
    assert local_date() == dt.date(2026, 3, 10)


def test_the_day_follows_the_time_zone_in_the_settings():
    app = Flask(__name__)
    app.extensions["fritidsguide.settings"] = Settings(timezone="America/New_York")
    moment = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)

    assert local_date(moment) == dt.date(2026, 3, 10)  # outside the app: Oslo
    with app.app_context():
        assert local_date(moment) == dt.date(2026, 3, 9)


def test_a_day_starts_at_midnight_in_oslo():
    start = start_of_local_day(dt.date(2026, 3, 10))

    assert start.astimezone(dt.UTC) == dt.datetime(2026, 3, 9, 23, 0, tzinfo=dt.UTC)
    assert local_date(start) == dt.date(2026, 3, 10)
    assert local_date(start - dt.timedelta(microseconds=1)) == dt.date(2026, 3, 9)
