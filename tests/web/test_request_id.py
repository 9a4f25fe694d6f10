"""Every response names its request, and the log lines about a failed request name it too."""

from __future__ import annotations

import logging
import re

import pytest

from guide.web.request_id import HEADER


def test_every_response_gets_its_own_request_id(client):
    first = client.get("/").headers[HEADER]
    second = client.get("/no-such-page").headers[HEADER]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert re.fullmatch(r"[0-9a-f]{32}", second)
    assert first != second


def test_a_proxys_plain_request_id_is_kept(client):
    incoming = "7f3c2a1e-nginx_request.42"
    assert client.get("/", headers={HEADER: incoming}).headers[HEADER] == incoming


@pytest.mark.parametrize(
    "incoming",
    ["short", "x" * 129, "has spaces in it", "evil%0aforged=line", "quote'\"<script>"],
)
def test_anything_else_is_replaced_by_a_fresh_id(client, incoming):
    answered = client.get("/", headers={HEADER: incoming}).headers[HEADER]
    assert re.fullmatch(r"[0-9a-f]{32}", answered)


def test_the_log_line_of_a_crash_names_the_request(make_app, caplog):
    application = make_app()
    application.config["PROPAGATE_EXCEPTIONS"] = False

    @application.get("/explode")
    def explode():
        raise RuntimeError("boom")

    caplog.set_level(logging.INFO)
    response = application.test_client().get("/explode", headers={HEADER: "support-ticket-1234"})
    assert response.status_code == 500
    assert response.headers[HEADER] == "support-ticket-1234"
    assert "explode: RuntimeError (request_id=support-ticket-1234)" in caplog.text
