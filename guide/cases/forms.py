"""Forms for the case pages: visit log, follow-ups, closing, reopening, list filters and search."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    Field,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from guide.cases.labels import CLOSE_REASON_LABELS, STATUS_LABELS, VISIT_KIND_LABELS
from guide.cases.models import CaseStatus, CloseReason, VisitKind
from guide.cases.services import CaseFilters, CaseOrder, CaseSort
from guide.dates import local_date
from guide.submissions import SubmittedOnce
from guide.validation.fields import FreeText, LocalDateField, MaxLength, PersonName
from guide.validation.forms import Form
from guide.validation.versions import VersionField
from guide.web.widgets import PlainOptionsSelect

NOTE_MAX = 5000
CHILD_WORDS_MAX = 2000
CLOSE_NOTE_MAX = 500
FOLLOW_UP_NOTE_MAX = 1000
PRACTICAL_NEEDS_MAX = 1000
MAX_VISIT_MINUTES = 600
#: "Waiting more than N days" choices in the case list filter.
WAITING_DAY_CHOICES = (7, 14, 30, 60)


class MinutesField(IntegerField):
    """Whole minutes, with our own message for text that is not a number."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter the duration as whole minutes, for example 45.")) from None


class VisitForm(SubmittedOnce, Form):
    kind = RadioField(
        _l("What kind of contact"),
        choices=[SelectChoice(kind.value, VISIT_KIND_LABELS[kind.value]) for kind in VisitKind],
        validators=[InputRequired(_l("Choose what kind of contact it was."))],
    )
    occurred_on = LocalDateField(
        _l("Date"),
        validators=[InputRequired(_l("Enter the date of the contact."))],
        default=local_date,  # most visits are logged the same day
    )
    duration_minutes = MinutesField(
        _l("Duration in minutes"),
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    notes = TextAreaField(
        _l("Notes"), validators=[Optional(), MaxLength(NOTE_MAX), FreeText()], render_kw={"rows": 5}
    )
    child_words = TextAreaField(
        _l("How it went, in the child's own words"),
        validators=[Optional(), MaxLength(CHILD_WORDS_MAX), FreeText()],
        render_kw={"rows": 3},
    )

    def __init__(self, *args: Any, today: dt.date, earliest: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.earliest = earliest

    def validate_occurred_on(self, field: LocalDateField) -> None:
        if field.data is None:
            return
        if field.data > self.today:
            raise ValidationError(_l("The date cannot be in the future."))
        if field.data < self.earliest:
            raise ValidationError(_l("The date is before the child was referred."))

    def validate_duration_minutes(self, field: MinutesField) -> None:
        # Checked here rather than with NumberRange, which would repeat a parse error.
        if field.data is not None and not 0 <= field.data <= MAX_VISIT_MINUTES:
            raise ValidationError(_l("Enter minutes between 0 and %(max)s.", max=MAX_VISIT_MINUTES))


class FollowUpDoneForm(Form):
    note = TextAreaField(
        _l("What came out of the follow-up"),
        validators=[
            DataRequired(_l("Write a short note on the follow-up.")),
            MaxLength(FOLLOW_UP_NOTE_MAX),
            FreeText(),
        ],
        render_kw={"rows": 3},
    )


class CloseCaseForm(Form):
    version = VersionField()
    reason = RadioField(
        _l("Why is the case closed"),
        choices=[
            SelectChoice(reason.value, CLOSE_REASON_LABELS[reason.value]) for reason in CloseReason
        ],
        validators=[InputRequired(_l("Choose why the case is closed."))],
    )
    note = TextAreaField(
        _l("Short note"),
        validators=[Optional(), MaxLength(CLOSE_NOTE_MAX), FreeText()],
        render_kw={"rows": 3},
    )


class ReopenCaseForm(Form):
    version = VersionField()


class PracticalNeedsForm(Form):
    version = VersionField()
    practical_needs = TextAreaField(
        _l("What the club should know to welcome the child"),
        validators=[Optional(), MaxLength(PRACTICAL_NEEDS_MAX), FreeText()],
        render_kw={"rows": 5},
    )


#: Longest text the case list's search box takes.
SEARCH_MAX = 100
#: The case list's orders: "status" ascending, "-status" descending, and so on.
SORT_CHOICES = [
    SelectChoice(f"{sign}{key.value}", f"{sign}{key.value}")
    for key in CaseSort
    for sign in ("", "-")
]


class OrderField(SelectField):
    """A list's order, set by pressing a column header: a value that is not one of the
    orders is ignored (the default order applies), as nobody types it and no message could
    stand beside a column header."""

    def process_formdata(self, valuelist: list) -> None:
        known = {str(choice.value) for choice in SORT_CHOICES}
        # Only the first value counts, and only if it is an order: nothing else is kept.
        self.raw_data = valuelist[:1] if valuelist and valuelist[0] in known else []
        if self.raw_data:
            super().process_formdata(self.raw_data)
        else:
            self.data = None

    def pre_validate(self, form: object) -> None:
        """Every value left after ``process_formdata`` is one of the orders."""


class CaseFilterForm(Form):
    """The case list's search, filters and order.

    Filters and order come from the query string (links keep them) or from the posted form;
    the search text only ever from a posted form, so no part of a name is in an address or a
    server log. The app's CSRF check covers the POST; a GET changes nothing.
    """

    class Meta:
        csrf = False

    q = StringField(
        _l("Search"),
        validators=[Optional(), MaxLength(SEARCH_MAX)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "type": "search"},
    )
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice("", _l("All statuses"))]
        + [SelectChoice(status.value, STATUS_LABELS[status.value]) for status in CaseStatus],
        validators=[Optional()],
        widget=PlainOptionsSelect(),
    )
    area = SelectField(_l("Area"), validators=[Optional()], widget=PlainOptionsSelect())
    #: Part of a guide's name: a select would list every guide, thousands in a large organisation.
    guide = StringField(
        _l("Guide"), validators=[Optional(), MaxLength(100)], render_kw={"autocomplete": "off"}
    )
    waiting = SelectField(
        _l("Waiting for a guide"),
        widget=PlainOptionsSelect(),
        choices=[SelectChoice("", _l("Any time"))]
        + [
            SelectChoice(str(days), _l("More than %(days)s days", days=days))
            for days in WAITING_DAY_CHOICES
        ],
        validators=[Optional()],
    )

    #: The order: a column's name, "-" before it for descending ("-referred" is the default).
    sort = OrderField(choices=SORT_CHOICES, widget=PlainOptionsSelect())
    #: A column header pressed in a posted list: the new order, ahead of ``sort``.
    resort = OrderField(choices=SORT_CHOICES, widget=PlainOptionsSelect())

    def set_choices(self, *, areas: list[tuple[str, str]]) -> None:
        """The areas as (id, name) pairs."""
        self.area.choices = [SelectChoice("", _l("All areas"))]
        self.area.choices += [SelectChoice(area_id, name) for area_id, name in areas]

    def _valid(self, field: Field) -> str:
        # A filter that does not validate (an old link, an area since gone) is ignored.
        return "" if field.errors or not field.data else str(field.data).strip()

    def filters(self) -> CaseFilters:
        """The chosen filters; invalid or empty ones do not filter."""
        status, area, guide, waiting = (
            self._valid(field) for field in (self.status, self.area, self.guide, self.waiting)
        )
        return CaseFilters(
            status=CaseStatus(status) if status else None,
            area_id=uuid.UUID(area) if area else None,
            guide_name=guide or None,
            waiting_days=int(waiting) if waiting else None,
        )

    def search(self) -> str | None:
        """The text to search for, if any (only from a posted form)."""
        return self._valid(self.q) or None

    def order(self) -> CaseOrder:
        """The chosen order; newest referral first unless a column was chosen."""
        value = self._valid(self.resort) or self._valid(self.sort)
        if not value:
            return CaseOrder()
        return CaseOrder(CaseSort(value.lstrip("-")), descending=value.startswith("-"))

    def query_args(self) -> dict[str, str]:
        """The valid filters and order as query-string arguments, for links (never the search)."""
        fields = {
            "status": self.status,
            "area": self.area,
            "guide": self.guide,
            "waiting": self.waiting,
        }
        args = {name: value for name, field in fields.items() if (value := self._valid(field))}
        if (order := self.order()) != CaseOrder():
            args["sort"] = order.value
        return args


