"""Norwegian national identity numbers: fødselsnummer, D-number and H-number.

Eleven digits: the birth date (DDMMYY), a three-digit individual number and two check digits
k1 and k2. ``python-stdnum`` knows the classic rule; numbers issued from 1 January 2032 use
a relaxed rule for k1 (Skatteetaten: the first weighted sum may leave remainder 0, 1, 2 or 3
instead of only 0). Both rules are accepted. Numbers issued from 2032 carry no gender, and
this module never reads it from older numbers either.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.no import fodselsnummer

from guide.validation.errors import InvalidInput
from guide.validation.text import ascii_digits, is_ascii_digits, without_spaces

LENGTH = 11
#: Weights of the first nine digits and of k1 itself in the sum that k1 controls.
K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
#: Remainders (mod 11) of that sum which the 2032 rule accepts; the classic rule takes only 0.
K1_REMAINDERS_FROM_2032 = frozenset({0, 1, 2, 3})


class InvalidNationalId(InvalidInput):
    """Reasons: ``length``, ``not_digits``, ``check_digit``, ``bad_date``."""


class NumberKind(StrEnum):
    BIRTH_NUMBER = "birth_number"
    #: Given to people not (yet) registered as resident: first digit raised by 4.
    D_NUMBER = "d_number"
    #: Help number used by the health service: month raised by 40.
    H_NUMBER = "h_number"


@dataclass(frozen=True, repr=False)
class NationalId:
    """A checked number; ``birth_date`` is the date the number encodes."""

    value: str
    birth_date: dt.date
    kind: NumberKind
    #: True when k1 is valid only under the rule that applies from 2032.
    uses_2032_check_rule: bool

    @property
    def formatted(self) -> str:
        """The usual written form, ``DDMMYY NNNNN``."""
        return f"{self.value[:6]} {self.value[6:]}"

    def __repr__(self) -> str:
        # The number and birth date are personal data: keep them out of logs and tracebacks.
        return f"NationalId(kind={self.kind.value}, value=<hidden>)"


def parse_national_id(text: str, *, today: dt.date) -> NationalId:
    """Check a fødselsnummer, D-number or H-number on ``today``; spaces are ignored."""
    digits = ascii_digits(without_spaces(text))
    if not is_ascii_digits(digits):
        raise InvalidNationalId("length" if not digits else "not_digits")
    if len(digits) != LENGTH:
        raise InvalidNationalId("length")
    uses_2032_rule = _check_digits(digits)
    birth_date = _birth_date(digits)
    if birth_date > today:
        raise InvalidNationalId("bad_date")
    return NationalId(
        value=digits,
        birth_date=birth_date,
        kind=_kind(digits),
        uses_2032_check_rule=uses_2032_rule,
    )


def _check_digits(digits: str) -> bool:
    """Raise unless both check digits hold; return True if k1 holds only by the 2032 rule."""
    if digits[10] != fodselsnummer.calc_check_digit2(digits):
        # k2 is computed the same way under both rules, over the first ten digits.
        raise InvalidNationalId("check_digit")
    if digits[9] == fodselsnummer.calc_check_digit1(digits):
        return False
    k1_part = digits[: len(K1_WEIGHTS)]
    remainder = sum(w * int(d) for w, d in zip(K1_WEIGHTS, k1_part, strict=True)) % 11
    if remainder in K1_REMAINDERS_FROM_2032:
        return True
    raise InvalidNationalId("check_digit")


def _birth_date(digits: str) -> dt.date:
    # stdnum removes the D- and H-number offsets and finds the century from the individual
    # number; it refuses impossible dates and FH-numbers (no birth date by design).
    try:
        return fodselsnummer.get_birth_date(digits)
    except StdnumValidationError:
        raise InvalidNationalId("bad_date") from None


def _kind(digits: str) -> NumberKind:
    if int(digits[0]) >= 4:
        return NumberKind.D_NUMBER
    if int(digits[2]) >= 4:
        return NumberKind.H_NUMBER
    return NumberKind.BIRTH_NUMBER
