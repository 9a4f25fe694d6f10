"""Phone numbers: typed in any usual way, stored as E.164 (``+4791234567``)."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from guide.validation.errors import InvalidInput
from guide.validation.text import ascii_digits

#: E.164 allows 15 digits; this leaves room for "00", spaces and punctuation, not for essays.
MAX_INPUT_LENGTH = 30
HOME_REGION = "NO"


class InvalidPhone(InvalidInput):
    """Reasons: ``empty``, ``letters``, ``too_long``, ``invalid``."""


def normalise_phone(text: str, region: str = HOME_REGION) -> str:
    """The number in E.164; numbers without ``+`` or ``00`` are read as ``region``'s."""
    cleaned = ascii_digits(text.strip())
    if not cleaned:
        raise InvalidPhone("empty")
    if len(cleaned) > MAX_INPUT_LENGTH:
        raise InvalidPhone("too_long")
    if any(character.isalpha() for character in cleaned):
        # phonenumbers would read "ext." or vanity letters (1-800-FLOWERS) as digits.
        raise InvalidPhone("letters")
    number = _parse(cleaned, region)
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("invalid")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format_phone_national(e164: str, *, home_region: str = HOME_REGION) -> str:
    """For display: ``91 23 45 67`` for a home number, ``+46 70 123 45 67`` for others."""
    number = _parse(e164, home_region)
    if phonenumbers.region_code_for_number(number) == home_region:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    # A foreign number without its country code would be dialled as a home number.
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber:
    try:
        return phonenumbers.parse(text, region)
    except NumberParseException as error:
        if error.error_type == NumberParseException.TOO_LONG:
            raise InvalidPhone("too_long") from None
        raise InvalidPhone("invalid") from None
