"""WTForms validators and fields over ``guide.validation``, with the messages users see.

The validators leave a blank field alone (pair them with ``DataRequired`` or ``Optional``)
and replace ``field.data`` with the normalised value when it is valid. The fields shared by
the feature forms (dates, whole numbers, amounts) live here too, so each says its refusal
the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, Form, IntegerField, StringField, ValidationError
from wtforms.validators import Length

from guide.dates import local_date
from guide.validation.errors import InvalidInput
from guide.validation.money import MAX_ORE, LocaleArg, format_ore, parse_kroner
from guide.validation.names import DEFAULT_MAX_LENGTH, clean_person_name
from guide.validation.national_id import parse_national_id
from guide.validation.orgnr import normalise_org_number
from guide.validation.phone import normalise_phone
from guide.validation.text import has_hidden_control

FALLBACK_LOCALE = "nb"

NATIONAL_ID_MESSAGES = {
    "length": _l(
        "A national identity number has 11 digits. Check that no digit is missing or extra."
    ),
    "not_digits": _l("Use only digits in the national identity number (spaces are fine)."),
    "check_digit": _l(
        "This national identity number does not add up; a digit is probably mistyped. "
        "Compare it with the letter or card it came from."
    ),
    "bad_date": _l(
        "The first six digits of a national identity number are the birth date (DDMMYY), "
        "and these do not give a possible date. Check the number."
    ),
}
PHONE_MESSAGES = {
    "letters": _l("A phone number can only contain digits, spaces and a leading +."),
    "too_long": _l("That is too long for a phone number. Enter one number only."),
    "invalid": _l(
        "This is not a phone number we can call. Check the digits; "
        "for a number outside Norway, start with + and the country code."
    ),
}
ORG_NUMBER_MESSAGES = {
    "length": _l("An organisation number has 9 digits. Check that no digit is missing or extra."),
    "not_digits": _l("Use only digits in the organisation number (spaces are fine)."),
    "check_digit": _l(
        "This organisation number does not add up; a digit is probably mistyped. "
        "Look it up in the Brønnøysund Register Centre."
    ),
}
NAME_MESSAGES = {
    "control_character": _l(
        "The name contains invisible control characters. Type it again instead of pasting it."
    ),
}
#: The amount the messages show as an example, written in the user's own number format.
EXAMPLE_ORE = 125050
#: A check (a police certificate seen, a declaration signed) dated earlier is a typing slip.
EARLIEST_CHECK = dt.date(1990, 1, 1)


class _NormalisingValidator:
    """Runs ``normalise`` on non-empty data, stores its result, turns refusals into messages."""

    messages: Mapping[str, Any] = {}

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def normalise(self, text: str) -> str:
        raise NotImplementedError

    def __call__(self, form: Form, field: Field) -> None:
        if not isinstance(field.data, str) or not field.data.strip():
            return
        try:
            field.data = self.normalise(field.data)
        except InvalidInput as error:
            raise ValidationError(self.message or self.message_for(error.reason)) from None

    def message_for(self, reason: str) -> Any:
        return self.messages[reason]


class NationalIdValidator(_NormalisingValidator):
    """A fødselsnummer, D-number or H-number; ``field.data`` becomes its 11 digits."""

    messages = NATIONAL_ID_MESSAGES

    def normalise(self, text: str) -> str:
        return parse_national_id(text, today=local_date()).value


class PhoneValidator(_NormalisingValidator):
    """A phone number; ``field.data`` becomes E.164, read as Norwegian without a ``+``."""

    messages = PHONE_MESSAGES

    def __init__(self, message: str | None = None, *, region: str = "NO") -> None:
        super().__init__(message)
        self.region = region

    def normalise(self, text: str) -> str:
        return normalise_phone(text, region=self.region)


class OrgNumberValidator(_NormalisingValidator):
    """An organisation number; ``field.data`` becomes its 9 digits."""

    messages = ORG_NUMBER_MESSAGES

    def normalise(self, text: str) -> str:
        return normalise_org_number(text)


class PersonName(_NormalisingValidator):
    """A person's name; ``field.data`` becomes the tidied name."""

    messages = NAME_MESSAGES

    def __init__(self, message: str | None = None, *, max_length: int = DEFAULT_MAX_LENGTH):
        super().__init__(message)
        self.max_length = max_length

    def normalise(self, text: str) -> str:
        return clean_person_name(text, max_length=self.max_length)

    def message_for(self, reason: str) -> Any:
        if reason == "too_long":
            return _l(
                "The name is too long. Shorten it to %(max)s characters or fewer.",
                max=self.max_length,
            )
        return super().message_for(reason)


