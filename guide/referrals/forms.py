"""The referral form a teacher or school nurse fills in, and the coordinator's intake forms.

Forms validate and normalise only; they never write to the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consent import CHILD_OWN_CONSENT_AGE, may_consent_alone
from guide.areas.fields import AreaSelectField
from guide.cases.labels import BARRIER_LABELS, CONSENT_METHOD_LABELS, HELP_LEVEL_LABELS
from guide.cases.models import GuardianRelation, HelpLevel
from guide.dates import local_date
from guide.referrals.models import ConsentToReferMethod
from guide.referrals.services import GuardianDetails, ReferralDetails
from guide.submissions import SubmittedOnce
from guide.validation.fields import (
    FreeText,
    NationalIdValidator,
    PersonName,
    PhoneValidator,
)
from guide.validation.forms import Form as BaseForm
from guide.validation.national_id import parse_national_id
from guide.validation.versions import VersionField

#: Older than this, a typed birth date is almost certainly a typing error (wrong year).
MAX_CHILD_AGE_YEARS = 25
FREE_TEXT_MAX = 4000
#: Dates as the browser's date picker sends them, and as people type them without one.
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]

LANGUAGE_LABELS = {
    "nb": _l("Norwegian (bokmål)"),
    "nn": _l("Norwegian (nynorsk)"),
    "en": _l("English"),
    "ar": _l("Arabic"),
    "so": _l("Somali"),
    "uk": _l("Ukrainian"),
    "pl": _l("Polish"),
    "ti": _l("Tigrinya"),
    "other": _l("Another language"),
}
RELATION_LABELS = {
    GuardianRelation.mother: _l("Mother"),
    GuardianRelation.father: _l("Father"),
    GuardianRelation.other_guardian: _l("Other guardian"),
    GuardianRelation.foster_parent: _l("Foster parent"),
    GuardianRelation.other: _l("Other"),
}
#: Who may consent: a guardian, or the child itself from ``CHILD_OWN_CONSENT_AGE``.
CONSENT_RELATION_LABELS = {
    **RELATION_LABELS,
    "child": _l("The child (%(age)d or older)", age=CHILD_OWN_CONSENT_AGE),
}
CHOOSE_ONE = _l("Choose one of the options.")
#: Third-party data: the browser must not fill in the referrer's own name or number.
NO_AUTOFILL = {"autocomplete": "off"}
NAME_INPUT = {"autocomplete": "off", "spellcheck": "false"}


def _choices(labels: dict[Any, Any], *, blank: Any = None) -> list[SelectChoice]:
    options = [SelectChoice(str(key), label) for key, label in labels.items()]
    return [SelectChoice("", blank), *options] if blank is not None else options


class DayField(DateField):
    """A date with a clear, translated message when it does not exist (e.g. 30 February)."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, format=DATE_FORMATS, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(
                _l("This date does not exist. Write it as day.month.year, e.g. 03.04.2015.")
            ) from None


class CheckboxGroupField(SelectMultipleField):
    """Several checkboxes, any number of which may be ticked."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _text(label: Any, *, max_length: int, required: Any = None, **kwargs: Any) -> StringField:
    checks = [DataRequired(required)] if required else [Optional()]
    too_long = _l("Shorten this to %(max)d characters or fewer.", max=max_length)
    checks = [*checks, Length(max=max_length, message=too_long), FreeText()]
    return StringField(label, checks, **kwargs)


def _free_text(label: Any, *, required: Any = None) -> TextAreaField:
    checks = [DataRequired(required)] if required else [Optional()]
    too_long = _l("Shorten this to %(max)d characters or fewer.", max=FREE_TEXT_MAX)
    # FreeText refuses text-direction overrides, which could reorder what a coordinator reads.
    return TextAreaField(label, [*checks, Length(max=FREE_TEXT_MAX, message=too_long), FreeText()])


class GuardianForm(Form):
    """One guardian; whether it is required is decided by the referral form."""

    full_name = StringField(_l("Full name"), [Optional(), PersonName()], render_kw=NAME_INPUT)
    relation = SelectField(
        _l("Relation to the child"),
        choices=_choices(RELATION_LABELS, blank=_l("Choose …")),
        validate_choice=False,  # checked in ReferralForm, where we know if it is required
    )
    phone = StringField(
        _l("Mobile phone"),
        [Optional(), PhoneValidator()],
        render_kw={**NO_AUTOFILL, "type": "tel", "inputmode": "tel"},
    )
    email = EmailField(
        _l("E-mail"),
        [
            Optional(),
            Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
            Email(_l("Write an e-mail address like name@example.no.")),
        ],
        render_kw={**NO_AUTOFILL, "inputmode": "email", "spellcheck": "false"},
    )
    preferred_language = SelectField(
        _l("Preferred language"),
        choices=_choices(LANGUAGE_LABELS),
        default="nb",
        invalid_choice_message=CHOOSE_ONE,
    )
    needs_interpreter = BooleanField(_l("Needs an interpreter"))

    def is_blank(self) -> bool:
        return not any(
            (field.raw_data or [""])[0].strip()
            for field in (self.full_name, self.phone, self.email)
        )


@dataclass(frozen=True)
class _LabelText:
    text: str


@dataclass(frozen=True)
class _SummaryEntry:
    """A guardian's field as the error summary shows it: label prefixed with whose it is."""

    field: Field
    prefix: Any

    @property
    def id(self) -> str:
        return self.field.id

    @property
    def errors(self) -> list[Any]:
        return self.field.errors

    @property
    def widget(self) -> Any:
        return self.field.widget

    @property
    def label(self) -> _LabelText:
        return _LabelText(f"{self.prefix}: {self.field.label.text}")


