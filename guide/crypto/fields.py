"""Model attributes whose values are encrypted in the database.

``first_name = EncryptedText()`` on a model adds a binary column ``first_name``
holding the sealed value, and makes the attribute read and write plain text.
Values are bound to table, column and row id, so the row id (a UUID made in
Python) is assigned before the first encryption.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app
from sqlalchemy import LargeBinary
from sqlalchemy.orm import mapped_column

from guide.crypto.cipher import BlindIndex, FieldCipher

#: Every encrypted attribute of every model, for key rotation and checks.
ENCRYPTED_FIELDS: list[EncryptedText] = []


def field_cipher() -> FieldCipher:
    return current_app.extensions["fritidsguide.cipher"]


def blind_index() -> BlindIndex:
    return current_app.extensions["fritidsguide.blind_index"]


class EncryptedText:
    """A text attribute stored with AES-256-GCM; ``grep Encrypted`` finds every one."""

    binary = False

    def __init__(self, *, nullable: bool = True) -> None:
        self.nullable = nullable
        self.owner: type | None = None
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        # Runs while the class is built, before the declarative mapping reads the class body.
        self.owner = owner
        self.name = name
        setattr(
            owner, self.storage_attribute, mapped_column(name, LargeBinary, nullable=self.nullable)
        )
        ENCRYPTED_FIELDS.append(self)

    @property
    def storage_attribute(self) -> str:
        return f"_{self.name}_sealed"

    @property
    def table(self) -> str:
        return self.owner.__tablename__  # type: ignore[union-attr]

    @property
    def column(self):
        return self.owner.__table__.c[self.name]  # type: ignore[union-attr]

    def _cache(self, instance: Any) -> dict[str, tuple[bytes, Any]]:
        return instance.__dict__.setdefault("_fritidsguide_plaintext", {})

    def __get__(self, instance: Any, owner: type) -> Any:
        if instance is None:
            return self
        sealed = getattr(instance, self.storage_attribute)
        if sealed is None:
            return None
        cached = self._cache(instance).get(self.name)
        if cached is not None and cached[0] is sealed:
            return cached[1]
        value = self.reveal(sealed, row_id=instance.id)
        self._cache(instance)[self.name] = (sealed, value)
        return value

    def reveal(self, sealed: bytes | None, *, row_id: uuid.UUID) -> Any:
        """The plain value of ``sealed`` read from this column of row ``row_id``.

        For queries that select the stored column itself rather than whole objects.
        """
        if sealed is None:
            return None
        raw = field_cipher().decrypt_bytes(
            sealed, table=self.table, column=self.name, row_id=str(row_id)
        )
        return raw if self.binary else raw.decode("utf-8")

    @property
    def sealed_column(self):
        """The mapped attribute holding the sealed bytes, for ``select()`` and ``load_only``."""
        return getattr(self.owner, self.storage_attribute)

    def __set__(self, instance: Any, value: Any) -> None:
        if value is None:
            if not self.nullable:
                raise ValueError(f"{self.table}.{self.name} cannot be empty")
            setattr(instance, self.storage_attribute, None)
            return
        if instance.id is None:
            instance.id = uuid.uuid4()
        raw = bytes(value) if self.binary else str(value).encode("utf-8")
        sealed = field_cipher().encrypt_bytes(
            raw, table=self.table, column=self.name, row_id=str(instance.id)
        )
        setattr(instance, self.storage_attribute, sealed)
        self._cache(instance)[self.name] = (sealed, value)


class EncryptedBytes(EncryptedText):
    """A binary attribute (an uploaded scan) stored the same way."""

    binary = True
