"""The form an admin or coordinator fills in to invite someone."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField
from wtforms.validators import DataRequired, Email, Length

from guide.submissions import SubmittedOnce
from guide.validation.forms import Form

#: Role names as people read them, for choices and pages.
ROLE_LABELS = {
    "admin": _l("Administrator"),
    "coordinator": _l("Coordinator"),
    "referrer": _l("Referrer (teacher, school nurse, NAV …)"),
    "guide": _l("Fritidsguide"),
    "club_contact": _l("Club contact"),
}


class InviteUserForm(SubmittedOnce, Form):
    email = EmailField(
        _l("Their work e-mail address"),
        validators=[DataRequired(_l("Enter an e-mail address.")), Email(), Length(max=254)],
        render_kw={"autocomplete": "off"},
    )
    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose a role."))])
    #: Checked by the view against the organisation's clubs (and absent for admins).
    club = SelectField(_l("Club (only for club contacts)"), validate_choice=False, default="")
