"""The administrator's form for the organisation's settings; it checks, the service stores."""

from __future__ import annotations

import re
from typing import Any

from babel.lists import format_list
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, StringField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from guide.organisations.services import (
    FOLLOW_UP_MONTHS_RANGE,
    MAX_FOLLOW_UPS,
    NAME_MAX_LENGTH,
    NO_VISIT_NUDGE_WEEKS_RANGE,
    POLICE_CERTIFICATE_MONTHS_RANGE,
    RETENTION_DAYS_RANGE,
    SETTING_FIELDS,
    follow_up_months_problem,
    is_municipality_number,
)
from guide.tenant import Organisation
from guide.validation.fields import WholeNumberField
from guide.validation.forms import Form as BaseForm
from guide.validation.text import ascii_digits, without_spaces

#: Between the months people write commas, semicolons, spaces or "and" (nb/nn "og").
MONTH_SEPARATORS = re.compile(r"\s*(?:[,;]|\s|\b(?:og|and)\b)\s*", re.IGNORECASE)

FOLLOW_UP_MESSAGES = {
    "not_numbers": _l(
        "Write the months as whole numbers separated by commas, for example 1, 3, 6."
    ),
    "empty": _l("Enter at least one month, for example 1, 3, 6."),
    "too_many": _l("Enter at most %(count)d follow-ups.", count=MAX_FOLLOW_UPS),
    "out_of_range": _l(
        "Each month must be from %(low)d to %(high)d.",
        low=FOLLOW_UP_MONTHS_RANGE[0],
        high=FOLLOW_UP_MONTHS_RANGE[1],
    ),
    "not_increasing": _l(
        "Write each month once, from the earliest to the latest, for example 1, 3, 6."
    ),
}


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def months_in_words(months: list[int]) -> str:
    """The follow-ups as a sentence in the request's language: "after 1, 3 and 6 months"."""
    listed = format_list([str(month) for month in months], locale=get_locale() or "nb")
    count = months[-1] if months else 0
    return ngettext("after %(months)s month", "after %(months)s months", count, months=listed)


class FollowUpMonthsField(StringField):
    """Months in one text box ("1, 3, 6" or "1, 3 og 6"); ``data`` is the list of whole months.

    An empty box is refused in ``pre_validate`` (as "empty"), so no required validator is needed.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = ascii_digits(valuelist[0] if valuelist else "").strip()
        words = [word for word in MONTH_SEPARATORS.split(text) if word]
        if not all(word.isascii() and word.isdigit() for word in words):
            self.data = None
            raise ValueError(FOLLOW_UP_MESSAGES["not_numbers"])
        self.data = [int(word) for word in words]

    def pre_validate(self, form: Form) -> None:
        problem = follow_up_months_problem(self.data) if self.data is not None else None
        if problem:
            raise ValidationError(FOLLOW_UP_MESSAGES[problem])

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])  # show what was typed back, even when refused
        return ", ".join(str(month) for month in self.data or [])


class MunicipalityNumber:
    """Four digits, leading zero kept; spaces are dropped, other digits made ASCII."""

    def __call__(self, form: Form, field: Field) -> None:
        number = without_spaces(ascii_digits(field.data or ""))
        if not is_municipality_number(number):
            raise ValidationError(
                _l("A municipality number has exactly four digits, for example 0301 for Oslo.")
            )
        field.data = number


def _number_range(low_high: tuple[int, int]) -> NumberRange:
    low, high = low_high
    return NumberRange(
        min=low,
        max=high,
        message=_l("Enter a number from %(low)d to %(high)d.", low=low, high=high),
    )


class OrganisationSettingsForm(BaseForm):
    name = StringField(
        _l("Name of the organisation"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter the name of the organisation.")),
            Length(
                max=NAME_MAX_LENGTH,
                message=_l("Use at most %(max)d characters.", max=NAME_MAX_LENGTH),
            ),
        ],
    )
    municipality_number = StringField(
        _l("Municipality number"), filters=[_strip], validators=[Optional(), MunicipalityNumber()]
    )
    follow_up_months = FollowUpMonthsField(
        _l("Follow-ups, in months after the activity starts"),
    )
    no_visit_nudge_weeks = WholeNumberField(
        _l("Weeks without a visit before the dashboard reminds you"),
        validators=[
            InputRequired(_l("Enter a number of weeks.")),
            _number_range(NO_VISIT_NUDGE_WEEKS_RANGE),
        ],
    )
    police_certificate_valid_months = WholeNumberField(
        _l("Months a police certificate counts"),
        validators=[
            InputRequired(_l("Enter a number of months.")),
            _number_range(POLICE_CERTIFICATE_MONTHS_RANGE),
        ],
    )
    retention_days = WholeNumberField(
        _l("Days to keep a closed case before it is erased"),
        validators=[
            InputRequired(_l("Enter a number of days.")),
            _number_range(RETENTION_DAYS_RANGE),
        ],
    )

    @classmethod
    def for_organisation(cls, organisation: Organisation) -> OrganisationSettingsForm:
        """The form filled with the stored settings (submitted data wins on POST)."""
        return cls(obj=organisation)

    def settings_values(self) -> dict[str, Any]:
        """The checked values, keyed by setting; an empty municipality number is None."""
        values = {name: self[name].data for name in SETTING_FIELDS}
        values["municipality_number"] = values["municipality_number"] or None
        return values
