"""The base form reads what a browser's form sends: form fields, and uploads in file fields."""

from __future__ import annotations

import io

import pytest
from flask import Flask, request
from flask_babel import Babel
from wtforms import FileField, FormField, StringField, ValidationError
from wtforms import Form as PlainForm
from wtforms.validators import Length

from guide.validation.forms import NUL_MESSAGE, Form


class ScanForm(Form):
    note = StringField(validators=[Length(max=20)])
    scan = FileField()


@pytest.fixture
def page_app() -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False)
    Babel(app)
    return app


def test_a_file_in_a_file_field_is_read(page_app):
    body = {"note": "Signert", "scan": (io.BytesIO(b"%PDF-1.7"), "skjema.pdf")}
    with page_app.test_request_context(method="POST", data=body):
        form = ScanForm()
        assert form.validate_on_submit()
        assert form.note.data == "Signert"
        assert form.scan.data.filename == "skjema.pdf"


def test_a_file_sent_for_a_text_field_is_not_its_value(page_app):
    body = {"note": (io.BytesIO(b"x" * 100), "notat.txt")}
    with page_app.test_request_context(method="POST", data=body):
        form = ScanForm()
        assert form.validate_on_submit()  # the length check once failed on the upload
        assert not form.note.data


@pytest.mark.parametrize("document", [["not", "a", "form"], {"note": {"nested": 1}}, "text"])
def test_a_json_body_is_not_read_as_form_input(page_app, document):
    with page_app.test_request_context(method="POST", json=document):
        form = ScanForm()
        assert form.validate_on_submit()
        assert not form.note.data


def test_a_form_given_its_data_reads_only_that(page_app):
    body = {"note": "Skjema"}
    with page_app.test_request_context("/?note=Fra+adressen", method="POST", data=body):
        assert ScanForm(formdata=request.args).note.data == "Fra adressen"
        assert ScanForm(formdata=None, note="Standard").note.data == "Standard"


class ClubForm(Form):
    name = StringField()

    class Contact(PlainForm):
        phone = StringField()

    contact = FormField(Contact)

    def validate_name(self, field: StringField) -> None:
        # Stands for a check that asks the database, which a NUL would make fail.
        raise ValidationError("checked")


def test_a_value_with_a_nul_is_refused_before_its_fields_checks(page_app):
    with page_app.test_request_context(method="POST", data={"name": "Lag\x00et"}):
        form = ClubForm()
        assert not form.validate_on_submit()
        assert form.errors == {"name": [NUL_MESSAGE]}  # the check asking the database never ran


def test_a_nul_in_a_nested_form_is_refused_too(page_app):
    with page_app.test_request_context(method="POST", data={"contact-phone": "\x00"}):
        form = ClubForm()
        assert not form.validate_on_submit()
        assert form.errors["contact"] == {"phone": [NUL_MESSAGE]}
