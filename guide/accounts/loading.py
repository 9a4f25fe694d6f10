"""Flask-Login wiring: how a signed-in user is found again on each request."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from guide.extensions import login_manager


def configure_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str):
    from guide.accounts.sessions import session_user

    return session_user(user_id)
