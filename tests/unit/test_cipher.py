"""AES-256-GCM field encryption: binding to table/column/row, layout, tampering."""

from __future__ import annotations

import base64
import secrets
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guide.crypto.cipher import (
    FORMAT_VERSION,
    NONCE_BYTES,
    DecryptionError,
    FieldCipher,
    UnknownKeyError,
    associated_data,
    key_id_of,
    split_blob,
)
from guide.crypto.keyring import Keyring, KeyringError

TAG_BYTES = 16


@pytest.fixture(scope="module")
def keyring() -> Keyring:
    """A keyring whose key has a short id, as the tools named keys before ids were random."""
    return Keyring(
        active_key_id="k1", keys={"k1": secrets.token_bytes(32)}, index_key=secrets.token_bytes(32)
    )


@pytest.fixture(scope="module")
def cipher(keyring: Keyring) -> FieldCipher:
    return FieldCipher(keyring)


def where(row_id: str | None = None, *, table: str = "children", column: str = "first_name"):
    return {"table": table, "column": column, "row_id": row_id or str(uuid.uuid4())}


def test_value_copied_to_another_row_does_not_decrypt(cipher: FieldCipher) -> None:
    ola, kari = where(), where()
    ola_blob = cipher.encrypt("Ola", **ola)
    cipher.encrypt("Kari", **kari)
    with pytest.raises(DecryptionError):
        cipher.decrypt(ola_blob, **kari)
    assert cipher.decrypt(ola_blob, **ola) == "Ola"


def test_value_copied_to_another_column_of_the_same_row_does_not_decrypt(
    cipher: FieldCipher,
) -> None:
    row_id = str(uuid.uuid4())
    first = where(row_id, column="first_name")
    last = where(row_id, column="last_name")
    first_blob = cipher.encrypt("Ola", **first)
    with pytest.raises(DecryptionError):
        cipher.decrypt(first_blob, **last)


def test_value_copied_to_another_table_does_not_decrypt(cipher: FieldCipher) -> None:
    row_id = str(uuid.uuid4())
    blob = cipher.encrypt("+47 400 00 000", **where(row_id, table="guardians", column="phone"))
    with pytest.raises(DecryptionError):
        cipher.decrypt(blob, **where(row_id, table="children", column="phone"))


def test_key_id_changed_to_another_key_in_the_keyring_fails(keyring: Keyring) -> None:
    # Two keys with ids of equal length, so only the id byte changes and the layout stays valid.
    two_keys = keyring.with_new_active_key("k2")
    cipher = FieldCipher(two_keys)
    bound = where()
    blob = bytearray(cipher.encrypt("Åse", **bound))
    assert blob[2:4] == b"k2"
    blob[3] = ord("1")
    assert key_id_of(bytes(blob)) == "k1"
    with pytest.raises(DecryptionError):
        cipher.decrypt(bytes(blob), **bound)


def test_key_id_changed_to_an_unknown_id_fails_as_decryption_error(cipher: FieldCipher) -> None:
    bound = where()
    blob = bytearray(cipher.encrypt("Åse", **bound))
    blob[3] = ord("9")
    with pytest.raises(UnknownKeyError) as caught:
        cipher.decrypt(bytes(blob), **bound)
    # Callers that catch either family of error both see it.
    assert isinstance(caught.value, DecryptionError)
    assert isinstance(caught.value, KeyringError)


