"""Organisation numbers (organisasjonsnummer) from Enhetsregisteret: nine digits, mod 11."""

from __future__ import annotations

from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.no import orgnr

from guide.validation.errors import InvalidInput
from guide.validation.text import ascii_digits, is_ascii_digits, without_spaces

LENGTH = 9


class InvalidOrgNumber(InvalidInput):
    """Reasons: ``length``, ``not_digits``, ``check_digit``."""


def normalise_org_number(text: str) -> str:
    """The nine digits of a valid organisation number; spaces in the input are ignored."""
    digits = ascii_digits(without_spaces(text))
    if not is_ascii_digits(digits):
        raise InvalidOrgNumber("length" if not digits else "not_digits")
    if len(digits) != LENGTH:
        raise InvalidOrgNumber("length")
    try:
        return orgnr.validate(digits)
    except StdnumValidationError:
        raise InvalidOrgNumber("check_digit") from None
