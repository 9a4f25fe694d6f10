"""Forms for the second factor: enrollment, the sign-in code, new recovery codes."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from guide.validation.forms import Form


class StartEnrollmentForm(Form):
    """Only the CSRF token: the button that creates a new secret."""


class AuthenticatorCodeForm(Form):
    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(_l("Enter the six digits the app shows.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )


class SignInCodeForm(Form):
    code = StringField(
        _l("Code from the app, or a recovery code"),
        validators=[DataRequired(_l("Enter a code.")), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false"},
    )
