"""The coordinator's catalogue forms (club, activity, category, CSV upload) and their wording."""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from guide.activities.importing import (
    MAX_AGE,
    MAX_FILE_BYTES,
    MIN_AGE,
    ActivityFields,
    ClubFields,
    ExtraCost,
    Problem,
    RegisterFileError,
    normalise_website,
)
from guide.activities.models import ExtraCostKind
from guide.activities.services import org_number_taken
from guide.areas.fields import AreaSelectField
from guide.catalogue.labels import EXTRA_COST_LABELS, weekday_names
from guide.guides.forms import (
    LANGUAGE_CODES,
    LanguageChoice,
    no_control_characters,
)
from guide.i18n import language_name
from guide.submissions import SubmittedOnce
from guide.validation.errors import InvalidInput
from guide.validation.fields import (
    KronerField,
    MaxLength,
    OrgNumberValidator,
    PersonName,
    PhoneValidator,
    WholeNumberField,
)
from guide.validation.forms import Form as BaseForm

#: Empty extra-cost rows on the activity form; enough for the usual trips, cups, camps, kit.
EXTRA_COST_ROWS = 4
MAX_PLACES = 10_000


def _tidy(text: str | None) -> str | None:
    """One-line text with spaces tidied; None when empty."""
    return " ".join((text or "").split()) or None


def _paragraphs(text: str | None) -> str | None:
    return (text or "").strip() or None


def _website(_form: Form, field: Field) -> None:
    if not field.data or not field.data.strip():
        return
    try:
        field.data = normalise_website(field.data)
    except InvalidInput:
        raise ValidationError(
            _l("Write the web address of the club's page, for example https://www.klubben.no.")
        ) from None


