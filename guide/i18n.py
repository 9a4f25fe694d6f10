"""Locale selection and formatting helpers (Flask-Babel)."""

from flask import Flask

from guide.extensions import babel


def configure_babel(app: Flask) -> None:
    babel.init_app(app)
