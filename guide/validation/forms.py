"""The base of every form: a POST whose form was refused answers 400.

A form is refused when it does not validate, or when a service refuses what it asked for
and the view adds the message to the form. The view re-renders the page with the messages
beside the fields as before; the request's commit point (guide.unit_of_work) sets the
status, so no view has to remember it.

A submitted form reads what a browser's form sends: the form fields, and uploads only in
its file fields. A JSON body, or a file sent for a text field, is not read as form input
(Flask-WTF would hand both to the fields, which expect text). A value with a NUL character
is refused before the other checks of its field run: no one types one, and PostgreSQL
cannot store or even compare it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import g, has_app_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import Field, FileField, SelectField
from wtforms.validators import StopValidation
from wtforms.widgets import HiddenInput, Select

from guide.web.widgets import browser_value, with_placeholder

NUL_MESSAGE = _l("The text contains invisible control characters. Type it instead of pasting it.")


def form_refused() -> bool:
    """Whether a form of this request failed validation or carries a refusal's message."""
    return bool(g.get("invalid_form")) or any(form.errors for form in g.get("forms", ()))


class Form(FlaskForm):
    """A FlaskForm that records a failed submission for the request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if has_app_context():
            g.setdefault("forms", []).append(self)

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            if formdata is None or hasattr(formdata, "getlist"):
                return formdata  # the view chose the data: a query string, or none
            if not form.is_submitted():
                return None
            uploads = MultiDict(
                (field.name, upload)
                for field in form
                if isinstance(field, FileField)
                for upload in request.files.getlist(field.name)
            )
            return CombinedMultiDict((uploads, request.form)) if uploads else request.form

        def render_field(self, field: Field, render_kw: dict[str, Any]) -> Any:
            """Every field as WTForms renders it, with the rules valid HTML asks for.

            A hidden field (the CSRF token, a row's version, a submission token) gets no id
            unless one is asked for: a page may hold several forms, and ids must be unique on
            a page; nothing points to a hidden field by its id. A required single select
            starts with an empty "Choose …" option, as HTML asks. A date or number box
            shows a value it can hold (``guide.web.widgets.browser_value``).
            """
            given = {**(field.render_kw or {}), **render_kw}
            if isinstance(field.widget, HiddenInput) and "id" not in given:
                render_kw = {**render_kw, "id": False}
            input_type = given.get("type", getattr(field.widget, "input_type", ""))
            if input_type in ("date", "number") and "value" not in given:
                value = browser_value(input_type, field._value(), field.data)
                if value is not None:
                    render_kw = {**render_kw, "value": value}
            if isinstance(field, SelectField) and field.flags.required and not field.raw_data:
                _choose_the_only_choice(field)
            html = super().render_field(field, render_kw)
            if isinstance(field.widget, Select):
                return with_placeholder(html, _("Choose …"))
            return html

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        for field in _typed_fields(self):
            if _has_nul(field):  # its first check, which ends its checks
                field.validators = [_refuse_nul, *field.validators]
        return super().validate(extra_validators=extra_validators)

    def validate_on_submit(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        if not self.is_submitted():
            return False
        if self.validate(extra_validators=extra_validators):
            return True
        g.invalid_form = True
        return False


def _choose_the_only_choice(field: SelectField) -> None:
    """Shows a required choice with one option as chosen, while nothing else is chosen.

    The empty "Choose …" option comes first in a required select, so a list with one real
    option would otherwise ask the user to pick the only thing there is to pick.
    """
    choices = [choice for choice in field.iter_choices() if choice[0] not in ("", None)]
    if len(choices) == 1 and not any(choice[2] for choice in field.iter_choices()):
        field.data = field.coerce(choices[0][0])


def _typed_fields(form: Any) -> Iterator[Field]:
    """The fields that take typed values, inside field lists and nested forms too."""
    for field in form:
        if hasattr(field, "entries"):  # a FieldList
            for entry in field.entries:
                yield from _typed_fields(entry.form) if hasattr(entry, "form") else (entry,)
        elif hasattr(field, "form"):  # a FormField
            yield from _typed_fields(field.form)
        else:
            yield field


def _refuse_nul(form: Any, field: Field) -> None:
    raise StopValidation(NUL_MESSAGE)


def _has_nul(field: Field) -> bool:
    values = getattr(field, "raw_data", None) or ()
    return any(isinstance(value, str) and "\x00" in value for value in values)
