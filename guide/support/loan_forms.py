"""Forms and labels for equipment loans and the item register."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Optional

from guide.dates import local_date
from guide.submissions import SubmittedOnce
from guide.support.loans import CONDITIONS, ItemFilters
from guide.support.models import EquipmentItem, LoanSource
from guide.validation.fields import FreeText, LocalDateField, MaxLength
from guide.validation.forms import Form

ITEM_TYPE_MAX = 100
ITEM_NAME_MAX = 200
SIZE_MAX = 40
NOTE_MAX = 2000
SEARCH_MAX = 100
#: A due date further ahead than this is almost always a typing error.
LONGEST_LOAN = dt.timedelta(days=2 * 366)

SOURCE_LABELS = {
    "own_store": _l("Our own store"),
    "equipment_library": _l("Equipment library (such as BUA)"),
    "club": _l("The club"),
}
CONDITION_LABELS = {
    "new": _l("New"),
    "good": _l("Good"),
    "worn": _l("Worn"),
    "damaged": _l("Damaged"),
}
ITEM_STATUS_LABELS = {
    "available": _l("In the store"),
    "lent": _l("Lent out"),
}


def _label(table: dict[str, Any], value: Any) -> str:
    key = getattr(value, "value", value)
    return str(table.get(str(key), key or "–"))


def template_helpers() -> dict[str, Any]:
    """Label functions for the loan templates and the dashboard panel."""
    return {
        "loan_source_label": lambda value: _label(SOURCE_LABELS, value),
        "equipment_condition_label": lambda value: _label(CONDITION_LABELS, value),
    }


def _condition_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Not recorded"))] + [
        SelectChoice(key, CONDITION_LABELS[key]) for key in CONDITIONS
    ]


class LoanForm(SubmittedOnce, Form):
    source = RadioField(
        _l("Where the equipment comes from"),
        choices=[SelectChoice(source.value, SOURCE_LABELS[source.value]) for source in LoanSource],
        validators=[InputRequired(_l("Choose where the equipment comes from."))],
    )
    # Checked against the items that are in the store now, in validate_item.
    item = SelectField(_l("Item from our register"), validate_choice=False)
    # Not Optional(): an empty box must still reach validate_item_type.
    item_type = StringField(_l("What is lent"), validators=[MaxLength(ITEM_TYPE_MAX), FreeText()])
    size = StringField(_l("Size"), validators=[Optional(), MaxLength(SIZE_MAX), FreeText()])
    condition = SelectField(_l("Condition"), choices=_condition_choices())
    lent_on = LocalDateField(
        _l("Lent on"),
        validators=[InputRequired(_l("Enter the day the equipment was lent."))],
        default=local_date,  # most loans are written down as the equipment is handed over
    )
    due_on = LocalDateField(
        _l("Due back on"),
        validators=[InputRequired(_l("Enter the day the equipment should be returned."))],
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Optional(), MaxLength(NOTE_MAX), FreeText()],
        render_kw={"rows": 3},
    )

    def __init__(
        self, *args: Any, today: dt.date, items: list[EquipmentItem], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.items_by_id = {str(item.id): item for item in items}
        self.item.choices = [SelectChoice("", _l("None – not from the register"))] + [
            SelectChoice(key, _item_label(item)) for key, item in self.items_by_id.items()
        ]

    @property
    def chosen_item(self) -> EquipmentItem | None:
        return self.items_by_id.get(self.item.data or "")

    def validate_item(self, field: SelectField) -> None:
        if not field.data:
            return
        if field.data not in self.items_by_id:
            raise ValidationError(_l("This item is lent out or gone from the register."))
        if self.source.data and self.source.data != LoanSource.own_store.value:
            raise ValidationError(
                _l("Only equipment from the own store can be picked from the register.")
            )

    def validate_item_type(self, field: StringField) -> None:
        if not field.data and not self.item.data:
            raise ValidationError(
                _l("Write what is lent, for example skates or a helmet, or pick an item.")
            )

    def validate_lent_on(self, field: LocalDateField) -> None:
        if field.data is not None and field.data > self.today:
            raise ValidationError(_l("The day it was lent cannot be in the future."))

    def validate_due_on(self, field: LocalDateField) -> None:
        lent_on = self.lent_on.data
        if field.data is None or lent_on is None:
            return
        if field.data < lent_on:
            raise ValidationError(_l("The due date cannot be before the day it was lent."))
        if field.data - lent_on > LONGEST_LOAN:
            raise ValidationError(_l("The due date is more than two years ahead. Check the year."))


def _item_label(item: EquipmentItem) -> str:
    details = [part for part in (item.size, _condition_text(item.condition)) if part]
    return f"{item.name} ({', '.join(details)})" if details else item.name


def _condition_text(condition: str | None) -> str | None:
    return str(CONDITION_LABELS[condition]) if condition in CONDITION_LABELS else condition


class ReturnForm(Form):
    returned_on = LocalDateField(
        _l("Returned on"),
        validators=[InputRequired(_l("Enter the day the equipment came back."))],
    )

    def __init__(self, *args: Any, today: dt.date, lent_on: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.lent_on = lent_on
        if self.returned_on.data is None and not self.is_submitted():
            self.returned_on.data = today

    def validate_returned_on(self, field: LocalDateField) -> None:
        if field.data is None:
            return
        if field.data > self.today:
            raise ValidationError(_l("The return date cannot be in the future."))
        if field.data < self.lent_on:
            raise ValidationError(_l("The return date cannot be before the day it was lent."))


class ItemForm(SubmittedOnce, Form):
    name = StringField(
        _l("Item"),
        validators=[
            InputRequired(_l("Write what the item is, for example skis or a football kit.")),
            MaxLength(ITEM_NAME_MAX),
            FreeText(),
        ],
    )
    size = StringField(_l("Size"), validators=[Optional(), MaxLength(SIZE_MAX), FreeText()])
    condition = SelectField(_l("Condition"), choices=_condition_choices())

    def validate_name(self, field: StringField) -> None:
        # FreeText strips the text, so a name of only spaces ends up empty here.
        if not field.data:
            raise ValidationError(_l("Write what the item is, for example skis or a football kit."))


class ItemFilterForm(Form):
    """The register's filters, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Show"),
        choices=[
            SelectChoice("", _l("All items")),
            SelectChoice("available", ITEM_STATUS_LABELS["available"]),
            SelectChoice("lent", ITEM_STATUS_LABELS["lent"]),
        ],
        validators=[Optional()],
    )
    text = StringField(_l("Search by item or size"), validators=[Optional(), MaxLength(SEARCH_MAX)])

    def filters(self) -> ItemFilters:
        """The filters to apply; a filter with an invalid value is ignored."""
        status = self.status.data if not self.status.errors else None
        text = (self.text.data or "").strip() if not self.text.errors else ""
        return ItemFilters(status=status or None, text=text or None)
