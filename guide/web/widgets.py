"""Form widgets: long choice lists, and placeholders for required choices."""

from __future__ import annotations

import datetime as dt
import decimal
import re

from markupsafe import Markup, escape
from wtforms.widgets import Select


class PlainOptionsSelect(Select):
    """A ``<select>`` with the same markup as WTForms', its plain options written directly.

    WTForms builds each option's attributes through ``html_params``; on a filter with dozens
    of guides and areas that was a tenth of the case list's time. Options with their own
    attributes (``render_kw``) still go through WTForms.
    """

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        value = escape(choice.value).replace(Markup('"'), Markup("&quot;"))
        label = escape(choice.label or choice.value)
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{value}">{label}</option>')  # noqa: S704 (escaped above)


#: The opening tag of a rendered ``<select>``: attribute values are escaped, so ``>`` ends it.
_SELECT_TAG = re.compile(r"<select\b[^>]*>")
_ATTRIBUTE = re.compile(r'\s([a-z-]+)(?:="([^"]*)")?')
_FIRST_OPTION = re.compile(r"\s*(?:<optgroup\b[^>]*>\s*)?<option\b([^>]*)>([^<]*)<")


def with_placeholder(html: str, label: str) -> Markup:
    """A required single ``<select>`` that starts with an empty placeholder option.

    HTML asks that a required select offer "nothing chosen" first (a placeholder with an
    empty value), so that the browser and assistive technology can tell that a choice is
    still to be made. A select that already starts with one, is not required, or shows
    several rows is returned as it is.
    """
    tag = _SELECT_TAG.match(html)
    if tag is None:
        return Markup(html)  # noqa: S704  (rendered and escaped by the widget)
    attributes = {name: value for name, value in _ATTRIBUTE.findall(tag.group())}
    if "required" not in attributes or "multiple" in attributes:
        return Markup(html)  # noqa: S704
    if attributes.get("size", "1").isdigit() and int(attributes.get("size", "1")) > 1:
        return Markup(html)  # noqa: S704
    first = _FIRST_OPTION.match(html, tag.end())
    if first is not None and not first.group(0).lstrip().startswith("<optgroup"):
        value = re.search(r'\svalue="([^"]*)"', first.group(1))
        if (value is not None and value.group(1) == "") or not first.group(2).strip():
            return Markup(html)  # noqa: S704
    placeholder = Markup('<option value="">{}</option>').format(label)
    return Markup(html[: tag.end()]) + placeholder + Markup(html[tag.end() :])  # noqa: S704


def browser_value(input_type: str, text: str, data: object) -> str | None:
    """The ``value`` a date or number box can show for what was sent, or None to keep ``text``.

    Such a box only holds a value in its own format (2026-03-05, 12.5); a browser shows
    nothing for anything else, and HTML calls the page invalid. A date sent as 05.03.2026
    comes back as 2026-03-05; a value that is no date or number at all comes back empty,
    with the field's message beside it saying what to write.
    """
    if input_type == "date":
        if _is_iso_date(text):
            return None
        if isinstance(data, dt.date) and not isinstance(data, dt.datetime):
            return data.isoformat()
        return ""
    if input_type == "number":
        if _is_number(text):
            return None
        return str(data) if isinstance(data, int | float | decimal.Decimal) else ""
    return None


def _is_iso_date(text: str) -> bool:
    if text == "":
        return True
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) is not None


def _is_number(text: str) -> bool:
    if text == "":
        return True
    return re.fullmatch(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?", text) is not None
