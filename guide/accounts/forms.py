"""Sign-in forms."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from guide.validation.forms import Form


class SignInForm(Form):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Enter your e-mail address.")), Email(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
