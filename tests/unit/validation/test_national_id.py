"""Fødselsnummer, D- and H-numbers under the classic and the 2032 check-digit rules.

Every number is made up from a birth date and an individual number, with check digits
computed by the test's own weight tables (see ``synthetic``), not the module's.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.no import fodselsnummer

from guide.validation.national_id import InvalidNationalId, NumberKind, parse_national_id
from tests.unit.validation.synthetic import add_check_digits, make_number

TODAY = dt.date(2026, 6, 1)


def refused_reason(text: str) -> str:
    with pytest.raises(InvalidNationalId) as caught:
        parse_national_id(text, today=TODAY)
    return caught.value.reason


def test_a_child_born_in_2014_is_accepted_with_its_birth_date():
    number = make_number("170514", range(500, 1000))

    parsed = parse_national_id(number, today=TODAY)

    assert parsed.value == number
    assert parsed.birth_date == dt.date(2014, 5, 17)
    assert parsed.kind is NumberKind.BIRTH_NUMBER
    assert parsed.uses_2032_check_rule is False


@pytest.mark.parametrize(
    ("date_digits", "individuals", "expected"),
    [
        ("010199", range(0, 500), dt.date(1999, 1, 1)),
        ("150860", range(900, 1000), dt.date(1960, 8, 15)),
        ("290272", range(500, 750), dt.date(1872, 2, 29)),
        ("311239", range(500, 1000), dt.date(2039, 12, 31)),
    ],
)
def test_the_century_comes_from_the_individual_number(date_digits, individuals, expected):
    number = make_number(date_digits, individuals)

    assert parse_national_id(number, today=dt.date(2040, 1, 1)).birth_date == expected


def test_spaces_and_no_break_spaces_are_ignored():
    number = make_number("170514", range(500, 1000))

    parsed = parse_national_id(f" {number[:6]}\u00a0{number[6:]} ", today=TODAY)

    assert parsed.value == number
    assert parsed.formatted == f"{number[:6]} {number[6:]}"


def test_a_d_number_gives_the_real_birth_day():
    number = make_number("570514", range(500, 1000))  # 17 + 40

    parsed = parse_national_id(number, today=TODAY)

    assert parsed.kind is NumberKind.D_NUMBER
    assert parsed.birth_date == dt.date(2014, 5, 17)


def test_an_h_number_gives_the_real_birth_month():
    number = make_number("174514", range(500, 1000))  # May + 40

    parsed = parse_national_id(number, today=TODAY)

    assert parsed.kind is NumberKind.H_NUMBER
    assert parsed.birth_date == dt.date(2014, 5, 17)


def test_a_wrong_second_check_digit_is_refused():
    number = make_number("170514", range(500, 1000))
    wrong = number[:10] + str((int(number[10]) + 1) % 10)

    assert refused_reason(wrong) == "check_digit"


@pytest.mark.parametrize("k1_remainder", [1, 2, 3])
def test_a_number_valid_only_under_the_2032_rule_is_accepted(k1_remainder):
    number = make_number("170514", range(500, 1000), k1_remainder=k1_remainder)
    assert not fodselsnummer.is_valid(number)  # the classic rule alone refuses it

    parsed = parse_national_id(number, today=TODAY)

    assert parsed.uses_2032_check_rule is True
    assert parsed.birth_date == dt.date(2014, 5, 17)


@pytest.mark.parametrize("k1_remainder", [4, 5, 7, 10])
def test_a_first_check_digit_that_fails_both_rules_is_refused(k1_remainder):
    # The second check digit is right for the digits before it: only k1 is wrong.
    number = make_number("170514", range(500, 1000), k1_remainder=k1_remainder)

    assert refused_reason(number) == "check_digit"


def test_the_31st_of_february_is_refused():
    number = make_number("310214", range(500, 1000))

    assert refused_reason(number) == "bad_date"


def test_a_birth_date_after_today_is_refused():
    number = make_number("010726", range(500, 1000))

    assert refused_reason(number) == "bad_date"
    on_the_day = dt.date(2026, 7, 1)
    assert parse_national_id(number, today=on_the_day).birth_date == on_the_day


def test_an_fh_number_without_a_birth_date_is_refused():
    number = make_number("810514", range(500, 1000))

    assert refused_reason(number) == "bad_date"


def test_a_century_the_individual_number_cannot_give_is_refused():
    # Individual numbers 500–749 mean 1854–1899 or 2000–2039, never 1945.
    number = make_number("010145", range(500, 750))

    assert refused_reason(number) == "bad_date"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "length"),
        ("   ", "length"),
        ("1705141234", "length"),
        ("170514123456", "length"),
        ("170514-12345", "not_digits"),
        ("17051412a45", "not_digits"),
        ("17051412³45", "not_digits"),
    ],
)
def test_malformed_input_is_refused_with_a_reason(text, reason):
    assert refused_reason(text) == reason


def test_digits_from_other_scripts_are_read_as_digits():
    number = make_number("170514", range(500, 1000))
    arabic_indic = "".join(chr(0x0660 + int(digit)) for digit in number)

    assert parse_national_id(arabic_indic, today=TODAY).value == number


def test_the_number_never_leaks_through_repr_or_errors():
    number = make_number("170514", range(500, 1000))
    parsed = parse_national_id(number, today=TODAY)
    wrong = number[:10] + str((int(number[10]) + 1) % 10)

    with pytest.raises(InvalidNationalId) as caught:
        parse_national_id(wrong, today=TODAY)

    assert number not in repr(parsed)
    assert "2014" not in repr(parsed)
    assert str(caught.value) == "check_digit"


def test_gender_is_never_derived():
    parsed = parse_national_id(make_number("170514", range(500, 1000)), today=TODAY)

    assert not [name for name in dir(parsed) if "gender" in name or "sex" in name]


@given(
    nine=st.from_regex(r"[0-9]{9}", fullmatch=True),
    k1_remainder=st.integers(min_value=0, max_value=10),
)
def test_only_the_first_sum_remainder_decides_between_the_rules(nine, k1_remainder):
    number = add_check_digits(nine, k1_remainder=k1_remainder)
    assume(number is not None)
    try:
        parse_national_id(number, today=dt.date(2100, 1, 1))
    except InvalidNationalId as error:
        reason = error.reason
    else:
        reason = "accepted"

    if k1_remainder <= 3:
        assert reason in {"accepted", "bad_date"}
    else:
        assert reason == "check_digit"
