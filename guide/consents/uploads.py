"""Scans of signed consent forms: PDF, JPEG or PNG, recognised by their first bytes.

The file's name and the browser's content type are never trusted: a text file named
``form.pdf`` is refused because it does not start like a PDF.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import gettext as _

MAX_SCAN_BYTES = 10 * 1024 * 1024

#: (leading bytes, content type, file extension) of each accepted format.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
EXTENSIONS = {content_type: extension for _magic, content_type, extension in SIGNATURES}


class ScanRefused(ValueError):
    """The upload is not an acceptable scan; ``str()`` says why, for the user."""


@dataclass(frozen=True)
class CheckedScan:
    """An accepted scan: its bytes, the type read from them, and their SHA-256 hex."""

    data: bytes
    content_type: str
    sha256: str


def sniff_content_type(data: bytes) -> str | None:
    """The content type the leading bytes announce, or None for anything else."""
    for magic, content_type, _extension in SIGNATURES:
        if data.startswith(magic):
            return content_type
    return None


def check_scan(stream: BinaryIO) -> CheckedScan:
    """Read an upload and accept it only as a PDF, JPEG or PNG of at most 10 MB."""
    # One byte more than allowed tells "exactly 10 MB" from "too big" without reading it all.
    data = stream.read(MAX_SCAN_BYTES + 1)
    if not data:
        raise ScanRefused(_("The file is empty. Choose the scan of the signed form."))
    if len(data) > MAX_SCAN_BYTES:
        raise ScanRefused(_("The file is larger than 10 MB. Scan it at a lower resolution."))
    content_type = sniff_content_type(data)
    if content_type is None:
        raise ScanRefused(
            _("The file is not a PDF, JPEG or PNG. Scan the form or take a photo of it.")
        )
    return CheckedScan(
        data=data, content_type=content_type, sha256=hashlib.sha256(data).hexdigest()
    )


def download_name(content_type: str, reference: str) -> str:
    """A file name for the download that reveals only the case reference."""
    return f"consent-{reference}.{EXTENSIONS.get(content_type, 'bin')}"
