"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Flask
from sqlalchemy import Engine, event
from werkzeug.middleware.proxy_fix import ProxyFix

from guide import extensions
from guide.crypto import BlindIndex, FieldCipher, KeyringError, load_keyring
from guide.settings import Settings, load_settings
from guide.startup import (
    StartupError,
    check_keyring_belongs_to_database,
    prepare_demo_secrets,
)
from guide.submissions import form_tokens
from guide.unit_of_work import Application, register_unit_of_work_handlers

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)

#: Feature packages with a blueprint named ``bp`` in their views module.
BLUEPRINT_MODULES = (
    "guide.web.views",
    "guide.accounts.views",
    "guide.accounts.twofactor_views",
    "guide.cases.views",
    "guide.dashboard.views",
    "guide.accounts.invitation_views",
    "guide.accounts.password_views",
    "guide.admin.views",
    "guide.referrals.views",
    "guide.guides.views",
    "guide.cases.assignment_views",
    "guide.activities.views",
    "guide.catalogue.views",
    "guide.areas.views",
    "guide.enrollments.views",
    "guide.consents.views",
    "guide.consents.family_views",
    "guide.consents.sharing_views",
    "guide.clubs_portal.views",
    "guide.support.loan_views",
    "guide.support.views",
    "guide.reports.views",
    "guide.organisations.views",
    "guide.tasks.views",
)


def create_app(config: Mapping[str, Any] | Settings | None = None) -> Flask:
    """Build the app from config/ defaults, the environment, and ``config`` overrides."""
    settings = config if isinstance(config, Settings) else load_settings(config)
    app = Application(
        __name__,
        instance_path=str(Path(settings.instance_path or ROOT / "instance").resolve()),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    settings = prepare_demo_secrets(settings, Path(app.instance_path))
    app.extensions["fritidsguide.settings"] = settings
    configure_flask(app, settings)
    configure_crypto(app, settings)
    register_extensions(app, settings)
    register_blueprints(app)
    register_cli(app)
    check_keyring_belongs_to_database(app)
    if settings.trusted_proxies:
        # Behind a reverse proxy, take the client address (for rate limits) from its header.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies
        )
    return app


def configure_flask(app: Flask, settings: Settings) -> None:
    if not settings.secret_key:
        raise StartupError(
            "No secret key is configured. Set FRITIDSGUIDE_SECRET_KEY (a long random string)."
        )
    database_url = settings.database_url or (
        f"sqlite:///{Path(app.instance_path) / 'fritidsguide.sqlite3'}"
    )
    secure_cookies = settings.environment == "production"
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=normalise_database_url(database_url),
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(database_url),
        TESTING=settings.is_testing,
        SESSION_COOKIE_NAME="__Host-session" if secure_cookies else "session",
        SESSION_COOKIE_SECURE=secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_DURATION=0,
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"),
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=12 * 1024 * 1024,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        RATELIMIT_ENABLED=settings.rate_limits_enabled,
    )
    logging.basicConfig(level=settings.log_level)


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever scheme the URL gives."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def configure_crypto(app: Flask, settings: Settings) -> None:
    try:
        keyring = load_keyring(settings.keyring)
    except KeyringError as error:
        raise StartupError(f"Fritidsguide cannot start: {error}") from None
    app.extensions["fritidsguide.cipher"] = FieldCipher(keyring)
    app.extensions["fritidsguide.blind_index"] = BlindIndex(keyring.index_key)


def register_extensions(app: Flask, settings: Settings) -> None:
    from guide.accounts.loading import configure_login
    from guide.i18n import configure_babel
    from guide.security_headers import register_security_headers
    from guide.web.errors import register_error_handlers
    from guide.web.request_id import register_request_ids

    extensions.db.init_app(app)
    with app.app_context():
        if extensions.db.engine.dialect.name == "sqlite":
            event.listen(extensions.db.engine, "connect", _sqlite_pragmas)
            _never_recreate_sqlite_file(extensions.db.engine)
    register_request_ids(app)
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    configure_babel(app)
    configure_login(app)
    register_security_headers(app)
    register_error_handlers(app)
    register_unit_of_work_handlers(app)
    app.jinja_env.globals["form_tokens"] = form_tokens
    import guide.models  # noqa: F401  (every table registered on the metadata)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _never_recreate_sqlite_file(engine: Engine) -> None:
    """Open a SQLite file that exists at start-up read-write only (``mode=rw``).

    If the file goes away while the app runs, connecting fails (an outage: 503, and back
    once the file is) instead of silently creating a new, empty database in its place.
    """
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:") or not Path(path).is_file():
        return  # in memory, already a URI, or a new database that the migrations create
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=rw"

    @event.listens_for(engine, "do_connect")
    def _read_write_only(_dialect: Any, _record: Any, cargs: list, cparams: dict) -> None:
        cargs[0] = uri
        cparams["uri"] = True


def register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for module_name in BLUEPRINT_MODULES:
        app.register_blueprint(import_module(module_name).bp)


def register_cli(app: Flask) -> None:
    from guide.cli import COMMAND_GROUPS

    for group in COMMAND_GROUPS:
        app.cli.add_command(group)
