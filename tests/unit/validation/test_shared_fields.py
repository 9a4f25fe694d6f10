"""The form fields every feature shares: one definition each, one message each."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField
from wtforms.validators import Optional

import guide
from guide.validation.fields import (
    CheckedDateField,
    LocalDateField,
    MaxLength,
    WholeNumberField,
)

GUIDE = Path(guide.__file__).parent
SHARED = ("LocalDateField", "WholeNumberField", "CheckedDateField", "MaxLength")
#: 23:30 UTC on 9 March 2026 is already 00:30 on 10 March in Oslo.
OSLO_AFTER_MIDNIGHT = dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC)


class SharedFieldsForm(Form):
    note = StringField(validators=[Optional(), MaxLength(5)])
    day = LocalDateField(validators=[Optional()])
    checked_on = CheckedDateField(validators=[Optional()])
    places = WholeNumberField(validators=[Optional()])


def submit(**data: str) -> SharedFieldsForm:
    return SharedFieldsForm(MultiDict(data))


def errors(form: SharedFieldsForm) -> dict[str, str]:
    form.validate()
    return {name: str(messages[0]) for name, messages in form.errors.items()}


def test_text_up_to_the_limit_passes_and_longer_text_is_told_the_limit():
    assert errors(submit(note="12345")) == {}
    assert errors(submit(note="123456")) == {"note": "Shorten the text to 5 characters or fewer."}


@pytest.mark.parametrize("typed", ["2026-03-05", "05.03.2026"])
def test_a_date_is_taken_as_the_picker_sends_it_or_as_people_write_it(typed):
    form = submit(day=typed)

    assert errors(form) == {}
    assert form.day.data == dt.date(2026, 3, 5)


def test_a_date_that_does_not_exist_gets_an_example():
    assert errors(submit(day="30.02.2026")) == {"day": "Enter a real date, for example 05.03.2026."}


def test_a_check_date_that_does_not_exist_says_how_to_write_one():
    assert errors(submit(checked_on="2026-02-30")) == {
        "checked_on": "This is not a date that exists. Use the date picker or write YYYY-MM-DD."
    }


def test_a_check_date_may_be_today_in_oslo_while_it_is_still_yesterday_in_utc(monkeypatch):
    monkeypatch.setattr("guide.dates.utcnow", lambda: OSLO_AFTER_MIDNIGHT)

    assert errors(submit(checked_on="2026-03-10")) == {}
    assert errors(submit(checked_on="2026-03-11")) == {
        "checked_on": "The date cannot be in the future."
    }


def test_a_check_date_before_1990_is_a_typing_slip():
    assert errors(submit(checked_on="1989-12-31")) == {
        "checked_on": "Check the year: the date is too far back."
    }
    assert errors(submit(checked_on="1990-01-01")) == {}


def test_a_whole_number_is_read_and_anything_else_is_explained():
    form = submit(places="2")

    assert errors(form) == {}
    assert form.places.data == 2
    assert errors(submit(places="two")) == {"places": "Enter a whole number, for example 2."}


def classes_defined(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}


def test_each_shared_field_is_defined_once_in_the_validation_package():
    homes = {
        name: sorted(
            str(path.relative_to(GUIDE))
            for path in GUIDE.rglob("*.py")
            if name in classes_defined(path)
        )
        for name in SHARED
    }

    assert homes == {name: ["validation/fields.py"] for name in SHARED}


def test_no_form_writes_its_own_copy_of_the_length_message():
    copies = [
        str(path.relative_to(GUIDE))
        for path in GUIDE.rglob("*.py")
        if "Shorten the text to" in path.read_text(encoding="utf-8")
    ]

    assert copies == ["validation/fields.py"]
