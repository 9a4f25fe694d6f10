"""Security headers on pages, errors and the health check; caching only where it is safe."""

from __future__ import annotations

import pytest

EXPECTED = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
PATHS = ["/", "/no-such-page", "/healthz"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, name
    permissions = headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions


@pytest.mark.parametrize("path", PATHS)
def test_pages_are_never_cached(client, path):
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.fixture
def production_app(make_app):
    return make_app(environment="production")


@pytest.mark.parametrize("path", PATHS)
def test_production_adds_hsts(production_app, path):
    response = production_app.test_client().get(path, base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    assert response.headers["Content-Security-Policy"] == EXPECTED["Content-Security-Policy"]


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_a_public_page_keeps_its_own_cache_policy(make_app):
    application = make_app()

    @application.get("/public-example")
    def public_example():
        return "public", 200, {"Cache-Control": "public, max-age=300"}

    response = application.test_client().get("/public-example")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["X-Frame-Options"] == "DENY"
