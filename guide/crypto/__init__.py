"""Field encryption at rest (AES-256-GCM), blind indexes and key rotation."""

from guide.crypto.cipher import BlindIndex, DecryptionError, FieldCipher
from guide.crypto.keyring import Keyring, KeyringError, load_keyring

__all__ = [
    "BlindIndex",
    "DecryptionError",
    "FieldCipher",
    "Keyring",
    "KeyringError",
    "load_keyring",
]
