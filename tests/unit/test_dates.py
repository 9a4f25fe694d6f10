"""Moving a date by whole months, as follow-ups and police certificates count them."""

from __future__ import annotations

import datetime as dt

import pytest

from guide.dates import add_months


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