class ReferralForm(SubmittedOnce, BaseForm):
    """A referral, in the order a school nurse has the facts at hand."""

    child_first_name = StringField(
        _l("First name"),
        [DataRequired(_l("Enter the child's first name.")), PersonName()],
        render_kw=NAME_INPUT,
    )
    child_last_name = StringField(
        _l("Last name"),
        [DataRequired(_l("Enter the child's last name.")), PersonName()],
        render_kw=NAME_INPUT,
    )
    national_id = StringField(
        _l("National identity number (optional)"),
        [Optional(), NationalIdValidator()],
        # Optional() lets spaces alone through unchecked: they are no number.
        filters=[lambda value: value if value is None or value.strip() else None],
        render_kw={**NO_AUTOFILL, "inputmode": "numeric", "spellcheck": "false"},
    )
    birth_date = DayField(_l("Birth date"), [Optional()], render_kw=NO_AUTOFILL)
    school = _text(_l("School"), max_length=200, render_kw=NO_AUTOFILL)
    school_class = _text(_l("Class"), max_length=20, render_kw=NO_AUTOFILL)
    area = AreaSelectField(_l("Area (bydel or school district)"))
    languages = CheckboxGroupField(
        _l("Languages the child speaks"),
        choices=_choices(LANGUAGE_LABELS),
        invalid_choice_message=CHOOSE_ONE,
    )

    guardian = FormField(GuardianForm, label=_l("Guardian"))
    second_guardian = FormField(GuardianForm, label=_l("Second guardian"))

    interests_in_own_words = _free_text(_l("What the child likes and wishes, in its own words"))
    barriers = CheckboxGroupField(
        _l("What stands in the way today"),
        choices=_choices(BARRIER_LABELS),
        invalid_choice_message=CHOOSE_ONE,
    )
    help_level = RadioField(
        _l("Help the family wants"),
        [DataRequired(_l("Choose how much help the family wants."))],
        choices=_choices(HELP_LEVEL_LABELS),
        invalid_choice_message=CHOOSE_ONE,
    )
    reason = _free_text(
        _l("Why you are referring the child"),
        required=_l("Write a few words on why you are referring the child."),
    )

    consent_given_by = StringField(
        _l("Who consented"),
        [DataRequired(_l("Enter the name of the person who consented.")), PersonName()],
        render_kw=NAME_INPUT,
    )
    consent_relation = SelectField(
        _l("Their relation to the child"),
        [DataRequired(_l("Choose who gave the consent."))],
        choices=_choices(CONSENT_RELATION_LABELS, blank=_l("Choose …")),
        invalid_choice_message=CHOOSE_ONE,
    )
    consent_method = RadioField(
        _l("How consent was given"),
        [DataRequired(_l("Choose how the consent was given."))],
        choices=_choices(CONSENT_METHOD_LABELS),
        invalid_choice_message=CHOOSE_ONE,
    )
    consent_given_on = DayField(
        _l("Date of consent"), [InputRequired(_l("Enter the date the consent was given."))]
    )

    CONSENT_FIELDS = ("consent_given_by", "consent_relation", "consent_method", "consent_given_on")

    def validate(self, extra_validators: Any = None) -> bool:
        fields_valid = super().validate(extra_validators)
        checks = [
            self._check_birth_date(),
            self._check_guardian(self.guardian, required=True),
            self._check_guardian(self.second_guardian, required=False),
            self._check_consent(),
        ]
        return fields_valid and all(checks)

    def child_born_on(self) -> dt.date | None:
        """The birth date: from the national identity number when one is given."""
        if self.national_id.data and not self.national_id.errors:
            return parse_national_id(self.national_id.data, today=local_date()).birth_date
        return self.birth_date.data

    def given_guardians(self) -> list[GuardianForm]:
        """The guardian sub-forms that were filled in."""
        second = self.second_guardian.form
        return [self.guardian.form, *([] if second.is_blank() else [second])]

    def details(self) -> ReferralDetails:
        """The validated, normalised input for ``submit_referral``."""
        born_on = self.child_born_on()
        assert born_on is not None  # validate() refuses a referral without one
        return ReferralDetails(
            first_name=self.child_first_name.data,
            last_name=self.child_last_name.data,
            born_on=born_on,
            national_id=self.national_id.data or None,
            school=(self.school.data or "").strip() or None,
            school_class=(self.school_class.data or "").strip() or None,
            area_id=self.area.area_id,
            languages=list(self.languages.data or []),
            guardians=[
                GuardianDetails(
                    full_name=guardian.full_name.data,
                    relation=GuardianRelation(guardian.relation.data),
                    phone=guardian.phone.data or None,
                    email=(guardian.email.data or "").strip() or None,
                    preferred_language=guardian.preferred_language.data,
                    needs_interpreter=bool(guardian.needs_interpreter.data),
                )
                for guardian in self.given_guardians()
            ],
            interests_in_own_words=(self.interests_in_own_words.data or "").strip() or None,
            barriers=list(self.barriers.data or []),
            help_level=HelpLevel(self.help_level.data),
            reason=self.reason.data.strip(),
            consent_given_by=self.consent_given_by.data,
            consent_relation=self.consent_relation.data,
            consent_method=ConsentToReferMethod(self.consent_method.data),
            consent_given_on=self.consent_given_on.data,
        )

    def summary(self) -> SummaryView:
        """What the error summary lists: every field, the guardians' ones labelled by whose."""
        return SummaryView(self)

    def _check_birth_date(self) -> bool:
        if self.national_id.errors or self.birth_date.errors:
            return False
        typed = self.birth_date.data
        if not self.national_id.data and typed is None:
            self.birth_date.errors.append(
                _l("Enter the birth date, or the national identity number.")
            )
            return False
        born = self.child_born_on()
        # A date read from the number is judged there, where the mistake would be.
        source = self.national_id if self.national_id.data else self.birth_date
        if typed is not None and typed != born:
            self.birth_date.errors.append(
                _l(
                    "The birth date does not match the national identity number. "
                    "Check both, or leave the birth date empty."
                )
            )
            return False
        today = local_date()  # the user's calendar day, not the server's
        if born > today:
            source.errors.append(_l("The birth date cannot be in the future."))
            return False
        if born.year < today.year - MAX_CHILD_AGE_YEARS:
            source.errors.append(
                _l(
                    "That would make the child more than %(years)d years old. Check the year.",
                    years=MAX_CHILD_AGE_YEARS,
                )
            )
            return False
        return True

    def _check_guardian(self, field: FormField, *, required: bool) -> bool:
        guardian: GuardianForm = field.form
        if not required and guardian.is_blank():
            return True
        valid = True
        if not guardian.full_name.data and not guardian.full_name.errors:
            guardian.full_name.errors.append(_l("Enter the guardian's name."))
            valid = False
        if guardian.relation.data not in {relation.value for relation in GuardianRelation}:
            guardian.relation.errors.append(_l("Choose the guardian's relation to the child."))
            valid = False
        if not (guardian.phone.data or guardian.email.data) and not (
            guardian.phone.errors or guardian.email.errors
        ):
            guardian.phone.errors.append(
                _l("Enter a phone number or an e-mail address, so the guide can get in touch.")
            )
            valid = False
        return valid

    def _check_consent(self) -> bool:
        if all(not (getattr(self, name).raw_data or [""])[0] for name in self.CONSENT_FIELDS):
            self.form_errors.append(
                _l(
                    "The referral cannot be sent without consent. Ask the guardian (or the "
                    "child, if %(age)d or older) if they agree, then fill in who agreed, how "
                    "and when.",
                    age=CHILD_OWN_CONSENT_AGE,
                )
            )
            return False
        consented_on = self.consent_given_on.data
        if consented_on is None:
            return False
        if consented_on > local_date():
            self.consent_given_on.errors.append(_l("The consent date cannot be in the future."))
            return False
        born = self.child_born_on()
        is_child = self.consent_relation.data == "child"
        if is_child and born is not None and not may_consent_alone(born, consented_on):
            self.consent_relation.errors.append(
                _l(
                    "A child under %(age)d cannot consent alone; a guardian must consent.",
                    age=CHILD_OWN_CONSENT_AGE,
                )
            )
            return False
        return True


class SummaryView:
    """Iterates the referral form's fields for the error summary macro."""

    def __init__(self, form: ReferralForm) -> None:
        self.form = form
        self.form_errors = form.form_errors

    def __iter__(self) -> Iterator[Any]:
        for field in self.form:
            if isinstance(field, FormField):
                for subfield in field:
                    yield _SummaryEntry(subfield, field.label.text)
            else:
                yield field


class IntakeActionForm(BaseForm):
    """The case version the coordinator saw, so a decision on stale data is refused."""

    version = VersionField()


class DeclineForm(IntakeActionForm):
    decline_reason = _free_text(
        _l("Reason for declining"), required=_l("Write why the referral is declined.")
    )


class MergeForm(IntakeActionForm):
    into_case = SelectField(
        _l("Merge into case"),
        [DataRequired(_l("Choose the case to merge into."))],
        invalid_choice_message=CHOOSE_ONE,
    )
