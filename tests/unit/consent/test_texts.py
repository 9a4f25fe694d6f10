"""Consent text fingerprints prove which exact wording a guardian saw."""

from __future__ import annotations

import unicodedata

from consent import ConsentTextVersion, text_fingerprint


def test_fingerprint_is_sha256_hex_of_utf8():
    # The published SHA-256 test vector for "abc".
    assert text_fingerprint("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_composed_and_decomposed_letters_give_the_same_fingerprint():
    composed = "Samtykke for Åse og Bjørn"
    decomposed = unicodedata.normalize("NFD", composed)

    assert decomposed != composed
    assert text_fingerprint(decomposed) == text_fingerprint(composed)


def test_any_change_in_wording_changes_the_fingerprint():
    assert text_fingerprint("Jeg samtykker.") != text_fingerprint("Jeg samtykker")


def test_text_version_matches_only_its_own_fingerprint():
    version = ConsentTextVersion(version="2026-1", language="nb", text="Jeg samtykker.")
    other = ConsentTextVersion(version="2026-2", language="nb", text="Jeg samtykker ikke.")

    assert version.fingerprint == text_fingerprint("Jeg samtykker.")
    assert version.matches(version.fingerprint)
    assert not version.matches(other.fingerprint)
