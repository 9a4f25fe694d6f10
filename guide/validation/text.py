"""Small text helpers shared by the validators."""

from __future__ import annotations

import re
import unicodedata

#: Characters that would let text rearrange what is around it (the "Trojan Source" trick).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Control characters and lone surrogates (which cannot even be stored as UTF-8).
REFUSED_CATEGORIES = frozenset({"Cc", "Cs"})
#: Line breaks and tabs are fine in free text.
ALLOWED_CONTROLS = frozenset("\n\r\t")
#: Every character the three sets above refuse, as one class for a single regex search: the
#: category Cc is fixed by Unicode (U+0000-U+001F, U+007F-U+009F) and Cs is the surrogate
#: block. A unit test checks it against the sets, character by character.
HIDDEN_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
)


def has_hidden_control(text: str) -> bool:
    """True when ``text`` holds a control, surrogate or text-direction override character."""
    return HIDDEN_CONTROL.search(text) is not None


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
