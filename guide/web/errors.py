"""Generic, translated error pages that reveal nothing about the request or the failure."""

from __future__ import annotations

import logging
import traceback
from types import TracebackType

from flask import Flask, Response, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from guide.outage import database_outage
from guide.web.request_id import request_id
from guide.web.unavailable import log_outage, register_outage_handling, unavailable_response

log = logging.getLogger(__name__)

#: Status code -> (title, explanation) shown on the error page.
ERROR_TEXTS = {
    400: (
        _l("The request could not be handled"),
        _l("If you were sending a form, go back, reload the page and try again."),
    ),
    403: (
        _l("You do not have access to this page"),
        _l("Ask your coordinator if you think you should have access."),
    ),
    404: (
        _l("Page not found"),
        _l("The page may have been moved or deleted, or the address may be wrong."),
    ),
    405: (
        _l("This action is not possible here"),
        _l("Go back and use the buttons and links on the page."),
    ),
    413: (
        _l("The file or form is too large"),
        _l("Go back and send a smaller file."),
    ),
    429: (
        _l("Too many attempts"),
        _l("Wait a few minutes and try again."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("The error has been logged. Try again later, or contact your coordinator."),
    ),
}

ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]


def register_error_handlers(app: Flask) -> None:
    """Show the generic page for every status in ``ERROR_TEXTS`` and log failures safely."""
    for status in ERROR_TEXTS:
        app.register_error_handler(status, render_error)
    # Flask's own log line carries the path and the exception's message, which may hold
    # personal data; this instance-level replacement logs the endpoint and the frames only.
    app.log_exception = log_unhandled_exception  # type: ignore[method-assign]
    register_outage_handling(app)


def render_error(error: HTTPException) -> tuple[str, int, dict[str, str]] | Response:
    """The error page for ``error``'s status code, with the headers the status needs."""
    # An outage that escaped the views (an after_request hook, or this very page's own
    # frame loading the signed-in user) reaches here as a 500.
    outage = database_outage(getattr(error, "original_exception", None))
    if outage is not None:
        return unavailable_response(outage)
    status = error.code if error.code in ERROR_TEXTS else 500
    if status == 500:
        _discard_failed_transaction()
    title, message = ERROR_TEXTS[status]
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    page = render_template("errors/error.html", error_status=status, title=title, message=message)
    return page, status, headers


def log_unhandled_exception(exc_info: ExcInfo) -> None:
    """Log an unhandled exception by endpoint, type and stack frames, never values or message."""
    error_type, error, tb = exc_info
    outage = database_outage(error)
    if outage is not None:
        log_outage(outage)  # one line, no frames: the cause is outside the code
        return
    frames = "".join(traceback.format_tb(tb)) if tb is not None else ""
    log.error(
        "Unhandled error in endpoint %s: %s (request_id=%s)\n%s",
        request.endpoint or "(no endpoint)",
        error_type.__name__ if error_type is not None else "unknown",
        request_id(),
        frames,
    )


def _discard_failed_transaction() -> None:
    from guide.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the page must render even when the database is gone
        log.warning("Rolling back after an unhandled error failed")