class FindCaseForm(Form):
    """Find a case by its reference, or by the child's exact name and birth date."""

    reference = StringField(
        _l("Reference"),
        validators=[Optional(), Length(max=32, message=_l("A reference looks like FG-7K3M9Q."))],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    first_name = StringField(
        _l("First name"), validators=[Optional(), PersonName()], render_kw={"autocomplete": "off"}
    )
    last_name = StringField(
        _l("Last name"), validators=[Optional(), PersonName()], render_kw={"autocomplete": "off"}
    )
    birth_date = LocalDateField(_l("Birth date"), validators=[Optional()])

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        identity = {
            self.first_name: _l("Enter the first name too."),
            self.last_name: _l("Enter the last name too."),
            self.birth_date: _l("Enter the birth date too."),
        }
        given = [field for field in identity if field.data]
        if self.reference.data and given:
            self.form_errors.append(
                _l("Search by reference or by name and birth date, not both at once.")
            )
            return False
        if not self.reference.data and not given:
            self.form_errors.append(
                _l("Enter a reference, or the child's first name, last name and birth date.")
            )
            return False
        missing = [field for field in identity if given and not field.data]
        for field in missing:
            field.errors.append(identity[field])
        return not missing

    @property
    def by_reference(self) -> bool:
        return bool(self.reference.data)
