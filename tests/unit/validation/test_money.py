"""Kroner typed by people become whole øre; øre become kroner text; never a float between."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guide.validation.money import MAX_ORE, InvalidAmount, format_ore, parse_kroner

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"


@pytest.mark.parametrize(
    ("text", "ore"),
    [
        ("1 250,50", 125050),
        ("1250,5", 125050),
        ("1 234 567,89", 123456789),
        ("0,10", 10),
        ("0,01", 1),
        ("1250", 125000),
        ("0", 0),
        ("kr 1 250,50", 125050),
        ("kr. 1 250,50", 125050),
        ("1 250,50 kr", 125050),
        ("1250 NOK", 125000),
        (f"1{NBSP}250,50", 125050),
        (f"1{NARROW_NBSP}250{NARROW_NBSP}000,50", 125000050),
        (f"1{NBSP}250,50{NBSP}kr", 125050),
        ("1.250,50", 125050),
        ("1 250,-", 125000),
        ("  1250  ", 125000),
        ("١٢٥٠,٥٠", 125050),
    ],
)
def test_norwegian_amounts_become_ore(text, ore):
    result = parse_kroner(text)

    assert result == ore
    assert type(result) is int


@pytest.mark.parametrize(
    ("text", "ore"),
    [
        ("1,250.50", 125050),
        ("1250.5", 125050),
        ("NOK 1,250.50", 125050),
        (f"NOK{NBSP}1,250.50", 125050),
        ("1,234,567.89", 123456789),
        ("1 250.50", 125050),
    ],
)
def test_english_amounts_become_ore(text, ore):
    assert parse_kroner(text, locale="en") == ore


def test_nynorsk_reads_like_bokmal():
    assert parse_kroner("1 250,50 kr", locale="nn") == 125050


@pytest.mark.parametrize(
    ("text", "locale", "reason"),
    [
        ("", "nb", "empty"),
        (f" {NBSP} ", "nb", "empty"),
        ("abc", "nb", "format"),
        ("kr", "nb", "format"),
        ("12,5o", "nb", "format"),
        ("1,2,3", "nb", "format"),
        ("1 25", "nb", "format"),
        ("12 5000", "nb", "format"),
        ("12.50", "nb", "format"),  # a dot is never a decimal mark in Norwegian
        ("1,", "nb", "format"),
        (",50", "nb", "format"),
        ("+50", "nb", "format"),
        ("1e3", "nb", "format"),
        ("NaN", "nb", "format"),
        ("Infinity", "nb", "format"),
        ("1" * 41, "nb", "format"),
        ("1,25", "en", "format"),  # never 125
        ("1,505", "nb", "too_many_decimals"),
        ("0,001", "nb", "too_many_decimals"),
        ("1,250.505", "en", "too_many_decimals"),
        ("-5", "nb", "negative"),
        ("−1 250,50 kr", "nb", "negative"),
        ("kr -100", "nb", "negative"),
        ("100 000 000,01", "nb", "too_large"),
        ("999 999 999 999", "nb", "too_large"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(text, locale, reason):
    with pytest.raises(InvalidAmount) as caught:
        parse_kroner(text, locale=locale)

    assert caught.value.reason == reason


def test_the_limit_itself_is_accepted():
    assert parse_kroner("100 000 000") == MAX_ORE == 10**10


@pytest.mark.parametrize(
    ("text", "ore"),
    [("-1 250,50", -125050), ("−1 250,50 kr", -125050), ("-kr 5", -500), ("kr -5", -500)],
)
def test_negative_amounts_when_allowed(text, ore):
    assert parse_kroner(text, allow_negative=True) == ore


def test_minus_zero_is_zero_even_when_negatives_are_refused():
    assert parse_kroner("-0,00") == 0


@pytest.mark.parametrize(
    ("ore", "locale", "expected"),
    [
        (125050, "nb", f"1{NBSP}250,50{NBSP}kr"),
        (125050, "nn", f"1{NBSP}250,50{NBSP}kr"),
        (125050, "en", f"NOK{NBSP}1,250.50"),
        (10, "nb", f"0,10{NBSP}kr"),
        (0, "en", f"NOK{NBSP}0.00"),
        (-125050, "nb", f"-1{NBSP}250,50{NBSP}kr"),
        (10**10, "nb", f"100{NBSP}000{NBSP}000,00{NBSP}kr"),
    ],
)
def test_ore_are_formatted_as_kroner(ore, locale, expected):
    assert format_ore(ore, locale) == expected


def test_formatting_without_currency():
    assert format_ore(125050, "nb", with_currency=False) == f"1{NBSP}250,50"
    assert format_ore(125050, "en", with_currency=False) == "1,250.50"


@pytest.mark.parametrize("not_ore", [12.5, "1250", True])
def test_formatting_refuses_anything_but_whole_ore(not_ore):
    with pytest.raises(TypeError):
        format_ore(not_ore)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("ar", f"\u200f1,250.50{NBSP}NOK"), ("fa", f"\u200eNOK{NBSP}1,250.50")],
)
def test_right_to_left_locales_keep_their_direction_mark(locale, expected):
    assert format_ore(125050, locale) == expected


@given(ore=st.integers(min_value=0, max_value=10**10))
def test_norwegian_round_trip(ore):
    assert parse_kroner(format_ore(ore, "nb"), "nb") == ore
    assert parse_kroner(format_ore(ore, "nb", with_currency=False), "nb") == ore


@given(ore=st.integers(min_value=0, max_value=10**10))
def test_english_round_trip(ore):
    assert parse_kroner(format_ore(ore, "en"), "en") == ore
    assert parse_kroner(format_ore(ore, "en", with_currency=False), "en") == ore


@given(
    ore=st.integers(min_value=-(10**10), max_value=10**10),
    locale=st.sampled_from(["nb", "nn", "en", "uk", "pl", "ar"]),
)
def test_round_trip_with_negatives_in_other_locales(ore, locale):
    assert parse_kroner(format_ore(ore, locale), locale, allow_negative=True) == ore
