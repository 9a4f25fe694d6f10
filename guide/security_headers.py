"""Security headers on every response: a strict CSP, no framing, no caching of pages."""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"
STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"

BASE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
}


def register_security_headers(app: Flask) -> None:
    """Add the headers to every response the app sends."""
    settings = app.extensions["fritidsguide.settings"]
    headers = dict(BASE_HEADERS)
    if settings.is_production:
        headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        # setdefault: a view that needs a different value sets it itself.
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        if "Cache-Control" not in response.headers and not _is_static_file():
            # Pages can hold personal data: keep them out of every cache.
            response.headers["Cache-Control"] = "no-store"
        return response


def _is_static_file() -> bool:
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")
