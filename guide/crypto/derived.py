"""Keys for one purpose each (the audit chain, recovery codes), derived from the index key."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def derived_key(info: bytes) -> bytes:
    """The 32-byte key for the purpose ``info``, derived once per app from the index key."""
    cache = current_app.extensions.setdefault("fritidsguide.derived_keys", {})
    key = cache.get(info)
    if key is None:
        index_key = current_app.extensions["fritidsguide.cipher"].keyring.index_key
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(index_key)
        cache[info] = key
    return key
