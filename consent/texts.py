"""Consent text versions: which exact wording a guardian saw when consenting."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass


def text_fingerprint(text: str) -> str:
    """SHA-256 hex digest of the NFC-normalised UTF-8 text."""
    # NFC first: "ø" typed as one code point or as "o" + combining stroke is the same text.
    normalised = unicodedata.normalize("NFC", text)
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ConsentTextVersion:
    """One version of a consent text in one language."""

    version: str
    language: str
    text: str

    @property
    def fingerprint(self) -> str:
        """The fingerprint stored with a consent to prove which text was shown."""
        return text_fingerprint(self.text)

    def matches(self, fingerprint: str) -> bool:
        """True if ``fingerprint`` was taken of this very text."""
        return fingerprint == self.fingerprint
