"""The "temporarily unavailable" page every request answers while the database is out.

The page is built from the request alone: the language comes from the session cookie or
the browser, the frame shows nobody signed in, and no context processor runs (Flask-Login's
would load the signed-in user, which is a query). The log gets one line per request with
the exception's class and the request id, never its message, which may hold values.
"""

from __future__ import annotations

import logging
import sqlite3

import psycopg
from flask import Flask, Response, current_app, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from guide.extensions import db, login_manager
from guide.i18n import locale_without_database, template_translations
from guide.outage import Outage, OutageKind, database_outage
from guide.web.request_id import HEADER as REQUEST_ID_HEADER
from guide.web.request_id import request_id
from guide.web.templating import frame_context

log = logging.getLogger(__name__)

STATUS = 503
#: Seconds a browser or client is asked to wait; a restarting database is back by then.
RETRY_AFTER_SECONDS = 30
#: Exceptions an outage arrives as (SQLAlchemy's, or a driver's raised outside it).
DATABASE_ERRORS = (SQLAlchemyError, sqlite3.Error, psycopg.Error)

#: Outage kind -> (title, explanation) shown on the page.
OUTAGE_TEXTS = {
    OutageKind.unavailable: (
        _l("Fritidsguide is temporarily unavailable"),
        _l(
            "Try again in a few minutes. If you were sending a form, send it again "
            "when the page works."
        ),
    ),
    OutageKind.disk_full: (
        _l("Nothing was saved"),
        _l("The server has run out of storage space, so nothing was saved. Try again later."),
    ),
}
#: Outage kind -> what the operator's log line says happened.
LOG_CAUSES = {
    OutageKind.unavailable: "Database unavailable",
    OutageKind.disk_full: "Database disk full, nothing was saved",
}


def register_outage_handling(app: Flask) -> None:
    """Answer database outages with the unavailable page, wherever in the request they arise."""
    for error_type in DATABASE_ERRORS:
        app.register_error_handler(error_type, answer_outage)
    if not any(isinstance(existing, OutageTracebackFilter) for existing in app.logger.filters):
        app.logger.addFilter(OutageTracebackFilter())


def answer_outage(error: Exception) -> Response:
    """The unavailable page for an outage; any other database error goes on as a failure."""
    outage = database_outage(error)
    if outage is None:
        raise error
    log_outage(outage)
    return unavailable_response(outage)


def log_outage(outage: Outage) -> None:
    """One line for the operator: cause, request id, endpoint and exception classes."""
    log.error(
        "%s: request_id=%s endpoint=%s %s",
        LOG_CAUSES[outage.kind],
        request_id(),
        request.endpoint or "(no endpoint)",
        outage.log_fields(),
    )


def unavailable_response(outage: Outage) -> Response:
    """503 with ``Retry-After``, in the request's language, without a database query."""
    _let_go_of_connections()
    locale = locale_without_database()
    title, message = OUTAGE_TEXTS[outage.kind]
    with force_locale(locale):
        try:
            response = Response(_page(title, message), STATUS, mimetype="text/html")
        except Exception as error:  # the page must answer even if its template fails
            log.error("The unavailable page could not be rendered: %s", type(error).__name__)
            response = Response(f"{title}\n\n{message}\n", STATUS, mimetype="text/plain")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Content-Language"] = locale
    # Set here too: when an after_request hook is what failed, the hooks after it never run.
    response.headers["Cache-Control"] = "no-store"
    response.headers[REQUEST_ID_HEADER] = request_id()
    return response


def _page(title: str, message: str) -> str:
    # Not render_template: it runs every context processor, and Flask-Login's queries.
    context = {
        **frame_context(),
        **template_translations(),
        "request": request,
        "current_user": login_manager.anonymous_user(),
        "error_status": STATUS,
        "title": title,
        "message": message,
    }
    return current_app.jinja_env.get_template("errors/error.html").render(context)


def _let_go_of_connections() -> None:
    # Invalidated, not returned: after an outage the connection may be dead, a rollback on
    # it would fail again, and the pool must not hand it to the next request.
    try:
        db.session().invalidate()  # the request's Session (the scoped proxy lacks the method)
    except Exception as error:
        log.warning("Discarding the request's connections failed: %s", type(error).__name__)


class OutageTracebackFilter(logging.Filter):
    """Flask logs a traceback, message included, when an error page's own response fails
    again (an ``after_request`` hook that queries); for an outage, one line says enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        outage = database_outage(record.exc_info[1]) if record.exc_info else None
        if outage is not None:
            record.msg = f"{record.getMessage()}: request_id={request_id()} {outage.log_fields()}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True
