"""The WTForms wrappers: normalised data on success, a helpful message on refusal."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField
from wtforms.validators import DataRequired, InputRequired, Optional

from guide.validation.fields import (
    KronerField,
    NationalIdValidator,
    OrgNumberValidator,
    PersonName,
    PhoneValidator,
)
from tests.unit.validation.synthetic import make_number, make_org_number


class ContactForm(Form):
    national_id = StringField(validators=[Optional(), NationalIdValidator()])
    phone = StringField(validators=[Optional(), PhoneValidator()])
    org_number = StringField(validators=[Optional(), OrgNumberValidator()])
    name = StringField(validators=[DataRequired(), PersonName(max_length=20)])


class GrantForm(Form):
    amount = KronerField(validators=[InputRequired()], locale="nb")
    refund = KronerField(validators=[Optional()], locale="en", allow_negative=True)


def submit(form_class, **data):
    return form_class(MultiDict(data))


def test_valid_input_is_normalised_in_place():
    child = make_number("170514", range(500, 1000))
    club = make_org_number()
    form = submit(
        ContactForm,
        national_id=f"{child[:6]} {child[6:]}",
        phone="0047 912 34 567",
        org_number=f"{club[:3]} {club[3:6]} {club[6:]}",
        name="  Åse   Ødegård ",
    )

    assert form.validate(), form.errors
    assert form.national_id.data == child
    assert form.phone.data == "+4791234567"
    assert form.org_number.data == club
    assert form.name.data == "Åse Ødegård"


def test_each_refusal_says_what_is_wrong():
    form = submit(
        ContactForm,
        national_id=make_number("310214", range(500, 1000)),
        phone="912 34 abc",
        org_number="12345",
        name="x" * 21,
    )

    assert not form.validate()
    assert "birth date" in str(form.national_id.errors[0])
    assert "digits" in str(form.phone.errors[0])
    assert "9 digits" in str(form.org_number.errors[0])
    assert "20 characters" in str(form.name.errors[0])


def test_blank_optional_fields_are_left_to_optional():
    form = submit(ContactForm, national_id="", phone="  ", name="Ola")

    assert form.validate(), form.errors
    assert form.national_id.data == ""


def test_a_name_of_spaces_only_is_required():
    form = submit(ContactForm, name="   ")

    assert not form.validate()
    assert form.name.errors


def test_a_custom_message_replaces_the_default():
    class Custom(Form):
        phone = StringField(validators=[PhoneValidator(message="Bad phone")])

    form = submit(Custom, phone="123")

    assert not form.validate()
    assert form.phone.errors == ["Bad phone"]


def test_kroner_field_data_is_whole_ore():
    form = submit(GrantForm, amount="kr 1 250,50", refund="-1,250.50")

    assert form.validate(), form.errors
    assert form.amount.data == 125050
    assert form.refund.data == -125050


def test_kroner_field_refuses_with_a_message_and_shows_the_typed_text_again():
    form = submit(GrantForm, amount="12,505")

    assert not form.validate()
    assert form.amount.data is None
    assert str(form.amount.errors[0]) == (
        "Use at most two decimals (øre), for example 1\u00a0250,50."
    )
    assert isinstance(form.amount.errors[0], LazyString)  # translated when shown
    assert 'value="12,505"' in form.amount()


def test_kroner_field_names_the_limit():
    form = submit(GrantForm, amount="200 000 000")

    assert not form.validate()
    assert "100\u00a0000\u00a0000,00\u00a0kr" in str(form.amount.errors[0])


def test_kroner_field_accepts_zero_kroner():
    form = submit(GrantForm, amount="0")

    assert form.validate(), form.errors
    assert form.amount.data == 0


def test_kroner_field_refuses_negative_amounts_unless_allowed():
    form = submit(GrantForm, amount="-5")

    assert not form.validate()
    assert "negative" in str(form.amount.errors[0])


def test_an_empty_kroner_field_is_none():
    form = submit(GrantForm, amount="", refund="")

    assert not form.validate()
    assert form.amount.data is None
    assert form.refund.data is None
    assert "refund" not in form.errors


def test_a_kroner_field_of_spaces_alone_is_left_empty_and_required():
    form = submit(GrantForm, amount=" \t ", refund="  ")

    assert not form.validate()
    assert "amount" in form.errors
    assert form.amount.data is None
    assert "refund" not in form.errors


def test_kroner_field_shows_stored_ore_as_kroner():
    class Stored:
        amount = 125050
        refund = None

    form = GrantForm(obj=Stored())

    assert form.amount._value() == "1\u00a0250,50"
    assert form.refund._value() == ""


@pytest.fixture
def babel_app():
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False)
    chosen = {"locale": "nb"}
    Babel(app, locale_selector=lambda: chosen["locale"])
    return app, chosen


class RequestGrantForm(FlaskForm):
    amount = KronerField(validators=[InputRequired()])


@pytest.mark.parametrize(
    ("locale", "typed", "ore"),
    [("nb", "1 250,50", 125050), ("nn", "1.250,50", 125050), ("en", "1,250.50", 125050)],
)
def test_kroner_field_reads_the_requests_locale(babel_app, locale, typed, ore):
    app, chosen = babel_app
    chosen["locale"] = locale

    with app.test_request_context(method="POST", data={"amount": typed}):
        form = RequestGrantForm()
        assert form.validate(), form.errors
        assert form.amount.data == ore


def test_the_same_text_means_something_else_in_english(babel_app):
    app, chosen = babel_app
    chosen["locale"] = "en"

    with app.test_request_context(method="POST", data={"amount": "1 250,50"}):
        form = RequestGrantForm()
        assert not form.validate()
        assert str(form.amount.errors[0]) == (
            "Write the amount in kroner with digits, for example 1,250.50."
        )
