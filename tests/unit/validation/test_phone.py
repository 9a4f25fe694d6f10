"""Phone numbers typed the ways people type them, stored as E.164."""

from __future__ import annotations

import pytest

from guide.validation.phone import InvalidPhone, format_phone_national, normalise_phone


@pytest.mark.parametrize(
    "text",
    [
        "912 34 567",
        "91234567",
        "+47 912 34 567",
        "+4791234567",
        "0047 912 34 567",
        "(+47) 912-34-567",
        " 912\u00a034\u00a0567 ",
    ],
)
def test_norwegian_numbers_become_e164(text):
    assert normalise_phone(text) == "+4791234567"


def test_a_landline_is_accepted():
    assert normalise_phone("22 12 34 56") == "+4722123456"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+46 70 123 45 67", "+46701234567"),
        ("0046 70 123 45 67", "+46701234567"),
        ("+48 512 345 678", "+48512345678"),
    ],
)
def test_foreign_numbers_with_a_country_code_are_accepted(text, expected):
    assert normalise_phone(text) == expected


def test_a_number_without_country_code_is_read_in_the_given_region():
    assert normalise_phone("070-123 45 67", region="SE") == "+46701234567"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("912 34 abc", "letters"),
        ("1-800-FLOWERS", "letters"),
        ("912 34 567 ext. 12", "letters"),
        ("9" * 31, "too_long"),
        ("9" * 20, "too_long"),
        ("123", "invalid"),
        ("912 34 56", "invalid"),
        ("912 34 5678", "invalid"),
        ("+47 012 34 567", "invalid"),
        ("++--", "invalid"),
    ],
)
def test_impossible_input_is_refused_with_a_reason(text, reason):
    with pytest.raises(InvalidPhone) as caught:
        normalise_phone(text)

    assert caught.value.reason == reason
    assert str(caught.value) == reason  # the typed text never travels in the error


def test_home_numbers_are_shown_without_country_code():
    assert format_phone_national("+4791234567") == "91 23 45 67"
    assert format_phone_national("+4722123456") == "22 12 34 56"


def test_foreign_numbers_are_shown_with_their_country_code():
    assert format_phone_national("+46701234567") == "+46 70 123 45 67"


def test_formatting_refuses_garbage():
    with pytest.raises(InvalidPhone):
        format_phone_national("not a number")
