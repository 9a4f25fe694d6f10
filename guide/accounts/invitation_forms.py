"""The form an admin or coordinator fills in to invite someone."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField
from wtforms.validators import DataRequired, Email, Length

from guide.accounts.models import ReferrerKind
from guide.reports.labels import REFERRER_KIND_LABELS
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
    #: Checked by the service: required for referrers, refused for everyone else.
    referrer_kind = SelectField(_l("Type of referrer (only for referrers)"), choices=[], default="")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.referrer_kind.choices = referrer_kind_choices()


def referrer_kind_choices() -> list[tuple[str, object]]:
    """An empty placeholder, then each referrer type by its translated name."""
    return [
        ("", _l("Choose …")),
        *((kind.value, REFERRER_KIND_LABELS[kind]) for kind in ReferrerKind),
    ]


class InvitationActionForm(Form):
    """A button on a pending invitation: send it again, or withdraw it."""


class ReferrerKindForm(Form):
    """An administrator corrects a referrer's type."""

    referrer_kind = SelectField(
        _l("Type of referrer"),
        choices=[],
        validators=[DataRequired(_l("Choose what kind of referrer this is."))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.referrer_kind.choices = referrer_kind_choices()
