"""Hidden control characters: refused exactly as the Unicode categories and sets say."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from guide.validation.text import (
    ALLOWED_CONTROLS,
    BIDI_CONTROLS,
    REFUSED_CATEGORIES,
    has_hidden_control,
)


def _refused_by_the_rule(character: str) -> bool:
    if character in ALLOWED_CONTROLS:
        return False
    return character in BIDI_CONTROLS or unicodedata.category(character) in REFUSED_CATEGORIES


def test_every_character_is_judged_as_the_categories_and_sets_say():
    wrongly_judged = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if has_hidden_control(f"a{chr(code)}b") != _refused_by_the_rule(chr(code))
    ]

    assert wrongly_judged == []


@pytest.mark.parametrize(
    "text", ["Kari Nordmann", "Linje 1\nLinje 2\r\n\tinnrykk", "Sol 🌞", "محمد علي", ""]
)
def test_ordinary_text_has_no_hidden_control(text):
    assert not has_hidden_control(text)


@pytest.mark.parametrize("text", ["Ola\x00", "\x1b[31m", "\x85", "Ola \ud800", "\u2067x\u2069"])
def test_control_surrogate_and_direction_characters_are_found(text):
    assert has_hidden_control(text)
