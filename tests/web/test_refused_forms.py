"""A POST whose form was refused answers 400: by its own checks, or by a service afterwards."""

from __future__ import annotations

import pytest
from flask import render_template_string
from wtforms import StringField
from wtforms.validators import DataRequired

from guide.validation.forms import Form

pytestmark = pytest.mark.usefixtures("db")


class NoteForm(Form):
    note = StringField(validators=[DataRequired()])


@pytest.fixture
def trial_app(make_app):
    application = make_app()
    application.config["WTF_CSRF_ENABLED"] = False

    @application.post("/trial/note")
    def note():
        form = NoteForm()
        if form.validate_on_submit() and form.note.data == "refused":
            form.form_errors.append("A service refused this note.")  # as views do
        return render_template_string("{{ form.errors }}", form=form)

    return application


@pytest.mark.parametrize(
    ("note", "status"),
    [("", 400), ("refused", 400), ("fine", 200)],
    ids=["invalid", "refused-by-a-service", "accepted"],
)
def test_a_refused_form_answers_400(trial_app, note, status):
    response = trial_app.test_client().post("/trial/note", data={"note": note})
    assert response.status_code == status
