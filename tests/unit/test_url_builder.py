"""One url_for, many rows: the builder gives the addresses url_for would."""

import uuid

import pytest
from flask import Flask, url_for

from guide.web.urls import uuid_url_builder


@pytest.fixture
def request_app():
    app = Flask(__name__)
    app.add_url_rule("/cases/<uuid:case_id>/visits", "visits", lambda case_id: "")
    app.add_url_rule("/cases", "cases", lambda: "")
    with app.test_request_context():
        yield app


def test_builder_matches_url_for(request_app):
    build = uuid_url_builder("visits", "case_id")
    for case_id in (uuid.uuid4(), uuid.uuid4()):
        assert build(case_id) == url_for("visits", case_id=case_id)


def test_builder_refuses_what_is_not_an_id(request_app):
    build = uuid_url_builder("visits", "case_id")
    with pytest.raises(ValueError):
        build("../admin")


def test_endpoint_without_the_argument_in_its_path_is_refused(request_app):
    with pytest.raises(ValueError):
        uuid_url_builder("cases", "case_id")
