"""AES-256-GCM for single column values, bound to their table, column and row."""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
import unicodedata
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from guide.crypto.keyring import Keyring, KeyringError

#: First byte of every stored value; bump it when the layout below changes.
FORMAT_VERSION = 1
NONCE_BYTES = 12


class DecryptionError(ValueError):
    """A stored value failed authentication: wrong row, column, key, or tampering."""


class UnknownKeyError(DecryptionError, KeyringError):
    """A stored value names a key id the keyring does not hold (dropped too early, or tampered)."""


def _pack(*parts: bytes) -> bytes:
    """Length-prefix each part so no two different tuples pack to the same bytes."""
    return b"".join(struct.pack(">I", len(part)) + part for part in parts)


def associated_data(version: int, table: str, column: str, row_id: str, key_id: str) -> bytes:
    """``_pack(version, table, column, row id, key id)``: a list of 50 rows makes 100 of these,
    so the parts that repeat (all but the row id) are packed once and kept."""
    return _packed_place(version, table, column) + _pack(row_id.encode()) + _packed_key(key_id)


@lru_cache(maxsize=1024)
def _packed_place(version: int, table: str, column: str) -> bytes:
    return _pack(bytes([version]), table.encode(), column.encode())


@lru_cache(maxsize=64)
def _packed_key(key_id: str) -> bytes:
    return _pack(key_id.encode())


class FieldCipher:
    """Encrypts values for storage as: version | key id length | key id | nonce | ciphertext+tag."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self._aeads = {key_id: AESGCM(key) for key_id, key in keyring.keys.items()}

    def __repr__(self) -> str:
        return f"FieldCipher(active={self.keyring.active_key_id!r})"

    def encrypt_bytes(self, plaintext: bytes, *, table: str, column: str, row_id: str) -> bytes:
        key_id = self.keyring.active_key_id
        nonce = os.urandom(NONCE_BYTES)
        aad = associated_data(FORMAT_VERSION, table, column, row_id, key_id)
        sealed = self._aeads[key_id].encrypt(nonce, plaintext, aad)
        kid = key_id.encode()
        return bytes([FORMAT_VERSION, len(kid)]) + kid + nonce + sealed

    def decrypt_bytes(self, blob: bytes, *, table: str, column: str, row_id: str) -> bytes:
        version, key_id, nonce, sealed = split_blob(blob)
        aead = self._aeads.get(key_id)
        if aead is None:
            raise UnknownKeyError(
                f"A stored value uses key id {key_id!r}, which is not in the keyring."
            )
        aad = associated_data(version, table, column, row_id, key_id)
        try:
            return aead.decrypt(nonce, sealed, aad)
        except InvalidTag:
            raise DecryptionError(f"Value in {table}.{column} failed authentication") from None

    def encrypt(self, plaintext: str, *, table: str, column: str, row_id: str) -> bytes:
        return self.encrypt_bytes(
            plaintext.encode("utf-8"), table=table, column=column, row_id=row_id
        )

    def decrypt(self, blob: bytes, *, table: str, column: str, row_id: str) -> str:
        return self.decrypt_bytes(blob, table=table, column=column, row_id=row_id).decode("utf-8")


def split_header(blob: bytes) -> tuple[int, str, int]:
    """Read a stored value's version and key id, and where the nonce starts."""
    blob = bytes(blob)
    if len(blob) < 2 or blob[0] != FORMAT_VERSION:
        raise DecryptionError("Stored value has an unknown format")
    kid_end = 2 + blob[1]
    if len(blob) < kid_end:
        raise DecryptionError("Stored value is truncated")
    return blob[0], blob[2:kid_end].decode("ascii", errors="replace"), kid_end


def split_blob(blob: bytes) -> tuple[int, str, bytes, bytes]:
    """Split a stored value into version, key id, nonce and sealed bytes."""
    blob = bytes(blob)  # a memoryview from some drivers; bytes() of bytes is the same object
    version, key_id, kid_end = split_header(blob)
    nonce = blob[kid_end : kid_end + NONCE_BYTES]
    sealed = blob[kid_end + NONCE_BYTES :]
    if len(nonce) != NONCE_BYTES or len(sealed) < 16:
        raise DecryptionError("Stored value is truncated")
    return version, key_id, nonce, sealed


def key_id_of(blob: bytes) -> str:
    """The id of the key that sealed a stored value."""
    return split_blob(blob)[1]


def normalise_text(value: str) -> str:
    """The form used for exact matching: Unicode NFC, case-folded, single spaces."""
    folded = unicodedata.normalize("NFC", value).casefold()
    return unicodedata.normalize("NFC", " ".join(folded.split()))


class BlindIndex:
    """Keyed hashes for exact-match look-ups, one derived key per index."""

    def __init__(self, index_key: bytes) -> None:
        self._index_key = index_key
        self._derived: dict[str, bytes] = {}

    def __repr__(self) -> str:
        return "BlindIndex()"

    def _key_for(self, index_name: str) -> bytes:
        key = self._derived.get(index_name)
        if key is None:
            key = HKDF(
                algorithm=hashes.SHA256(),
                length=32,
                salt=None,
                info=b"fritidsguide blind index: " + index_name.encode(),
            ).derive(self._index_key)
            self._derived[index_name] = key
        return key

    def digest(self, index_name: str, *parts: str) -> str:
        """Hex HMAC-SHA256 of the normalised parts under the index's own key."""
        message = _pack(*(normalise_text(part).encode("utf-8") for part in parts))
        return hmac.new(self._key_for(index_name), message, hashlib.sha256).hexdigest()
