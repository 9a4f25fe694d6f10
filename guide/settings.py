"""The one typed settings object, read once from config/ and the environment."""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
ENV_PREFIX = "FRITIDSGUIDE_"
#: Variables that keep their conventional names instead of the prefix.
PLAIN_ENV_NAMES = {"database_url": "DATABASE_URL", "redis_url": "REDIS_URL"}


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclasses.dataclass(frozen=True)
class Settings:
    environment: str = "production"
    demo_mode: bool = False
    database_url: str = ""
    redis_url: str = ""
    secret_key: str = ""
    #: JSON keyring, or the path of a file holding it (see docs/keys.md).
    keyring: str = ""
    default_locale: str = "nb"
    locales: tuple[str, ...] = ("nb", "nn", "en")
    timezone: str = "Europe/Oslo"
    base_url: str = "http://127.0.0.1:5000"
    #: Off only in tests that are not about rate limits.
    rate_limits_enabled: bool = True
    #: How many reverse proxies in front of the app set X-Forwarded-For/-Proto (0: none).
    trusted_proxies: int = 0
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    mail_from: str = ""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_timeout_seconds: int = 10
    smtp_use_tls: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    #: How long a worker may hold one message while sending it before another may retry it.
    outbox_lease_seconds: int = 180
    #: Days before an equipment loan's due date that its guide is reminded (``flask loans remind``).
    loan_reminder_days: int = 3
    #: Days before a guide's police certificate runs out that it counts as "expires soon":
    #: the roster's reminder to renew and the figures' count (see docs/production.md).
    police_certificate_warning_days: int = 60
    password_time_cost: int = 2
    password_memory_kib: int = 19456
    password_parallelism: int = 1
    log_level: str = "INFO"
    #: Folder for the SQLite file and demo secrets; empty means instance/ in the project.
    instance_path: str = ""

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_testing(self) -> bool:
        return self.environment == "test"

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def __repr__(self) -> str:  # secrets must never reach a log or traceback
        return f"Settings(environment={self.environment!r}, demo_mode={self.demo_mode!r})"


SECRET_FIELDS = frozenset({"secret_key", "keyring", "smtp_password"})


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    defaults_file: Path = CONFIG_DIR / "defaults.toml",
) -> Settings:
    """Defaults from config/, then environment variables, then explicit overrides."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    if defaults_file.exists():
        with defaults_file.open("rb") as handle:
            values.update(tomllib.load(handle))
    hints = typing.get_type_hints(Settings)
    for field in dataclasses.fields(Settings):
        env_name = PLAIN_ENV_NAMES.get(field.name, ENV_PREFIX + field.name.upper())
        if env_name in environ:
            values[field.name] = environ[env_name]
    values.update(overrides or {})
    unknown = set(values) - set(hints)
    if unknown:
        raise SettingsError(f"Unknown setting(s): {', '.join(sorted(unknown))}")
    return Settings(**{name: _coerce(name, value, hints[name]) for name, value in values.items()})


def _coerce(name: str, value: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    try:
        if hint is bool:
            return _as_bool(value)
        if hint is int:
            return int(value)
        if origin is tuple:
            items = value.split(",") if isinstance(value, str) else value
            return tuple(str(item).strip() for item in items if str(item).strip())
        if hint is str or isinstance(hint, types.UnionType):
            return str(value)
    except (TypeError, ValueError) as error:
        shown = "(hidden)" if name in SECRET_FIELDS else repr(value)
        raise SettingsError(f"Setting {name} has an invalid value {shown}") from error
    return value


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(text)
