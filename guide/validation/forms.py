"""The base of every form: a POST whose form did not validate answers 400.

The view re-renders the page with the messages beside the fields as before; the request's
commit point (guide.unit_of_work) sets the status, so no view has to remember it.
"""

from __future__ import annotations

from flask import g
from flask_wtf import FlaskForm


class Form(FlaskForm):
    """A FlaskForm that records a failed submission for the request."""

    def validate_on_submit(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        if not self.is_submitted():
            return False
        if self.validate(extra_validators=extra_validators):
            return True
        g.invalid_form = True
        return False
