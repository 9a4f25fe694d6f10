"""Optimistic locking on forms: one field for the version a user saw, one check."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput

from guide.unit_of_work import StaleEdit


def VersionField() -> IntegerField:
    """The row's version as the page showed it, sent back with the form."""
    return IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(_l("The page is out of date. Reload it and try again."))],
    )


def check_version(row: Any, seen: int | None, *, url: str | None = None) -> None:
    """Raise StaleEdit unless ``row`` still has the version the user saw."""
    if seen is None or row.version != seen:
        raise StaleEdit(url)
