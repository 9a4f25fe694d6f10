"""People's names: tidied, never judged. Any script, emoji, hyphens and apostrophes are fine."""

from __future__ import annotations

import unicodedata

from guide.validation.errors import InvalidInput
from guide.validation.text import has_hidden_control

DEFAULT_MAX_LENGTH = 100


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
    # Splitting on whitespace above already removed line breaks and tabs.
    if has_hidden_control(name):
        raise InvalidName("control_character")
    return name
