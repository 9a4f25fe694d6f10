"""Behind a reverse proxy, the client address comes from X-Forwarded-For only when configured."""

from __future__ import annotations

from flask import request

from guide import create_app
from tests.conftest import settings_for_tests


def _remote_address(app) -> str:
    @app.route("/_whoami")
    def whoami():
        return request.remote_addr or ""

    whoami.required_roles = frozenset({"public"})
    return app.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.9"}).text


def test_forwarded_header_is_ignored_without_trusted_proxies(tmp_path):
    app = create_app(settings_for_tests(f"sqlite:///{tmp_path / 'a.sqlite3'}"))
    assert _remote_address(app) == "127.0.0.1"


def test_forwarded_header_is_used_with_one_trusted_proxy(tmp_path):
    app = create_app(settings_for_tests(f"sqlite:///{tmp_path / 'b.sqlite3'}", trusted_proxies=1))
    assert _remote_address(app) == "203.0.113.9"
