"""Money is whole øre from the form to the CSV: no float ever touches an amount."""

from __future__ import annotations

import csv
import io

import pytest

from guide.exports import Amount, csv_amount, csv_text
from guide.validation.money import format_ore, parse_kroner


@pytest.mark.parametrize(
    ("locale", "typed", "ore", "shown"),
    [
        ("nb", "0,10", 10, "0,10"),
        ("nb", "1 234 567,89", 123_456_789, "1\xa0234\xa0567,89"),
        ("en", "0.10", 10, "0.10"),
        ("en", "1,234,567.89", 123_456_789, "1,234,567.89"),
    ],
)
def test_amounts_parse_and_format_round_trip(locale, typed, ore, shown):
    assert parse_kroner(typed, locale) == ore
    assert format_ore(ore, locale, with_currency=False) == shown
    assert parse_kroner(format_ore(ore, locale), locale) == ore


def test_ten_oere_three_times_is_exactly_thirty_oere():
    # 0.1 + 0.1 + 0.1 != 0.3 in floating point; in øre it is simply 30.
    total = sum(parse_kroner("0,10") for _ in range(3))
    assert total == 30 and isinstance(total, int)
    assert format_ore(total, "nb", with_currency=False) == "0,30"


def test_every_oere_of_a_large_amount_survives():
    for ore in (1, 99, 100, 123_456_789, 9_999_999_999):
        assert parse_kroner(format_ore(ore, "nb"), "nb") == ore
        assert parse_kroner(format_ore(ore, "en"), "en") == ore


@pytest.mark.parametrize("not_money", [12.5, 0.1, True, "100"])
def test_floats_and_other_types_are_refused(not_money):
    with pytest.raises(TypeError):
        format_ore(not_money)
    with pytest.raises(TypeError):
        csv_amount(not_money)


@pytest.mark.parametrize(
    ("ore", "cell"),
    [(0, "0,00"), (10, "0,10"), (125_050, "1250,50"), (123_456_789, "1234567,89"), (-10, "-0,10")],
)
def test_csv_amounts_are_comma_decimals_without_thousands_separator(ore, cell):
    assert csv_amount(ore) == cell


def test_csv_text_is_norwegian_spreadsheet_format():
    content = csv_text(["Navn", "Beløp"], [["Ås IL", Amount(180_000)], ["=1+2", Amount(10)]])
    assert content.startswith("\ufeff")
    assert content.count("\r\n") == 3
    rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff")), delimiter=";"))
    assert rows == [["Navn", "Beløp"], ["Ås IL", "1800,00"], ["'=1+2", "0,10"]]
