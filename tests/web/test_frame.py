"""The page frame, the error pages and the health check, as a visitor and a monitor see them."""

from __future__ import annotations

import logging
import re

import pytest
from flask import render_template_string, request
from wtforms import BooleanField, Form, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired

from guide.extensions import csrf

SECRET = "fnr-01017012345-do-not-leak"
INLINE_SCRIPT = re.compile(r"<script\b[^>]*>\s*[^<\s]", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle\s*=|<style\b", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def assert_no_inline_code(html: str) -> None:
    assert "<html" in html
    assert not INLINE_SCRIPT.search(html), "inline <script> body"
    assert not INLINE_STYLE.search(html), "inline style"
    assert not INLINE_HANDLER.search(html), "inline event handler"


@pytest.fixture
def failing_app(make_app):
    """An app that shows the real 500 page instead of raising into the test."""
    application = make_app()
    application.config["PROPAGATE_EXCEPTIONS"] = False

    @application.get("/explode")
    def explode():
        raise RuntimeError(f"lookup failed for {request.args.get('fnr')}")

    @application.post("/explode-form")
    @csrf.exempt
    def explode_form():
        raise ValueError(f"bad value {request.form.get('fnr')}")

    return application


def test_landing_page_is_in_bokmal_by_default(client):
    html = client.get("/").text
    assert '<html lang="nb" dir="ltr">' in html
    assert "Velkommen til Fritidsguide" in html


def test_landing_page_has_skip_link_and_landmarks(client):
    html = client.get("/").text
    assert re.search(r'<a class="ds-skip-link" href="#main">', html)
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html


def test_anonymous_visitor_is_offered_sign_in(client):
    html = client.get("/").text
    assert 'href="/sign-in"' in html
    assert "Logg ut" not in html


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/"), ("GET", "/no-such-page"), ("POST", "/"), ("POST", "/language")],
)
def test_pages_carry_no_inline_script_or_style(client, method, path):
    assert_no_inline_code(client.open(path, method=method).text)


def test_the_500_page_carries_no_inline_script_or_style(failing_app):
    assert_no_inline_code(failing_app.test_client().get("/explode").text)


def test_demo_banner_shows_only_in_demo_mode(client, make_app):
    banner = "Demo: alle opplysninger her er oppdiktet."
    assert banner not in client.get("/").text
    demo_app = make_app(demo_mode=True)
    assert banner in demo_app.test_client().get("/").text
    assert banner in demo_app.test_client().get("/no-such-page").text


def test_unknown_page_gives_translated_404_without_echoing_the_address(client, caplog):
    response = client.get(f"/cases/{SECRET}?fnr={SECRET}")
    assert response.status_code == 404
    assert "Fant ikke siden" in response.text
    assert SECRET not in response.text
    assert SECRET not in caplog.text


def test_wrong_method_gives_405_page_with_allow_header(client):
    response = client.post("/")
    assert response.status_code == 405
    assert "Dette kan ikke gjøres her" in response.text
    assert "GET" in response.headers["Allow"]


def test_crash_gives_generic_500_page_and_logs_only_the_endpoint(failing_app, caplog):
    caplog.set_level(logging.INFO)
    response = failing_app.test_client().get(f"/explode?fnr={SECRET}")
    assert response.status_code == 500
    assert "Noe gikk galt hos oss" in response.text
    assert "RuntimeError" not in response.text
    assert SECRET not in response.text
    assert "Unhandled error in endpoint explode: RuntimeError" in caplog.text
    assert SECRET not in caplog.text


def test_crash_while_handling_a_form_does_not_log_its_values(failing_app, caplog):
    caplog.set_level(logging.INFO)
    response = failing_app.test_client().post("/explode-form", data={"fnr": SECRET})
    assert response.status_code == 500
    assert SECRET not in response.text
    assert "explode_form: ValueError" in caplog.text
    assert SECRET not in caplog.text


def test_error_pages_are_translated_for_english_readers(failing_app):
    response = failing_app.test_client().get("/explode", headers={"Accept-Language": "en"})
    assert '<html lang="en"' in response.text
    assert "Something went wrong on our side" in response.text


def test_health_check_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


@pytest.mark.parametrize(
    "unreachable_url",
    [
        "postgresql://postgres@127.0.0.1:1/nothing",
        "sqlite:///{tmp}/no-such-folder/database.sqlite3",
    ],
)
def test_health_check_answers_503_when_the_database_does_not(make_app, tmp_path, unreachable_url):
    application = make_app(database_url=unreachable_url.format(tmp=tmp_path))
    response = application.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable"}


class ExampleForm(Form):
    name = StringField("Name", validators=[DataRequired(message="Write a name.")])
    story = TextAreaField("Story")
    agrees = BooleanField("I agree")
    colour = RadioField(
        "Colour", choices=[SelectChoice("red", "Red"), SelectChoice("blue", "Blue")]
    )


def test_field_macro_links_label_hint_and_error(app):
    form = ExampleForm(data={"name": ""})
    form.validate()
    template = (
        '{% from "_macros/forms.html" import field, form_errors %}'
        "{{ form_errors(form) }}{{ field(form.name, hint='As on the passport') }}"
        "{{ field(form.story) }}"
    )
    with app.test_request_context():
        html = render_template_string(template, form=form)
    assert '<label class="ds-label" for="name">Name</label>' in html
    assert 'id="name-hint"' in html and 'id="name-error"' in html
    assert 'aria-describedby="name-hint name-error"' in html
    assert 'aria-invalid="true"' in html
    assert "Write a name." in html
    assert 'href="#name"' in html
    story = html[html.index('for="story"') :]
    assert "aria-invalid" not in story and "aria-describedby" not in story


def test_field_macro_renders_checkbox_and_radio_groups(app):
    form = ExampleForm()
    template = (
        '{% from "_macros/forms.html" import field %}'
        "{{ field(form.agrees) }}{{ field(form.colour) }}"
    )
    with app.test_request_context():
        html = render_template_string(template, form=form)
    assert re.search(r'<input [^>]*class="ds-input"[^>]*type="checkbox"', html)
    assert '<label class="ds-label" data-weight="regular" for="agrees">I agree</label>' in html
    assert '<legend class="ds-label">Colour</legend>' in html
    assert html.count('type="radio"') == 2
    assert 'for="colour-0"' in html and 'for="colour-1"' in html


def test_submit_macro_renders_a_primary_button_with_room_for_more_actions(app):
    template = (
        '{% from "_macros/forms.html" import submit %}'
        '{% call submit("Save", name="action") %}<a href="/">Cancel</a>{% endcall %}'
    )
    with app.test_request_context():
        html = render_template_string(template)
    assert '<button class="ds-button" data-variant="primary" type="submit" name="action">' in html
    assert '<a href="/">Cancel</a>' in html
