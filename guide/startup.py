"""Checks and preparations that run before the app serves anything."""

from __future__ import annotations

import dataclasses
import logging
import os
import secrets
from pathlib import Path

from flask import Flask
from sqlalchemy import inspect
from sqlalchemy.exc import InterfaceError, OperationalError

from guide.crypto.binding import bind_keyring
from guide.crypto.checks import KeyProblem, refusal
from guide.crypto.keyring import Keyring, write_keyring_file
from guide.crypto.models import KeyCheck
from guide.extensions import db
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


def check_keyring_belongs_to_database(app: Flask) -> None:
    """Refuse to start with a keyring the database does not know."""
    problems = bind_keyring_to_database(app)
    if problems:
        raise StartupError(f"Fritidsguide cannot start: {refusal(problems)}")


def bind_keyring_to_database(app: Flask) -> list[KeyProblem]:
    """Check the app's keyring against the database and record check values for new keys.

    Nothing to check before the database is migrated (a new database, the start of
    ``flask db upgrade``, which checks again once the table exists): migrating must stay
    possible. An unreachable database does not stop start-up either: ``/healthz`` answers
    503 until the database answers and the keyring matches.
    """
    keyring = app.extensions["fritidsguide.cipher"].keyring
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                if not inspect(connection).has_table(KeyCheck.__tablename__):
                    log.info("The database is not migrated yet: the keyring is checked later.")
                    return []
                problems = bind_keyring(connection, keyring)
                if not problems:
                    connection.commit()
                return problems
        except (OperationalError, InterfaceError) as error:
            log.warning(
                "The keyring could not be checked against the database at start-up (%s); "
                "/healthz checks it once the database answers.",
                type(error).__name__,
            )
            return []
        finally:
            # No connection made before a server forks its workers may be shared by them.
            db.engine.dispose()
