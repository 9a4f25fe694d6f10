"""Checks and preparations that run before the app serves anything."""

from __future__ import annotations

import dataclasses
import logging
import os
import secrets
from pathlib import Path

from guide.crypto.keyring import Keyring, write_keyring_file
from guide.settings import Settings

log = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """The app refuses to start; the message says what to configure."""


def prepare_demo_secrets(settings: Settings, instance_path: Path) -> Settings:
    """In demo mode only, make a secret key and keyring in the instance folder if none is set."""
    if not settings.demo_mode:
        return settings
    changes: dict[str, str] = {}
    if not settings.keyring:
        keyring_file = instance_path / "demo-keyring.json"
        if not keyring_file.exists():
            write_keyring_file(keyring_file, Keyring.generate())
            log.warning(
                "DEMO MODE: generated a new keyring at %s. Never use demo keys for real data.",
                keyring_file,
            )
        changes["keyring"] = str(keyring_file)
    if not settings.secret_key:
        secret_file = instance_path / "demo-secret-key"
        if not secret_file.exists():
            descriptor = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            log.warning("DEMO MODE: generated a session secret at %s.", secret_file)
        changes["secret_key"] = secret_file.read_text().strip()
    return dataclasses.replace(settings, **changes) if changes else settings
