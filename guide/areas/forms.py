"""Choosing areas from the organisation's list, and the coordinator's forms that keep it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length

from guide.areas.fields import CHOOSE_FROM_LIST, AreaChecklist, as_uuid
from guide.areas.models import NAME_MAX_LENGTH
from guide.areas.services import AreaDetails
from guide.guides.forms import TagListField, no_control_characters
from guide.submissions import SubmittedOnce
from guide.validation.forms import Form as BaseForm
from guide.validation.versions import VersionField

#: The map form's choice that makes an area of the name itself.
NEW_AREA = "new"


class AreaForm(BaseForm):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Write the name of the area.")),
            Length(
                max=NAME_MAX_LENGTH,
                message=_l("Shorten the name to %(max)d characters or fewer.", max=NAME_MAX_LENGTH),
            ),
            no_control_characters,
        ],
        render_kw={"autocomplete": "off"},
    )
    aliases = TagListField(
        _l("Other spellings"), max_length=NAME_MAX_LENGTH, render_kw={"autocomplete": "off"}
    )
    neighbours = AreaChecklist(_l("Neighbouring areas"))

    def set_neighbour_choices(self, options: Sequence[tuple[str, str]]) -> None:
        self.neighbours.choices = list(options)

    def validate_name(self, field: Any) -> None:
        if not " ".join((field.data or "").split()):
            raise ValidationError(_l("Write the name of the area."))

    def details(self) -> AreaDetails:
        name = " ".join(self.name.data.split())
        aliases = tuple(alias for alias in self.aliases.data or [] if alias != name)
        return AreaDetails(name=name, aliases=aliases, neighbour_ids=self.neighbours.area_ids)


class NewAreaForm(SubmittedOnce, AreaForm):
    """Adds an area."""


class EditAreaForm(AreaForm):
    is_active = BooleanField(_l("Offered in the lists"))
    version = VersionField()


class MapAreaNameForm(SubmittedOnce, BaseForm):
    """Puts the rows carrying a name from before the list into an area."""

    name = SelectField(
        _l("Name as written"),
        validators=[InputRequired(_l("Choose the name to map."))],
        validate_choice=False,
    )
    area = SelectField(
        _l("Put into the area"),
        validators=[InputRequired(CHOOSE_FROM_LIST)],
        validate_choice=False,
    )

    def set_choices(self, *, names: Sequence[str], areas: Sequence[tuple[str, str]]) -> None:
        self.name.choices = [("", _l("Choose …")), *((name, name) for name in names)]
        self.area.choices = [
            ("", _l("Choose …")),
            (NEW_AREA, _l("A new area with this name")),
            *areas,
        ]

    def validate_name(self, field: Any) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("This name is mapped already; choose another."))

    def validate_area(self, field: Any) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(CHOOSE_FROM_LIST)

    @property
    def area_id(self) -> uuid.UUID | None:
        return as_uuid(self.area.data)