class FreeText:
    """Free text in any script, emoji welcome; refuses control and text-direction override
    characters, which can hide or reorder what a reader sees.

    ``field.data`` becomes NFC-normalised and trimmed unless ``tidy=False``.
    """

    def __init__(self, *, tidy: bool = True) -> None:
        self.tidy = tidy

    def __call__(self, form: Form, field: Field) -> None:
        text = field.data or ""
        if has_hidden_control(text):
            raise ValidationError(
                _l("The text contains invisible control characters. Type it instead of pasting it.")
            )
        if self.tidy:
            field.data = unicodedata.normalize("NFC", text).strip()


class MaxLength(Length):
    """At most ``maximum`` characters, with a message that says how many."""

    def __init__(self, maximum: int) -> None:
        super().__init__(
            max=maximum, message=_l("Shorten the text to %(max)d characters or fewer.")
        )


class LocalDateField(DateField):
    """A date box (``type=date``) that also takes 05.03.2026, with our own message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", ["%Y-%m-%d", "%d.%m.%Y"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a real date, for example 05.03.2026.")) from None


class CheckedDateField(DateField):
    """The day something was checked or signed: a real date, not in the future, not before 1990."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(
                _l("This is not a date that exists. Use the date picker or write YYYY-MM-DD.")
            ) from None

    def pre_validate(self, form: Form) -> None:
        if self.data is None:
            return
        if self.data > local_date():
            raise ValidationError(_l("The date cannot be in the future."))
        if self.data < EARLIEST_CHECK:
            raise ValidationError(_l("Check the year: the date is too far back."))


class WholeNumberField(IntegerField):
    """An integer box that explains a refusal in the user's language."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a whole number, for example 2.")) from None


class KronerField(StringField):
    """A text box for kroner whose ``data`` is whole øre (``int``), or None when left empty.

    Require it with ``InputRequired``, not ``DataRequired``: 0 kr is a real amount, and
    ``DataRequired`` would replace the message saying what is wrong with the typed amount.
    """

    def __init__(
        self,
        label: str | None = None,
        validators: list[Callable[..., Any]] | None = None,
        *,
        allow_negative: bool = False,
        locale: LocaleArg | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.allow_negative = allow_negative
        self.locale = locale

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = valuelist[0] if valuelist else ""
        if not isinstance(text, str) or not text.strip():
            self.data = None
            self.raw_data = []  # spaces alone are no amount, for InputRequired too
            return
        try:
            self.data = parse_kroner(
                text, self.current_locale(), allow_negative=self.allow_negative
            )
        except InvalidInput as error:
            self.data = None
            raise ValueError(self.message_for(error.reason)) from None

    def message_for(self, reason: str) -> Any:
        """What is wrong with the typed amount, with an example in the user's language."""
        locale = self.current_locale()
        example = format_ore(EXAMPLE_ORE, locale, with_currency=False)
        if reason == "negative":
            return _l("The amount cannot be negative.")
        if reason == "too_many_decimals":
            return _l("Use at most two decimals (øre), for example %(example)s.", example=example)
        if reason == "too_large":
            return _l("The amount is too large: at most %(max)s.", max=format_ore(MAX_ORE, locale))
        return _l(
            "Write the amount in kroner with digits, for example %(example)s.", example=example
        )

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])  # show what was typed back, even when refused
        if self.data is None:
            return ""
        return format_ore(self.data, self.current_locale(), with_currency=False)

    def current_locale(self) -> LocaleArg:
        """The locale given to the field, else the request's (Flask-Babel), else nb."""
        return self.locale or get_locale() or FALLBACK_LOCALE
