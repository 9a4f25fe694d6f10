"""One id per request, in the log lines about it and in its response's ``X-Request-ID``.

A proxy's id (nginx ``$request_id``) is kept when it is a plain token, so the proxy's
access log and the app's log name the same request; anything else gets a fresh id.
"""

from __future__ import annotations

import re
import secrets

from flask import Flask, Response, has_request_context, request

HEADER = "X-Request-ID"
#: Letters, digits, ``.``, ``_`` and ``-`` only: nothing that could forge a log line.
SAFE_TOKEN = re.compile(r"[A-Za-z0-9._-]{8,128}")
_ENVIRON_KEY = "fritidsguide.request_id"


def request_id() -> str:
    """This request's id (``-`` outside a request)."""
    if not has_request_context():
        return "-"
    environ = request.environ
    if _ENVIRON_KEY not in environ:
        incoming = request.headers.get(HEADER, "")
        environ[_ENVIRON_KEY] = (
            incoming if SAFE_TOKEN.fullmatch(incoming) else secrets.token_hex(16)
        )
    return environ[_ENVIRON_KEY]


def register_request_ids(app: Flask) -> None:
    """Send every response's request id back, so a user or a proxy can quote it."""

    @app.after_request
    def add_request_id(response: Response) -> Response:
        response.headers.setdefault(HEADER, request_id())
        return response