@given(position=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_any_changed_byte_fails_and_never_yields_a_value(
    cipher: FieldCipher, position: int, flip: int
) -> None:
    bound = where("00000000-0000-4000-8000-000000000001")
    blob = bytearray(cipher.encrypt("Ola Nordmann", **bound))
    blob[position % len(blob)] ^= flip
    with pytest.raises(DecryptionError):
        cipher.decrypt(bytes(blob), **bound)


@pytest.mark.parametrize(
    "length", [0, 1, 2, 3, 4, 4 + NONCE_BYTES, 4 + NONCE_BYTES + TAG_BYTES - 1]
)
def test_truncated_blobs_fail_cleanly(cipher: FieldCipher, length: int) -> None:
    bound = where()
    blob = cipher.encrypt("", **bound)
    assert len(blob) == 4 + NONCE_BYTES + TAG_BYTES
    with pytest.raises(DecryptionError):
        cipher.decrypt(blob[:length], **bound)


def test_unknown_format_version_fails(cipher: FieldCipher) -> None:
    bound = where()
    blob = cipher.encrypt("Ola", **bound)
    with pytest.raises(DecryptionError, match="unknown format"):
        cipher.decrypt(bytes([FORMAT_VERSION + 1]) + blob[1:], **bound)


@given(text=st.text(max_size=10_000))
def test_any_text_round_trips(cipher: FieldCipher, text: str) -> None:
    bound = where("00000000-0000-4000-8000-000000000002")
    assert cipher.decrypt(cipher.encrypt(text, **bound), **bound) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00",
        "Ola\x00Nordmann",
        "Åse Ødegård Ærø",
        "👩🏽‍👧 🇳🇴",
        "مرحبا بالعالم",  # right-to-left
        "\u202eevil\u202c",
        "ሰላም",
        "x" * 10_000,
    ],
)
def test_awkward_text_round_trips(cipher: FieldCipher, text: str) -> None:
    bound = where()
    assert cipher.decrypt(cipher.encrypt(text, **bound), **bound) == text


@given(data=st.binary(max_size=50_000))
def test_any_bytes_round_trip(cipher: FieldCipher, data: bytes) -> None:
    bound = where("00000000-0000-4000-8000-000000000003", table="consents", column="scan")
    assert cipher.decrypt_bytes(cipher.encrypt_bytes(data, **bound), **bound) == data


def test_two_encryptions_of_one_value_differ(cipher: FieldCipher) -> None:
    bound = where()
    first, second = cipher.encrypt("Ola", **bound), cipher.encrypt("Ola", **bound)
    assert first != second
    assert split_blob(first)[2] != split_blob(second)[2]


def test_stored_layout_is_version_key_id_nonce_then_ciphertext_and_tag(
    cipher: FieldCipher, keyring: Keyring
) -> None:
    plaintext = "Nordmann"
    blob = cipher.encrypt(plaintext, **where())
    kid = keyring.active_key_id.encode()
    assert blob[0] == FORMAT_VERSION
    assert blob[1] == len(kid)
    assert blob[2 : 2 + len(kid)] == kid
    nonce_end = 2 + len(kid) + NONCE_BYTES
    assert len(blob) == nonce_end + len(plaintext.encode()) + TAG_BYTES
    assert plaintext.encode() not in blob
    assert key_id_of(blob) == keyring.active_key_id


def test_value_sealed_with_an_older_key_still_decrypts_after_a_new_key(keyring: Keyring) -> None:
    bound = where()
    old_blob = FieldCipher(keyring).encrypt("Ola", **bound)
    rotated = FieldCipher(keyring.with_new_active_key())
    assert rotated.decrypt(old_blob, **bound) == "Ola"
    assert key_id_of(rotated.encrypt("Ola", **bound)) == rotated.keyring.active_key_id


def test_cipher_and_keyring_reprs_show_no_key_material(
    cipher: FieldCipher, keyring: Keyring
) -> None:
    shown = repr(cipher) + repr(keyring)
    for key in [*keyring.keys.values(), keyring.index_key]:
        assert base64.b64encode(key).decode() not in shown
        assert key.hex() not in shown
    assert repr(cipher) == "FieldCipher(active='k1')"


@given(
    version=st.integers(min_value=0, max_value=255),
    table=st.text(max_size=40),
    column=st.text(max_size=40),
    row_id=st.text(max_size=40),
    key_id=st.text(max_size=20),
)
def test_associated_data_is_every_part_length_prefixed(version, table, column, row_id, key_id):
    # The parts kept between calls must give the very bytes packing them all each time gives.
    expected = b"".join(
        len(part).to_bytes(4, "big") + part
        for part in (
            bytes([version]),
            table.encode(),
            column.encode(),
            row_id.encode(),
            key_id.encode(),
        )
    )
    assert associated_data(version, table, column, row_id, key_id) == expected
