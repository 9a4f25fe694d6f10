"""Templates translate with the render's catalogue, as Jinja's own newstyle gettext would;
WTForms' messages come in the request's language without reading its catalogue each time."""

from __future__ import annotations

import pytest
from babel.support import Translations
from flask import render_template_string
from flask_babel import force_locale
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from guide import i18n


class PickForm(FlaskForm):
    class Meta:
        csrf = False

    choice = SelectField(choices=[SelectChoice("a", "A")])


TEMPLATE = (
    "{{ _('Cases') }}|{{ _('More than %(days)s days', days='<b>7</b>') }}|"
    "{{ ngettext('%(num)d month: due %(date)s', '%(num)d months: due %(date)s', 3, date='x') }}"
)


def test_gettext_ngettext_translate_fill_and_escape(app):
    with app.test_request_context(headers={"Accept-Language": "nb"}):
        cases, waiting, months = render_template_string(TEMPLATE).split("|")
    assert cases == "Saker"
    assert "&lt;b&gt;7&lt;/b&gt;" in waiting  # a value is escaped, the catalogue's text is not
    assert "<b>" not in waiting
    assert months.startswith("3 ")
    assert months != "3 months: due x"  # translated, not the English plural


def test_a_forced_locale_inside_a_request_renders_in_that_language(app):
    with app.test_request_context(headers={"Accept-Language": "nb"}):
        with force_locale("en"):
            forced = render_template_string("{{ _('Cases') }}")
        own = render_template_string("{{ _('Cases') }}")
    assert (forced, own) == ("Cases", "Saker")


def test_form_messages_follow_the_request_language_and_load_once(app, monkeypatch):
    loads = []
    real_load = Translations.load

    def counting_load(*args, **kwargs):
        loads.append(args)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(Translations, "load", counting_load)
    i18n._form_catalogue.cache_clear()

    def message_for(language: str) -> str:
        with app.test_request_context(), force_locale(language):
            app.preprocess_request()
            form = PickForm(data={"choice": "not-offered"})
            form.validate()
            return form.choice.errors[0]

    assert message_for("nb") == "Ikke et gyldig valg"
    assert message_for("nb") == "Ikke et gyldig valg"
    assert message_for("en") == "Not a valid choice."
    assert len(loads) == 2  # once per language, however many requests


@pytest.fixture(autouse=True)
def _fresh_catalogues():
    yield
    i18n._form_catalogue.cache_clear()
