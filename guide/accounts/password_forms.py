"""Forms for choosing a password (invitation, reset) and for asking for a reset link."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from guide.accounts.password_policy import MAX_LENGTH, MIN_LENGTH, StrongPassword
from guide.validation.forms import Form


class NewPasswordForm(Form):
    """A new password typed twice; ``known_words`` (name, address) make it weaker if used."""

    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password.")), StrongPassword()],
        render_kw={"autocomplete": "new-password", "maxlength": MAX_LENGTH},
    )
    password_confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Type the password again.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password", "maxlength": MAX_LENGTH},
    )

    def __init__(self, *args: object, known_words: list[str] | None = None, **kwargs: object):
        super().__init__(*args, **kwargs)
        self.known_words = list(known_words or [])

    def password_user_inputs(self) -> list[str]:
        """What the password must not lean on: read by the StrongPassword validator."""
        return self.known_words


class AcceptInvitationForm(NewPasswordForm):
    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter your full name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )

    def password_user_inputs(self) -> list[str]:
        return [*self.known_words, self.full_name.data or ""]


class ResetPasswordForm(NewPasswordForm):
    pass


class ForgotPasswordForm(Form):
    # Only a look-up: any address that can sign in must be accepted, so no strict Email().
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Enter an e-mail address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "username"},
    )


#: Shown beside the password field on every form that sets one.
PASSWORD_HINT = _l(
    "At least %(count)d characters. A few unrelated words make a good password; "
    "spaces are allowed and pasting from a password manager works.",
    count=MIN_LENGTH,
)
