"""Fields that choose areas from the organisation's list (ids as values, names as labels)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField, SelectMultipleField, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

CHOOSE_FROM_LIST = _l("Choose an area from the list.")


def as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


class AreaSelectField(SelectField):
    """One area from the list, or none (the empty first option); ``area_id`` is its id."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, validate_choice=False, **kwargs)
        self.placeholder = _l("No area")

    def set_areas(self, options: Sequence[tuple[str, str]], *, placeholder: Any = None) -> None:
        """Offer ``options`` ((id, name) pairs) after the empty first option."""
        self.choices = [("", placeholder or self.placeholder), *options]

    def pre_validate(self, form: Form) -> None:
        if self.data and self.data not in {value for value, _label in self.choices or []}:
            raise ValidationError(CHOOSE_FROM_LIST)

    @property
    def area_id(self) -> uuid.UUID | None:
        return as_uuid(self.data)


class AreaChecklist(SelectMultipleField):
    """Several areas as checkboxes; ``area_ids`` are their ids."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Form) -> None:
        offered = {value for value, _label in self.choices or []}
        if any(value not in offered for value in self.data or []):
            raise ValidationError(_l("Choose areas from the list."))

    def process_data(self, value: Any) -> None:
        # Saved rows hold Area objects; the checkboxes compare ids.
        self.data = [str(getattr(item, "id", item)) for item in value or []]

    @property
    def area_ids(self) -> tuple[uuid.UUID, ...]:
        return tuple(area_id for value in self.data or [] if (area_id := as_uuid(value)))
