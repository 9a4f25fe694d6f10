"""TOTP codes (RFC 6238), the enrollment QR code, and recovery-code generation and hashing.

Plain functions without database access; ``second_factor`` holds the services.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import secrets
import time

import pyotp
import segno
from markupsafe import Markup

from guide.crypto.derived import derived_key

ISSUER = "Fritidsguide"
#: Seconds per time step, the RFC 6238 default every authenticator app uses.
STEP_SECONDS = 30
#: Steps accepted on either side of the server's, for phones whose clock drifts a little.
ALLOWED_DRIFT_STEPS = 1
CODE_DIGITS = 6

RECOVERY_CODE_COUNT = 10
#: No 0/O, 1/I/L or 5/S pairs: the codes are read off paper and typed by hand.
RECOVERY_ALPHABET = "2346789ABCDEFGHJKMNPQRTUVWXYZ"
RECOVERY_GROUPS = 3
RECOVERY_GROUP_LENGTH = 4


def new_secret() -> str:
    """A fresh random base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(length=32)


def current_time() -> float:
    """Seconds since the epoch; a function so tests can move the clock."""
    return time.time()


def current_step(now: float | None = None) -> int:
    return int((current_time() if now is None else now) // STEP_SECONDS)


def code_for_step(secret: str, step: int) -> str:
    """The code an authenticator app shows during ``step``."""
    return pyotp.TOTP(secret, digits=CODE_DIGITS, interval=STEP_SECONDS).generate_otp(step)


def normalise_code(code: str) -> str:
    """Drop spaces and dashes people type between digit groups."""
    return re.sub(r"[\s\-]", "", code or "")


def looks_like_totp_code(code: str) -> bool:
    return bool(re.fullmatch(rf"\d{{{CODE_DIGITS}}}", normalise_code(code)))


def matching_step(
    secret: str, code: str, *, last_step: int | None, now: float | None = None
) -> int | None:
    """The time step ``code`` belongs to if it is valid and newer than ``last_step``, else None.

    A step at or before ``last_step`` is refused, so a code (or an older one) works only once.
    """
    code = normalise_code(code)
    if not looks_like_totp_code(code):
        return None
    step_now = current_step(now)
    for step in range(step_now - ALLOWED_DRIFT_STEPS, step_now + ALLOWED_DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(code_for_step(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, *, account_name: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=CODE_DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account_name, issuer_name=ISSUER
    )


def qr_code_svg(data: str, *, title: str) -> Markup:
    """An inline SVG QR code of ``data``; it uses attributes only, so the strict CSP allows it."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        scale=5,
        border=4,
        title=title,
        svgclass="app-qr-code",
        lineclass=None,
        dark="#000",
        light="#fff",
    )
    svg = buffer.getvalue().decode("utf-8")
    if "style=" in svg:  # a segno upgrade must not slip an inline style past the CSP
        raise RuntimeError("The QR code SVG contains an inline style")
    # segno escapes the title; nothing else in the SVG comes from outside.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704


def grouped_secret(secret: str) -> str:
    """The secret in groups of four for typing into an app by hand."""
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def new_recovery_code() -> str:
    """A random code such as ``K7PD-3XQM-9RTA`` (about 58 bits)."""
    groups = (
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_LENGTH))
        for _ in range(RECOVERY_GROUPS)
    )
    return "-".join(groups)


def normalise_recovery_code(code: str) -> str:
    """Upper-case without spaces or dashes, so ``k7pd 3xqm-9rta`` matches ``K7PD-3XQM-9RTA``."""
    return normalise_code(code).upper()


def recovery_code_hash(code: str, *, user_id: object) -> str:
    """Keyed hash of a recovery code, bound to its user; the key never leaves the keyring.

    The codes are long and random, so a keyed HMAC resists guessing as well as a slow hash,
    and it lets sign-in find the code with one query instead of ten slow verifications.
    """
    message = f"{user_id}:{normalise_recovery_code(code)}".encode()
    return hmac.new(_recovery_key(), message, hashlib.sha256).hexdigest()


def _recovery_key() -> bytes:
    return derived_key(b"fritidsguide recovery codes")
