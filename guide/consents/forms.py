"""Forms for recording a consent or its withdrawal, and for printing the consent form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    Form,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from consent import NEVER_TO_CLUBS, Category, Recipient, categories_offered_to
from guide.consents.labels import (
    CHANNEL_LABELS,
    LANGUAGE_NAMES,
    METHOD_LABELS,
    PURPOSE_NAMES,
    category_name,
)
from guide.consents.texts import (
    CONSENT_LANGUAGES,
    CURRENT_TEXT_VERSION,
    TEXT_VERSIONS,
)
from guide.consents.uploads import CheckedScan, ScanRefused, check_scan
from guide.dates import start_of_local_day
from guide.referrals.forms import CheckboxGroupField
from guide.submissions import SubmittedOnce
from guide.validation.fields import FreeText, LocalDateField, MaxLength
from guide.validation.forms import Form as BaseForm

CHILD_VIEW_MAX = 2000
NAME_MAX = 200
#: The value of the "who consented" choice that means the child itself.
CHILD_CONSENTS = "child"
#: Methods staff record on this form; digital consents come only through the guardian's link.
FORM_METHODS = ("signed_paper", "verbal_documented")
#: Channels staff record a withdrawal through; the link records its own.
FORM_CHANNELS = ("in_person", "phone", "email", "letter")
#: Years a consent's dates can fall in; the calendar's ends (0001, 9999) are typing mistakes,
#: and an instant in Oslo at either end has no UTC time to be stored as.
CONSENT_YEARS = range(1900, 2200)


def _refuse_unreal_date(day: dt.date | None) -> None:
    if day is not None and day.year not in CONSENT_YEARS:
        raise ValidationError(_l("Enter a real date, for example 05.03.2026."))


class CategoryChoice(CheckboxGroupField):
    """The categories offered to one recipient; a club never gets health or economy."""

    def configure(self, recipient: Recipient) -> None:
        self.recipient = recipient
        self.choices = [
            SelectChoice(category.value, category_name(category))
            for category in Category
            if category in categories_offered_to(recipient)
        ]

    def pre_validate(self, form: Form) -> None:
        chosen = set(self.data or [])
        if self.recipient.is_club and chosen & {category.value for category in NEVER_TO_CLUBS}:
            raise ValidationError(
                _l("Health information and the family's economy are never shared with clubs.")
            )
        if chosen - {choice.value for choice in self.choices}:
            raise ValidationError(_l("Choose the information from the list."))


def _categories() -> CategoryChoice:
    return CategoryChoice(
        _l("Information the consent covers"),
        validators=[DataRequired(_l("Choose at least one kind of information."))],
    )


def _purpose() -> RadioField:
    return RadioField(
        _l("What the information will be used for"),
        choices=[SelectChoice(key, label) for key, label in PURPOSE_NAMES.items()],
        validators=[InputRequired(_l("Choose what the information will be used for."))],
    )


class ConsentForm(SubmittedOnce, BaseForm):
    consenter = RadioField(
        _l("Who gave consent"), validators=[InputRequired(_l("Choose who gave consent."))]
    )
    child_heard = RadioField(
        _l("Was the child asked what they think?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        # Checked below: it is asked only when someone consents on the child's behalf.
        validate_choice=False,
    )
    child_view = TextAreaField(
        _l("What the child said"),
        validators=[
            Optional(),
            MaxLength(CHILD_VIEW_MAX),
            FreeText(),
        ],
        render_kw={"rows": 3},
    )
    purpose = _purpose()
    categories = _categories()
    method = RadioField(
        _l("How the consent was given"),
        choices=[SelectChoice(method, METHOD_LABELS[method]) for method in FORM_METHODS],
        validators=[InputRequired(_l("Choose how the consent was given."))],
    )
    scan = FileField(_l("Scan of the signed form"))
    text_language = SelectField(
        _l("Language of the text the guardian saw"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in CONSENT_LANGUAGES],
        validators=[InputRequired(_l("Choose the language of the text."))],
    )
    text_version = SelectField(
        _l("Version of the consent text"),
        choices=[SelectChoice(version, version) for version in TEXT_VERSIONS],
        default=CURRENT_TEXT_VERSION,
        validators=[InputRequired(_l("Choose the version of the text."))],
    )
    given_on = LocalDateField(
        _l("Date the consent was given"),
        validators=[InputRequired(_l("Enter the date the consent was given."))],
    )
    valid_until = LocalDateField(_l("Valid to and including"), validators=[Optional()])

    def __init__(
        self,
        *args: Any,
        recipient: Recipient,
        consenters: list[SelectChoice],
        today: dt.date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.consenter.choices = consenters
        self.categories.configure(recipient)
        self.today = today
        #: The accepted upload, set while validating.
        self.checked_scan: CheckedScan | None = None

    def validate_child_heard(self, field: RadioField) -> None:
        if self.consenter.data != CHILD_CONSENTS and field.data not in ("yes", "no"):
            raise ValidationError(_l("Say whether the child was asked."))

    def validate_scan(self, field: FileField) -> None:
        upload = field.data
        if self.method.data != "signed_paper":
            if upload:
                raise ValidationError(_l("Only a signed paper form has a scan."))
            return
        if not upload:
            raise ValidationError(_l("Upload the scan of the signed form."))
        try:
            self.checked_scan = check_scan(upload.stream)
        except ScanRefused as refusal:
            raise ValidationError(str(refusal)) from None

    def validate_given_on(self, field: LocalDateField) -> None:
        _refuse_unreal_date(field.data)
        if field.data is not None and field.data > self.today:
            raise ValidationError(_l("The date cannot be in the future."))

    def validate_valid_until(self, field: LocalDateField) -> None:
        _refuse_unreal_date(field.data)
        given_on = self.given_on.data
        if field.data is not None and given_on is not None and field.data <= given_on:
            raise ValidationError(_l("The end date must come after the date it was given."))

    @property
    def given_at(self) -> dt.datetime:
        return start_of_local_day(self.given_on.data)

    @property
    def valid_until_at(self) -> dt.datetime | None:
        # "To and including" a date: the consent ends when the next day begins.
        day = self.valid_until.data
        return start_of_local_day(day + dt.timedelta(days=1)) if day is not None else None


class WithdrawalForm(BaseForm):
    channel = RadioField(
        _l("How the withdrawal came in"),
        choices=[SelectChoice(channel, CHANNEL_LABELS[channel]) for channel in FORM_CHANNELS],
        validators=[InputRequired(_l("Choose how the withdrawal came in."))],
    )
    withdrawn_by_name = StringField(
        _l("Who withdrew the consent"),
        validators=[
            DataRequired(_l("Enter who withdrew the consent.")),
            MaxLength(NAME_MAX),
            FreeText(),
        ],
    )


class PrintableConsentForm(BaseForm):
    """What goes on the paper form; sent with GET, so no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    language = SelectField(
        _l("Language of the form"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in CONSENT_LANGUAGES],
        validators=[InputRequired(_l("Choose the language of the form."))],
    )
    purpose = _purpose()
    categories = _categories()

    def __init__(self, *args: Any, recipient: Recipient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories.configure(recipient)
