"""Organisation numbers, made up with the test's own check-digit weights (``synthetic``)."""

from __future__ import annotations

import pytest

from guide.validation.orgnr import InvalidOrgNumber, normalise_org_number
from tests.unit.validation.synthetic import make_org_number


def refused_reason(text: str) -> str:
    with pytest.raises(InvalidOrgNumber) as caught:
        normalise_org_number(text)
    return caught.value.reason


def test_a_valid_number_is_returned_as_nine_digits():
    number = make_org_number()

    assert normalise_org_number(number) == number


def test_spaces_in_the_usual_grouping_are_allowed():
    number = make_org_number()

    assert normalise_org_number(f"{number[:3]} {number[3:6]}\u00a0{number[6:]}") == number


def test_a_wrong_check_digit_is_refused():
    number = make_org_number()
    wrong = number[:8] + str((int(number[8]) + 1) % 10)

    assert refused_reason(wrong) == "check_digit"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "length"),
        ("12345678", "length"),
        ("1234567890", "length"),
        ("123-456-789", "not_digits"),
        ("12345678X", "not_digits"),
        ("MVA123456", "not_digits"),
    ],
)
def test_malformed_input_is_refused_with_a_reason(text, reason):
    assert refused_reason(text) == reason
