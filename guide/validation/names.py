"""People's names: tidied, never judged. Any script, emoji, hyphens and apostrophes are fine."""

from __future__ import annotations

import unicodedata

from guide.validation.errors import InvalidInput

DEFAULT_MAX_LENGTH = 100
#: Characters that would let a name rearrange the text around it (the "Trojan Source" trick).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Control characters and lone surrogates (which cannot even be stored as UTF-8).
REFUSED_CATEGORIES = frozenset({"Cc", "Cs"})


class InvalidName(InvalidInput):
    """Reasons: ``empty``, ``too_long``, ``control_character``."""


def clean_person_name(text: str, max_length: int = DEFAULT_MAX_LENGTH) -> str:
    """NFC-normalised, trimmed, single-spaced name; refuses empty, over-long or control text."""
    # Refuse huge input before normalising it: NFC can make text longer and costs time.
    if len(text) > 4 * max_length:
        raise InvalidName("too_long")
    name = " ".join(unicodedata.normalize("NFC", text).split())
    if not name:
        raise InvalidName("empty")
    if len(name) > max_length:
        raise InvalidName("too_long")
    if any(_is_refused(character) for character in name):
        raise InvalidName("control_character")
    return name


def _is_refused(character: str) -> bool:
    return character in BIDI_CONTROLS or unicodedata.category(character) in REFUSED_CATEGORIES
