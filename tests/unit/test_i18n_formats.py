"""Money and dates in the formats Norwegian readers expect (Babel, no floats)."""

from __future__ import annotations

import datetime as dt

import pytest

from guide.i18n import (
    format_date,
    format_date_long,
    format_datetime,
    format_money,
    text_direction,
)

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("ore", "expected"),
    [
        (0, "0,00 kr"),
        (10, "0,10 kr"),
        (125050, "1 250,50 kr"),
        (123456789, "1 234 567,89 kr"),
    ],
)
def test_money_in_bokmal_uses_spaces_comma_and_kr(ore, expected):
    assert format_money(ore, locale="nb") == expected.replace(" ", NBSP)


@pytest.mark.parametrize(
    ("ore", "expected"),
    [
        (0, "NOK 0.00"),
        (10, "NOK 0.10"),
        (125050, "NOK 1,250.50"),
        (123456789, "NOK 1,234,567.89"),
    ],
)
def test_money_in_english_puts_nok_first(ore, expected):
    assert format_money(ore, locale="en") == expected.replace(" ", NBSP)


def test_money_in_nynorsk_matches_bokmal():
    assert format_money(123456789, locale="nn") == format_money(123456789, locale="nb")


def test_money_keeps_the_sign_of_a_refund():
    assert format_money(-5000, locale="nb").endswith(f"50,00{NBSP}kr")
    assert format_money(-5000, locale="nb")[0] in "-\u2212"


@pytest.mark.parametrize("not_ore", [12.5, "1250", True])
def test_money_refuses_anything_but_whole_ore(not_ore):
    with pytest.raises(TypeError):
        format_money(not_ore, locale="nb")


@pytest.mark.parametrize(("language", "expected"), [("nb", "1 250,50 kr"), ("en", "NOK 1,250.50")])
def test_money_in_a_request_follows_the_visitors_language(app, language, expected):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert format_money(125050) == expected.replace(" ", NBSP)


def test_short_date_is_day_month_year_with_dots():
    assert format_date(dt.date(2026, 3, 5), locale="nb") == "05.03.2026"
    assert format_date(dt.date(2026, 3, 5), locale="nn") == "05.03.2026"


def test_long_date_names_the_month():
    assert format_date_long(dt.date(2026, 3, 5), locale="nb") == "5. mars 2026"
    assert format_date_long(dt.date(2026, 12, 24), locale="nn") == "24. desember 2026"


def test_english_dates_put_the_day_first():
    assert format_date(dt.date(2026, 3, 5), locale="en") == "05/03/2026"
    assert format_date_long(dt.date(2026, 3, 5), locale="en") == "5 March 2026"


def test_date_and_time_are_shown_in_norwegian_time():
    # 23:30 UTC on 31 December is already New Year's Day in Oslo.
    moment = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    assert format_datetime(moment, locale="nb") == "01.01.2027, 00:30"


@pytest.mark.parametrize(
    ("locale", "direction"), [("nb", "ltr"), ("nn", "ltr"), ("en", "ltr"), ("ar", "rtl")]
)
def test_text_direction_follows_the_language(locale, direction):
    assert text_direction(locale) == direction
