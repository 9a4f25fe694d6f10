"""Small text helpers shared by the validators."""

from __future__ import annotations

import unicodedata


def ascii_digits(text: str) -> str:
    """Replace every Unicode decimal digit (Arabic-Indic, full-width, …) by its ASCII digit."""
    return "".join(_ascii_digit(character) for character in text)


def _ascii_digit(character: str) -> str:
    if character.isascii():
        return character
    value = unicodedata.decimal(character, None)
    return character if value is None else str(value)


def without_spaces(text: str) -> str:
    """Drop every whitespace character, including no-break and narrow no-break spaces."""
    return "".join(character for character in text if not character.isspace())


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty string of ASCII digits only (``str.isdigit`` also takes ``²``)."""
    return text.isascii() and text.isdigit()
