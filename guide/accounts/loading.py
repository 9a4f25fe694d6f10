"""Flask-Login wiring: how a signed-in user is found again on each request."""

from flask import Flask

from guide.extensions import login_manager


def configure_login(app: Flask) -> None:
    login_manager.init_app(app)