def _email(_form: Form, field: Field) -> None:
    from email_validator import EmailNotValidError, validate_email

    if not field.data or not field.data.strip():
        return
    try:
        field.data = validate_email(field.data.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationError(_l("Write an e-mail address such as post@klubben.no.")) from None


class ClubForm(SubmittedOnce, BaseForm):
    name = StringField(
        _l("Name of the club"),
        validators=[
            InputRequired(_l("Write the name of the club.")),
            Length(max=200, message=_l("Shorten the name to 200 characters or fewer.")),
            no_control_characters,
        ],
    )
    org_number = StringField(
        _l("Organisation number"),
        validators=[Optional(), OrgNumberValidator()],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    contact_person = StringField(
        _l("Contact person"), validators=[Optional(), PersonName(max_length=200)]
    )
    email = StringField(
        _l("E-mail"),
        validators=[Optional(), Length(max=254), _email],
        render_kw={"type": "email", "autocomplete": "off"},
    )
    phone = StringField(
        _l("Phone"), validators=[Optional(), PhoneValidator()], render_kw={"type": "tel"}
    )
    website = StringField(
        _l("Website"),
        validators=[Optional(), Length(max=300, message=_l("The address is too long.")), _website],
        render_kw={"inputmode": "url"},
    )
    area = AreaSelectField(_l("Area"))

    def __init__(
        self,
        *args: Any,
        organisation_id: uuid.UUID,
        areas: list[tuple[str, str]],
        club_id: uuid.UUID | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.organisation_id = organisation_id
        self.club_id = club_id
        self.area.set_areas(areas)
        saved = kwargs.get("obj")
        if saved is not None and not self.is_submitted():
            self.area.data = str(saved.area_id) if saved.area_id else ""

    def validate_org_number(self, field: Field) -> None:
        if field.data and org_number_taken(
            organisation_id=self.organisation_id, org_number=field.data, except_club_id=self.club_id
        ):
            raise ValidationError(
                _l("Another club in the catalogue already has this organisation number.")
            )

    def details(self) -> ClubFields:
        """The typed values for the club services."""
        return ClubFields(
            name=_tidy(self.name.data) or "",
            org_number=self.org_number.data or None,
            contact_person=self.contact_person.data or None,
            email=self.email.data or None,
            phone=self.phone.data or None,
            website=self.website.data or None,
            area_id=self.area.area_id,
        )


class ExtraCostForm(Form):
    """One extra-cost row; a row left empty is ignored."""

    kind = SelectField(_l("What for"), validate_choice=False)
    label = StringField(
        _l("Description (optional)"),
        validators=[
            Optional(),
            MaxLength(200),
            no_control_characters,
        ],
    )
    amount = KronerField(_l("Amount (kr)"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _l("No extra cost")), *EXTRA_COST_LABELS.items()]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.kind.data and (self.amount.data or _tidy(self.label.data)):
            self.kind.errors.append(_l("Choose what the cost is for."))
            valid = False
        elif self.kind.data and self.kind.data not in ExtraCostKind.__members__:
            self.kind.errors.append(_l("Choose from the list."))
            valid = False
        elif self.kind.data and self.amount.data is None and not self.amount.errors:
            self.amount.errors.append(_l("Write the amount in kroner."))
            valid = False
        return valid

    def extra_cost(self) -> ExtraCost | None:
        if not self.kind.data or not self.amount.data:
            return None
        return ExtraCost(
            kind=ExtraCostKind(self.kind.data),
            amount=self.amount.data,
            label=_tidy(self.label.data),
        )


def _age_field(label: Any) -> WholeNumberField:
    """An optional age within the ages the catalogue knows."""
    age_range = NumberRange(
        min=MIN_AGE,
        max=MAX_AGE,
        message=_l("Write an age from %(min)d to %(max)d.", min=MIN_AGE, max=MAX_AGE),
    )
    return WholeNumberField(
        label, validators=[Optional(), age_range], render_kw={"inputmode": "numeric"}
    )


def _optional_text(maximum: int) -> list[Any]:
    return [Optional(), MaxLength(maximum), no_control_characters]


class ActivityForm(SubmittedOnce, BaseForm):
    club = SelectField(_l("Club"), validators=[InputRequired(_l("Choose the club."))])
    name = StringField(
        _l("Name of the activity"),
        validators=[
            InputRequired(_l("Write the name of the activity.")),
            Length(max=200, message=_l("Shorten the name to 200 characters or fewer.")),
            no_control_characters,
        ],
    )
    category = SelectField(_l("Category"), validators=[InputRequired(_l("Choose a category."))])
    description = TextAreaField(_l("Description"), validators=_optional_text(2000))
    min_age = _age_field(_l("Age from"))
    max_age = _age_field(_l("Age to"))
    area = AreaSelectField(_l("Area"))
    meeting_place = StringField(_l("Meeting place"), validators=_optional_text(200))
    weekday = SelectField(_l("Weekday"), validators=[Optional()], default="")
    starts_at = TimeField(_l("Starts at"), validators=[Optional()])
    ends_at = TimeField(_l("Ends at"), validators=[Optional()])
    season = StringField(_l("Season"), validators=_optional_text(100))
    fee = KronerField(
        _l("Membership fee per season (kr)"),
        validators=[InputRequired(_l("Write the fee in kroner; write 0 if it is free."))],
        render_kw={"inputmode": "decimal"},
    )
    extra_costs = FieldList(
        FormField(ExtraCostForm), max_entries=len(ExtraCostKind) + EXTRA_COST_ROWS
    )
    equipment_needed = TextAreaField(_l("Equipment needed"), validators=_optional_text(1000))
    equipment_can_be_borrowed = BooleanField(_l("Equipment can be borrowed"))
    leader_languages = LanguageChoice(_l("Languages the leaders speak"))
    accessibility_notes = TextAreaField(_l("Accessibility"), validators=_optional_text(1000))
    has_free_trial = BooleanField(_l("Free trial session"))
    places_left = WholeNumberField(
        _l("Places left"),
        validators=[
            Optional(),
            NumberRange(min=0, max=MAX_PLACES, message=_l("Write 0 or a larger whole number.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    has_waiting_list = BooleanField(_l("Waiting list"))

    def __init__(
        self,
        *args: Any,
        clubs: list[tuple[str, str]],
        categories: list[tuple[str, str]],
        areas: list[tuple[str, str]],
        saved_languages: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.area.set_areas(areas)
        self.club.choices = [("", _l("Choose a club")), *clubs]
        self.category.choices = [("", _l("Choose a category")), *categories]
        self.weekday.choices = [
            ("", _l("No fixed day")),
            *((str(number), name) for number, name in weekday_names()),
        ]
        known = list(LANGUAGE_CODES)
        known += [code for code in saved_languages or [] if code not in known]
        self.leader_languages.choices = [(code, language_name(code)) for code in known]
        if not self.is_submitted():
            # Empty rows below the saved costs let the user add more without JavaScript.
            room = self.extra_costs.max_entries - len(self.extra_costs.entries)
            for _row in range(min(EXTRA_COST_ROWS, room)):
                self.extra_costs.append_entry()

    def validate_max_age(self, field: Field) -> None:
        lower = self.min_age.data
        if field.data is not None and lower is not None and lower > field.data:
            raise ValidationError(_l("The upper age cannot be lower than the lower age."))

    def validate_ends_at(self, field: Field) -> None:
        starts = self.starts_at.data
        if field.data is not None and starts is not None and field.data <= starts:
            raise ValidationError(_l("The activity must end after it starts."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # The summary at the top lists fields; name the extra-cost row in plain words instead.
        for number, entry in enumerate(self.extra_costs.entries, start=1):
            for subfield in entry.form:
                for message in subfield.errors:
                    self.form_errors.append(
                        _l("Extra cost %(number)d: %(message)s", number=number, message=message)
                    )
        self.extra_costs.errors = []
        return valid

    def details(self) -> ActivityFields:
        """The typed values for the activity services."""
        costs = [entry.form.extra_cost() for entry in self.extra_costs.entries]
        return ActivityFields(
            name=_tidy(self.name.data) or "",
            category_key=self.category.data,
            description=_paragraphs(self.description.data),
            min_age=self.min_age.data,
            max_age=self.max_age.data,
            area_id=self.area.area_id,
            meeting_place=_tidy(self.meeting_place.data),
            # Optional() passes spaces alone without the choice check: they mean no weekday.
            weekday=int(day) if (day := _tidy(self.weekday.data)) else None,
            starts_at=self.starts_at.data,
            ends_at=self.ends_at.data,
            season=_tidy(self.season.data),
            fee_per_season=self.fee.data or 0,
            extra_costs=tuple(cost for cost in costs if cost is not None),
            equipment_needed=_paragraphs(self.equipment_needed.data),
            equipment_can_be_borrowed=bool(self.equipment_can_be_borrowed.data),
            leader_languages=tuple(self.leader_languages.data or ()),
            accessibility_notes=_paragraphs(self.accessibility_notes.data),
            has_free_trial=bool(self.has_free_trial.data),
            places_left=self.places_left.data,
            has_waiting_list=bool(self.has_waiting_list.data),
        )


def activity_form_data(activity: Any) -> dict[str, Any]:
    """An activity's saved values as the activity form's initial data."""
    return {
        "club": str(activity.club_id),
        "name": activity.name,
        "category": activity.category_key,
        "description": activity.description,
        "min_age": activity.min_age,
        "max_age": activity.max_age,
        "area": str(activity.area_id) if activity.area_id else "",
        "meeting_place": activity.meeting_place,
        "weekday": "" if activity.weekday is None else str(activity.weekday),
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "season": activity.season,
        "fee": activity.fee_per_season,
        "extra_costs": [
            {"kind": cost.kind.value, "label": cost.label, "amount": cost.amount}
            for cost in activity.extra_costs
        ],
        "equipment_needed": activity.equipment_needed,
        "equipment_can_be_borrowed": activity.equipment_can_be_borrowed,
        "leader_languages": list(activity.leader_languages),
        "accessibility_notes": activity.accessibility_notes,
        "has_free_trial": activity.has_free_trial,
        "places_left": activity.places_left,
        "has_waiting_list": activity.has_waiting_list,
    }


class CategoryForm(SubmittedOnce, BaseForm):
    name = StringField(
        _l("Name of the new category"),
        validators=[
            InputRequired(_l("Write the name of the category.")),
            Length(max=100, message=_l("Shorten the name to 100 characters or fewer.")),
            no_control_characters,
        ],
    )


class ActiveForm(BaseForm):
    """The deactivate and reactivate buttons: CSRF only."""


class ImportUploadForm(SubmittedOnce, BaseForm):
    register = FileField(
        _l("The CSV file"),
        validators=[
            FileRequired(_l("Choose the CSV file to upload.")),
            FileSize(
                max_size=MAX_FILE_BYTES,
                message=_l("The file is too large: at most 2 MB. Split it into smaller files."),
            ),
        ],
        render_kw={"accept": ".csv,text/csv,text/plain"},
    )


class ImportConfirmForm(SubmittedOnce, BaseForm):
    """The "import the good rows" button: CSRF only."""


# --- the import's problems in plain words ----------------------------------------------------

FILE_MESSAGES = {
    "too_large": _l("The file is too large: at most 2 MB. Split it into smaller files."),
    "encoding": _l(
        "The file's characters cannot be read. Save it from the spreadsheet as "
        '"CSV UTF-8" and try again.'
    ),
    "not_csv": _l("This does not look like a CSV file. Save the sheet as CSV and try again."),
    "empty": _l("The file is empty."),
    "no_rows": _l("The file has column names but no activities."),
    "too_many_rows": _l("The file has too many rows: at most 2000. Split it into smaller files."),
}

ROW_MESSAGES = {
    "required": _l("%(column)s is empty; fill it in."),
    "control_characters": _l("%(column)s contains invisible control characters."),
    "too_long": _l("%(column)s is too long: at most %(value)s characters."),
    "org_number_length": _l(
        "%(column)s: an organisation number has 9 digits. Check that no digit is missing or extra."
    ),
    "org_number_not_digits": _l("%(column)s: use only digits in the organisation number."),
    "org_number_check_digit": _l(
        "%(column)s: this organisation number does not add up; a digit is probably mistyped. "
        "Look it up in the Brønnøysund Register Centre."
    ),
    "email_invalid": _l("%(column)s is not an e-mail address we can use."),
    "phone_letters": _l("%(column)s: a phone number can only contain digits, spaces and a +."),
    "phone_too_long": _l("%(column)s is too long for one phone number."),
    "phone_invalid": _l("%(column)s is not a phone number we can call."),
    "website_invalid": _l("%(column)s must be a web address (http or https)."),
    "fee_required": _l("%(column)s is empty; write the fee in kroner, or 0 if it is free."),
    "amount_negative": _l("%(column)s cannot be negative."),
    "amount_format": _l("%(column)s is not an amount in kroner; write it like 1 250,50."),
    "amount_empty": _l("%(column)s is not an amount in kroner; write it like 1 250,50."),
    "amount_too_many_decimals": _l("%(column)s has more than two decimals."),
    "amount_too_large": _l("%(column)s is too large."),
    "not_whole_number": _l("%(column)s must be a whole number, 0 or more."),
    "age_out_of_range": _l("%(column)s must be an age from 0 to 25."),
    "age_order": _l("The lower age is higher than the upper age."),
    "yes_no": _l('%(column)s must be "ja" or "nei" (or left empty).'),
    "weekday_unknown": _l('%(column)s: "%(value)s" is not a weekday.'),
    "time_invalid": _l("%(column)s is not a time of day; write it like 17:30."),
    "time_order": _l("The activity ends before it starts."),
    "category_unknown": _l(
        '%(column)s: "%(value)s" is not a category. Use one from the list, '
        "or add it as the organisation's own category first."
    ),
    "language_unknown": _l('%(column)s: "%(value)s" is not a language we know.'),
    "area_unknown": _l(
        '%(column)s: "%(value)s" is not one of the organisation\'s areas. Write the area as the '
        "areas page names it, or add this spelling to an area there, and upload the file again."
    ),
    "duplicate_in_file": _l(
        "The same activity (club, name and weekday) is already on row %(line)s of the file."
    ),
    "already_in_catalogue": _l(
        "This activity (club, name and weekday) is already in the catalogue; it is left as it is."
    ),
}


def describe_problem(problem: Problem) -> str:
    """A row's problem as a sentence for the preview."""
    message = ROW_MESSAGES.get(problem.code)
    if message is None:
        return str(_l("%(column)s has a value we cannot use.", column=problem.column or "?"))
    return str(message) % {
        "column": problem.column or "",
        "value": problem.value or "",
        "line": problem.line or "",
    }


def describe_file_error(error: RegisterFileError) -> str:
    """Why the whole file was refused, as a sentence."""
    if error.reason == "missing_columns":
        return str(
            _l(
                "The file lacks these columns: %(columns)s. The first row must hold the column "
                "names; see the guide to the file.",
                columns=", ".join(error.columns),
            )
        )
    return str(FILE_MESSAGES.get(error.reason, FILE_MESSAGES["not_csv"]))
