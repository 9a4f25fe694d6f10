"""Blind indexes: keyed, normalised exact-match digests."""

from __future__ import annotations

import secrets
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guide.crypto.cipher import BlindIndex, normalise_text


@pytest.fixture(scope="module")
def index_key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture(scope="module")
def blind(index_key: bytes) -> BlindIndex:
    return BlindIndex(index_key)


def test_spacing_and_case_do_not_change_the_digest(blind: BlindIndex) -> None:
    assert blind.digest("child_identity", "  Ola  NORDMANN ") == blind.digest(
        "child_identity", "ola nordmann"
    )


def test_composed_and_decomposed_forms_give_one_digest(blind: BlindIndex) -> None:
    composed = unicodedata.normalize("NFC", "Åse")
    decomposed = unicodedata.normalize("NFD", "Åse")
    assert composed != decomposed
    assert blind.digest("child_identity", composed) == blind.digest("child_identity", decomposed)
    assert normalise_text(decomposed.upper()) == composed.casefold()


def test_different_values_give_different_digests(blind: BlindIndex) -> None:
    assert blind.digest("child_identity", "Ola") != blind.digest("child_identity", "Ole")


def test_different_index_names_give_different_digests(blind: BlindIndex) -> None:
    assert blind.digest("child_identity", "Ola") != blind.digest("guardian_phone", "Ola")


def test_different_parts_give_different_digests(blind: BlindIndex) -> None:
    assert blind.digest("child_identity", "Ola", "2015-03-01") != blind.digest(
        "child_identity", "Ola", "2015-03-02"
    )


def test_moving_a_boundary_between_parts_changes_the_digest(blind: BlindIndex) -> None:
    assert blind.digest("x", "ab", "c") != blind.digest("x", "a", "bc")
    assert blind.digest("x", "ab") != blind.digest("x", "a", "b")
    assert blind.digest("x", "a b") != blind.digest("x", "a", "b")


def test_digest_depends_on_the_index_key(blind: BlindIndex) -> None:
    other = BlindIndex(secrets.token_bytes(32))
    assert blind.digest("child_identity", "Ola") != other.digest("child_identity", "Ola")


def test_digest_is_stable_for_one_key(index_key: bytes, blind: BlindIndex) -> None:
    assert BlindIndex(index_key).digest("child_identity", "Ola", "Nordmann") == blind.digest(
        "child_identity", "Ola", "Nordmann"
    )


def test_digest_is_hex_sha256_and_repr_hides_the_key(index_key: bytes, blind: BlindIndex) -> None:
    digest = blind.digest("child_identity", "Ola")
    assert len(digest) == 64
    int(digest, 16)
    assert index_key.hex() not in repr(blind)
    assert repr(blind) == "BlindIndex()"


@given(value=st.text(max_size=200))
def test_normalising_twice_changes_nothing(value: str) -> None:
    once = normalise_text(value)
    assert normalise_text(once) == once
