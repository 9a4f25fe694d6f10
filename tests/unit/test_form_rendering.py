"""Fields render as valid HTML on pages with several forms (guide.validation.forms.Form)."""

from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import DateField, HiddenField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from guide.validation.fields import LocalDateField
from guide.validation.forms import Form
from guide.validation.versions import VersionField
from guide.web.widgets import browser_value, with_placeholder


class Example(Form):
    version = VersionField()
    token = HiddenField()
    kind = SelectField(
        "Kind",
        choices=[SelectChoice("a", "A"), SelectChoice("b", "B")],
        validators=[InputRequired("Choose a kind.")],
    )
    only = SelectField(
        "Only", choices=[SelectChoice("x", "X")], validators=[InputRequired("Choose.")]
    )
    optional = SelectField(
        "Optional",
        choices=[SelectChoice("a", "A"), SelectChoice("b", "B")],
        validators=[Optional()],
    )
    day = LocalDateField("Day", validators=[Optional()])
    plain_day = DateField("Plain day", validators=[Optional()], format="%d.%m.%Y")
    count = IntegerField("Count", validators=[Optional()])


@pytest.fixture
def form_for(app):
    with app.test_request_context(method="POST"):

        def build(data=None, **kwargs):
            return Example(
                MultiDict(data) if data is not None else None, meta={"csrf": False}, **kwargs
            )

        yield build


def test_hidden_fields_have_no_id_so_two_forms_can_share_a_page(app):
    with app.test_request_context():
        form = Example(data={"version": 3})  # with its CSRF token, as in the app

        assert str(form.version()) == '<input name="version" type="hidden" value="3">'
        assert 'id="' not in str(form.csrf_token())
        assert 'id="' not in str(form.token())
        assert 'id="mine"' in str(form.token(id="mine"))  # unless one is asked for


def test_a_required_select_starts_with_an_empty_choice(form_for):
    html = str(form_for().kind())

    assert html.startswith('<select id="kind" name="kind" required><option value="">Velg …')
    assert "<option selected" not in html


def test_the_chosen_option_stays_chosen_after_the_placeholder(form_for):
    html = str(form_for(data={"kind": "b"}).kind())

    assert '<option value="">Velg …</option><option value="a">A</option>' in html
    assert '<option selected value="b">B</option>' in html


def test_the_only_choice_is_shown_chosen_until_the_user_sends_nothing(form_for):
    assert '<option selected value="x">X</option>' in str(form_for().only())
    sent_empty = form_for(data={"only": ""})
    sent_empty.validate()
    assert "<option selected" not in str(sent_empty.only())
    assert sent_empty.only.errors == ["Choose."]


def test_an_optional_select_is_left_as_it_is(form_for):
    assert 'value=""' not in str(form_for().optional())


def test_a_choice_left_at_the_placeholder_gets_the_fields_own_message(form_for):
    form = form_for(data={"kind": "", "only": "x"})

    assert not form.validate()
    assert form.kind.errors == ["Choose a kind."]


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("2026-03-05", "2026-03-05"),
        ("05.03.2026", "2026-03-05"),  # understood, shown as the box writes it
        ("31.02.2026", ""),  # no such day: the message beside the box says what to write
        ("i morgen", ""),
    ],
)
def test_a_date_box_shows_only_a_date_it_can_hold(form_for, sent, shown):
    form = form_for(data={"day": sent})
    form.validate()

    assert f'value="{shown}"' in str(form.day())


def test_a_date_in_another_format_is_shown_as_the_box_writes_it(form_for):
    form = form_for(data={"plain_day": "05.03.2026"})

    assert form.plain_day.data == dt.date(2026, 3, 5)
    assert 'value="2026-03-05"' in str(form.plain_day())


@pytest.mark.parametrize(("sent", "shown"), [("12", "12"), ("tolv", ""), ("1,5", "")])
def test_a_number_box_shows_only_a_number(form_for, sent, shown):
    form = form_for(data={"count": sent})
    form.validate()

    assert f'value="{shown}"' in str(form.count())


@pytest.mark.parametrize(
    "html",
    [
        '<select name="a"><option value="x">X</option></select>',  # not required
        '<select name="a" required><option value="">Velg</option></select>',
        '<select name="a" required><option value="-"></option></select>',  # no text
        '<select multiple name="a" required><option value="x">X</option></select>',
        '<select name="a" required size="3"><option value="x">X</option></select>',
    ],
)
def test_selects_that_need_no_placeholder_are_left_alone(html):
    assert str(with_placeholder(html, "Velg …")) == html


def test_a_placeholder_goes_before_the_first_group():
    html = '<select name="a" required><optgroup label="G"><option value="">X</option></optgroup>'

    assert str(with_placeholder(html, "Velg <…>")).startswith(
        '<select name="a" required><option value="">Velg &lt;…&gt;</option><optgroup'
    )


def test_browser_value_leaves_other_boxes_alone():
    assert browser_value("text", "31.02.2026", None) is None
    assert browser_value("date", "", None) is None
    assert browser_value("number", "-1.5e3", None) is None
