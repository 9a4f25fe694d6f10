"""What every template can use: frame values and tests that tell form fields apart."""

from __future__ import annotations

from typing import Any

from flask import current_app
from wtforms import Field
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget, RadioInput

from consent import CHILD_OWN_CONSENT_AGE
from guide.web.redirects import current_path
from guide.web.urls import uuid_url_builder


def frame_context() -> dict[str, Any]:
    """Values the base layout needs on every page."""
    settings = current_app.extensions["fritidsguide.settings"]
    return {"demo_mode": settings.demo_mode}


def is_choice_group(field: Field) -> bool:
    """A list of radio buttons or checkboxes, rendered as a fieldset."""
    return isinstance(field.widget, ListWidget)


def is_checkbox(field: Field) -> bool:
    return isinstance(field.widget, CheckboxInput | RadioInput)


def is_hidden(field: Field) -> bool:
    return isinstance(field.widget, HiddenInput)


TEMPLATE_GLOBALS = {
    "current_path": current_path,
    "uuid_url_builder": uuid_url_builder,
    "child_consent_age": CHILD_OWN_CONSENT_AGE,
}
TEMPLATE_TESTS = {
    "choice_group": is_choice_group,
    "checkbox": is_checkbox,
    "hidden_field": is_hidden,
}
