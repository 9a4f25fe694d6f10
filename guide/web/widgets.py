"""Form widgets tuned for long choice lists."""

from __future__ import annotations

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
