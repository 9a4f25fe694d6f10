"""Made-up identity numbers for the tests, with check digits from this file's own weights.

The weights are written out here again on purpose, so a mistake in the module under test
cannot hide behind the same mistake in the test data. No number here belongs to anyone.
"""

from __future__ import annotations

FIRST_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
SECOND_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def weighted_sum(weights: tuple[int, ...], digits: str) -> int:
    """Digits times weights, summed."""
    return sum(weight * int(digit) for weight, digit in zip(weights, digits, strict=True))


def add_check_digits(nine: str, *, k1_remainder: int = 0) -> str | None:
    """The 11-digit number whose first sum leaves ``k1_remainder``; None if a digit is 10."""
    k1 = (k1_remainder - weighted_sum(FIRST_WEIGHTS, nine)) % 11
    if k1 == 10:
        return None
    k2 = -weighted_sum(SECOND_WEIGHTS, nine + str(k1)) % 11
    if k2 == 10:
        return None
    return f"{nine}{k1}{k2}"


def make_number(date_digits: str, individuals: range, *, k1_remainder: int = 0) -> str:
    """The first number in ``individuals`` for which the check digits exist."""
    for individual in individuals:
        number = add_check_digits(f"{date_digits}{individual:03d}", k1_remainder=k1_remainder)
        if number is not None:
            return number
    raise AssertionError("no individual number gives valid check digits")


ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def add_org_check_digit(eight: str) -> str | None:
    """The 9-digit organisation number for ``eight``; None if its check digit would be 10."""
    check = -sum(w * int(d) for w, d in zip(ORG_WEIGHTS, eight, strict=True)) % 11
    return None if check == 10 else eight + str(check)


def make_org_number(start: int = 91234567) -> str:
    """The first valid organisation number from ``start`` on."""
    for candidate in range(start, start + 20):
        number = add_org_check_digit(str(candidate))
        if number is not None:
            return number
    raise AssertionError("no candidate gave a check digit")
