"""Forms for consent links (staff and guardian) and for sharing a child with a club."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consent import Category
from guide.consents.labels import LANGUAGE_NAMES, category_name
from guide.consents.links import LinkPurpose
from guide.consents.sharing import CLUB_CATEGORIES
from guide.consents.texts import CONSENT_LANGUAGES
from guide.submissions import SubmittedOnce
from guide.validation.forms import Form

DELIVERY_EMAIL = "email"
DELIVERY_SHOW = "show"


class CreateLinkForm(SubmittedOnce, Form):
    """Staff: which guardian, give or withdraw, the page's language, how the link reaches them."""

    guardian = SelectField(_l("Guardian"), validators=[InputRequired()])
    purpose = RadioField(
        _l("The link lets the guardian"),
        choices=[
            SelectChoice(LinkPurpose.give.value, _l("give or refuse consent")),
            SelectChoice(LinkPurpose.withdraw.value, _l("withdraw a consent")),
        ],
        default=LinkPurpose.give.value,
        validators=[InputRequired()],
    )
    language = SelectField(
        _l("Language of the guardian's page"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in CONSENT_LANGUAGES],
        # Preselected with the guardian's language; one not sent means that language.
        validate_choice=False,
    )
    delivery = RadioField(
        _l("How the link reaches the guardian"),
        choices=[
            SelectChoice(DELIVERY_EMAIL, _l("By e-mail, and shown here")),
            SelectChoice(
                DELIVERY_SHOW, _l("Only shown here, as a QR code and a link to read out or text")
            ),
        ],
        default=DELIVERY_SHOW,
        validators=[InputRequired()],
    )

    def validate_language(self, field: SelectField) -> None:
        if field.data and field.data not in CONSENT_LANGUAGES:
            raise ValidationError(_l("Choose a language from the list."))

    @property
    def chosen_language(self) -> str | None:
        return self.language.data or None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ShareForm(SubmittedOnce, Form):
    """Staff: which club, and which consented categories go to it."""

    club = SelectField(_l("Club"), validators=[InputRequired()])
    categories = MultiCheckboxField(_l("Information to share"), validators=[InputRequired()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.categories.choices = [
            SelectChoice(category.value, category_name(category)) for category in CLUB_CATEGORIES
        ]

    def chosen_categories(self) -> list[Category]:
        return [Category(value) for value in self.categories.data or []]


class FamilyConsentForm(SubmittedOnce, Form):
    """Guardian: the ticked recipients and categories come from the page's checkboxes."""

    child_heard = RadioField(
        _l("Have you talked with your child about this?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[Optional()],
    )
    child_view = TextAreaField(
        _l("What your child thinks (optional)"), validators=[Optional(), Length(max=2000)]
    )
    text_version = HiddenField()


class FamilyWithdrawForm(SubmittedOnce, Form):
    """Guardian: the consents to withdraw come from the page's checkboxes."""
