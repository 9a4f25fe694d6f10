"""Forms on the user screens; each carries only what the action needs, never ids or flags."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import DataRequired

from guide.validation.forms import Form


class ConfirmActionForm(Form):
    """A button that changes something: deactivate, reactivate, reset the second factor."""


class ChangeRoleForm(Form):
    role = SelectField(_l("New role"), validators=[DataRequired(_l("Choose a role."))])
