"""The coordinator's forms: a guide's profile, and assigning a guide to a case."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    Form,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from guide.areas.fields import AreaChecklist
from guide.i18n import language_name
from guide.validation.fields import CheckedDateField, FreeText, MaxLength, WholeNumberField
from guide.validation.forms import Form as BaseForm
from guide.validation.versions import VersionField

#: Languages offered as checkboxes: Norwegian first, then those most spoken by families here.
LANGUAGE_CODES = (
    "nb", "nn", "se", "en", "ar", "so", "ti", "am", "uk", "ru", "pl", "lt", "fa", "ps",
    "ku", "ur", "tr", "sq", "bs", "es", "fr", "de", "th", "vi", "tl", "sw",
)  # fmt: skip
MAX_CAPACITY = 10
#: Unicode categories allowed in an area or interest: letters, marks, digits, spaces, dashes.
TAG_CATEGORIES = ("L", "M", "N", "Zs", "Pd")


class TagListField(StringField):
    """Comma-separated words in one text box; ``data`` is the list, tidied and without repeats."""

    def __init__(
        self,
        label: Any = None,
        validators: Any = None,
        *,
        max_items: int = 20,
        max_length: int = 40,
        fold_case: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.max_items = max_items
        self.max_length = max_length
        self.fold_case = fold_case

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = valuelist[0] if valuelist and isinstance(valuelist[0], str) else ""
        items: list[str] = []
        for part in text.split(","):
            item = " ".join(part.split())
            if self.fold_case:
                item = item.casefold()
            if item and item not in items:
                items.append(item)
        self.data = items

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return ", ".join(self.data or [])

    def pre_validate(self, form: Form) -> None:
        items = self.data or []
        if len(items) > self.max_items:
            raise ValidationError(
                _l("Enter at most %(count)d, separated by commas.", count=self.max_items)
            )
        for item in items:
            if len(item) > self.max_length:
                raise ValidationError(
                    _l(
                        "Each entry can have at most %(count)d characters.",
                        count=self.max_length,
                    )
                )
            if not all(_allowed_in_tag(character) for character in item):
                raise ValidationError(
                    _l("Use letters, digits, spaces and hyphens only (no emoji or symbols).")
                )


def _allowed_in_tag(character: str) -> bool:
    return unicodedata.category(character).startswith(TAG_CATEGORIES)


class LanguageChoice(SelectMultipleField):
    """Languages as checkboxes; ``data`` is a list of language codes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Form) -> None:
        offered = {value for value, _label in self.choices}
        if any(code not in offered for code in self.data or []):
            raise ValidationError(_l("Choose languages from the list."))


#: Refuses hidden control characters but leaves the text as typed (the services tidy it).
no_control_characters = FreeText(tidy=False)


class GuideProfileForm(BaseForm):
    languages = LanguageChoice(_l("Languages the guide speaks"))
    areas = AreaChecklist(_l("Areas the guide can cover"))
    interests = TagListField(
        _l("Interests"), max_length=40, fold_case=True, render_kw={"autocomplete": "off"}
    )
    capacity = WholeNumberField(
        _l("Places (how many children at a time)"),
        validators=[
            InputRequired(_l("Enter how many children the guide can follow at a time.")),
            NumberRange(
                min=0,
                max=MAX_CAPACITY,
                message=_l("Enter a number from 0 to %(max)d.", max=MAX_CAPACITY),
            ),
        ],
        default=2,
        render_kw={"inputmode": "numeric"},
    )
    availability_notes = TextAreaField(
        _l("When the guide is available"),
        validators=[
            Optional(),
            MaxLength(1000),
            no_control_characters,
        ],
    )
    police_certificate_checked_on = CheckedDateField(
        _l("Police certificate checked on"), validators=[Optional()]
    )
    confidentiality_signed_on = CheckedDateField(
        _l("Confidentiality declaration signed on"), validators=[Optional()]
    )
    is_paused = BooleanField(_l("Paused: takes no new children for now"))

    def __init__(
        self,
        *args: Any,
        saved_languages: list[str] | None = None,
        area_choices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.areas.choices = list(area_choices or [])
        known = list(LANGUAGE_CODES)
        # Keep a language already on the profile even if the list above lacks it.
        known += [code for code in saved_languages or [] if code not in known]
        self.languages.choices = [(code, language_name(code)) for code in known]

    def profile_fields(self) -> dict[str, Any]:
        """The values for ``update_guide_profile``."""
        return {
            "languages": list(self.languages.data or []),
            "area_ids": self.areas.area_ids,
            "interests": list(self.interests.data or []),
            "capacity": self.capacity.data,
            "availability_notes": (self.availability_notes.data or "").strip() or None,
            "police_certificate_checked_on": self.police_certificate_checked_on.data,
            "confidentiality_signed_on": self.confidentiality_signed_on.data,
            "is_paused": bool(self.is_paused.data),
        }


def _known_uuid(_form: Form, field: Field) -> None:
    try:
        uuid.UUID(str(field.data))
    except ValueError:
        raise ValidationError(_l("Choose a guide from the list.")) from None


class CaseVersionForm(BaseForm):
    """Carries the case's version as the coordinator saw it (optimistic locking)."""

    version = VersionField()
    note = TextAreaField(
        _l("Note for the case history (optional)"),
        validators=[
            Optional(),
            MaxLength(1000),
            no_control_characters,
        ],
    )


class AssignGuideForm(CaseVersionForm):
    #: Choices are the suggestions; any other id is refused by the service with the reason.
    guide = RadioField(
        _l("Guide"),
        validators=[InputRequired(_l("Choose a guide.")), _known_uuid],
        validate_choice=False,
    )


class UnassignGuideForm(CaseVersionForm):
    pass
