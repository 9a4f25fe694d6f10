"""Names are what people say they are: tidied, never judged, but never over-long."""

from __future__ import annotations

import unicodedata

import pytest

from guide.validation.names import InvalidName, clean_person_name


@pytest.mark.parametrize(
    "name",
    [
        "Åse Ødegård",
        "Kari-Anne O'Neill",
        "Zoë d’Arc",
        "Małgorzata Wójcik-Żak",
        "Олександр Коваленко",
        "محمد علي",
        "שרה כהן",
        "ሰላም ገብረ",  # Ethiopic (Tigrinya)
        "Nguyễn Thị Hương",
        "Sol 🌞",
        "Familie 👨‍👩‍👧",  # zero-width joiners hold the emoji together
        "X Æ A-12",
    ],
)
def test_names_from_any_script_are_kept(name):
    assert clean_person_name(name) == unicodedata.normalize("NFC", name)


def test_whitespace_is_trimmed_and_collapsed():
    assert clean_person_name("  Kari \t\n Nordmann\u00a0\u202fHansen  ") == "Kari Nordmann Hansen"


def test_decomposed_letters_are_composed():
    decomposed = "A\u030ase"  # "Å" as A + combining ring

    cleaned = clean_person_name(decomposed)

    assert cleaned == "\u00c5se"
    assert len(cleaned) == 3


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "\u00a0"])
def test_an_empty_name_is_refused(text):
    with pytest.raises(InvalidName) as caught:
        clean_person_name(text)

    assert caught.value.reason == "empty"


@pytest.mark.parametrize(
    "text",
    ["Kari\x00Nordmann", "Kari\x1b[31m", "Ola\x07", "Ola \ud800", "Ola \u202eNordmann"],
)
def test_control_characters_are_refused(text):
    with pytest.raises(InvalidName) as caught:
        clean_person_name(text)

    assert caught.value.reason == "control_character"


@pytest.mark.parametrize("length", [101, 401, 10_000])
def test_over_long_names_are_refused_not_truncated(length):
    with pytest.raises(InvalidName) as caught:
        clean_person_name("a" * length)

    assert caught.value.reason == "too_long"


def test_the_limit_counts_the_cleaned_name():
    padded = "   " + "a" * 100 + "   "

    assert clean_person_name(padded) == "a" * 100


def test_a_custom_limit_applies():
    assert clean_person_name("Ola", max_length=3) == "Ola"
    with pytest.raises(InvalidName):
        clean_person_name("Ola N", max_length=3)
