"""The keyring: data keys by id, the active key id, and the blind-index key.

Format (JSON, given in FRITIDSGUIDE_KEYRING or in a file that variable names)::

    {"active": "k-3f9a1c0b", "keys": {"k-3f9a1c0b": "<base64 of 32 bytes>"},
     "index_key": "<base64 of 32 bytes>"}

New keys get random ids (``k-`` and 8 hex digits), so two installations never call
different keys by the same name; keyrings with older ids (``k1``, ``k2``) keep working.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

KEY_BYTES = 32
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class KeyringError(RuntimeError):
    """The keyring is missing or malformed. Messages never contain key material."""


@dataclass(frozen=True)
class Keyring:
    active_key_id: str
    keys: dict[str, bytes] = field(repr=False)
    index_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        for key_id, key in self.keys.items():
            if not KEY_ID_PATTERN.fullmatch(key_id):
                raise KeyringError(
                    f"Key id {shown_key_id(key_id)} is not allowed: "
                    "use 1-64 letters, digits, '.', '_' or '-'."
                )
            if len(key) != KEY_BYTES:
                raise KeyringError(
                    f"Key {key_id!r} is {len(key)} bytes long; every key must be {KEY_BYTES} bytes."
                )
        if self.active_key_id not in self.keys:
            raise KeyringError(
                f"The active key id {shown_key_id(self.active_key_id)} is not in the keyring."
            )
        if len(self.index_key) != KEY_BYTES:
            raise KeyringError(f"The index key must be {KEY_BYTES} bytes.")

    @property
    def active_key(self) -> bytes:
        return self.keys[self.active_key_id]

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise KeyringError(f"Key id {key_id!r} is not in the keyring.") from None

    def with_new_active_key(self, key_id: str | None = None) -> Keyring:
        """A copy with a freshly generated key made active; older keys stay for decryption."""
        key_id = key_id or new_key_id(self.keys)
        if key_id in self.keys:
            raise KeyringError(f"Key id {key_id!r} already exists.")
        keys = {**self.keys, key_id: secrets.token_bytes(KEY_BYTES)}
        return Keyring(active_key_id=key_id, keys=keys, index_key=self.index_key)

    def without_key(self, key_id: str) -> Keyring:
        """A copy without a retired key; values still sealed with it can no longer be read."""
        if key_id == self.active_key_id:
            raise KeyringError("The active key cannot be dropped.")
        if key_id not in self.keys:
            raise KeyringError(f"Key id {shown_key_id(key_id)} is not in the keyring.")
        keys = {kid: key for kid, key in self.keys.items() if kid != key_id}
        return Keyring(active_key_id=self.active_key_id, keys=keys, index_key=self.index_key)

    def to_json(self) -> str:
        return json.dumps(
            {
                "active": self.active_key_id,
                "keys": {kid: _b64(key) for kid, key in self.keys.items()},
                "index_key": _b64(self.index_key),
            },
            indent=2,
        )

    @classmethod
    def generate(cls) -> Keyring:
        key_id = new_key_id({})
        return cls(
            active_key_id=key_id,
            keys={key_id: secrets.token_bytes(KEY_BYTES)},
            index_key=secrets.token_bytes(KEY_BYTES),
        )

    @classmethod
    def from_json(cls, text: str) -> Keyring:
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise KeyringError("The keyring is not valid JSON.") from None
        if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
            raise KeyringError(
                'The keyring must be a JSON object with "active", "keys" and "index_key".'
            )
        if not isinstance(data.get("active"), str):
            raise KeyringError('The keyring has no "active" key id.')
        keys = {
            str(kid): _unb64(value, f"key {shown_key_id(str(kid))}")
            for kid, value in data["keys"].items()
        }
        index_key = _unb64(data.get("index_key"), "index_key")
        return cls(active_key_id=data["active"], keys=keys, index_key=index_key)


def shown_key_id(key_id: str) -> str:
    """A key id fit for a message; anything that is not a valid id might be a pasted key."""
    # Padded base64 of a 32-byte key always ends in "=", which no valid key id contains.
    return repr(key_id) if KEY_ID_PATTERN.fullmatch(key_id) else "(not shown: not a valid key id)"


def new_key_id(existing: dict[str, bytes]) -> str:
    """A random ``k-<8 hex digits>`` id that no key in ``existing`` has.

    Random rather than counted: a restored database and a keyring from another installation
    then name different keys, so ``flask keys status`` and the check values tell them apart.
    """
    while True:
        key_id = f"k-{secrets.token_hex(4)}"
        if key_id not in existing:
            return key_id


def keyring_file_path(source: str) -> Path | None:
    """The file a FRITIDSGUIDE_KEYRING value names, or None when the value is inline JSON."""
    source = source.strip()
    return None if source.startswith(("{", "[")) else Path(source)


def load_keyring(source: str) -> Keyring:
    """Parse the keyring from JSON text, or from the file the text names."""
    if not source.strip():
        raise KeyringError(
            "No keyring is configured. Set FRITIDSGUIDE_KEYRING to the keyring JSON or to "
            "the path of a file holding it (see docs/keys.md); the app will not start without it."
        )
    path = keyring_file_path(source)
    if path is None:
        return Keyring.from_json(source)
    if not path.is_file():
        # The value is not echoed: an operator may have pasted a bare key here by mistake.
        raise KeyringError(
            "FRITIDSGUIDE_KEYRING is neither keyring JSON (starting with '{') nor the path of "
            "an existing file; check the variable (its value is not shown here, in case it "
            "holds a key) and see docs/keys.md."
        )
    return Keyring.from_json(path.read_text(encoding="utf-8"))


def write_keyring_file(path: Path, keyring: Keyring) -> None:
    """Write a keyring file readable by its owner only, replacing the old one atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(keyring.to_json())
        handle.flush()
        # Data is about to be sealed with the new key: the file must survive a power cut.
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise KeyringError(f"The keyring's {what} must be a base64 string.")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError(f"The keyring's {what} is not valid base64.") from None
