"""One request, one unit of work.

The view runs, and if it returns, the request commits once; if anything raises, everything
the request wrote is rolled back. Four exceptions carry the outcomes every view shares, and
each is answered in one place here:

- ``Refused``: the object is outside the viewer's scope (404) or the role lacks the
  permission (403). The refusal is audited in a transaction of its own.
- ``StaleEdit``: the version the user saw is no longer current; the user gets the conflict
  message and the object's page, never a silent overwrite. SQLAlchemy's ``StaleDataError``
  (a concurrent write caught at flush) is answered the same way.
- ``AlreadySubmitted``: the same form submission arrived again; the user lands on what the
  first one created (see guide.submissions).
- ``LinkNotValid``: a link's token is unknown, used or expired (never said which); the
  person the link was for gets that audience's "link not valid" page, 404.

No view rolls back by hand. CLI commands and workers commit themselves, once per unit they process.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)


class Refused(Exception):
    """The viewer may not have this: answered with ``status`` and one audit event."""

    def __init__(self, action: str, *, status: int = 404, details: dict[str, Any] | None = None):
        super().__init__(action)
        self.action = action
        self.status = status
        self.details = details or {}


def refuse(action: str, *, status: int = 404, **details: Any) -> NoReturn:
    """Raise a refusal; ``details`` are ids and names only, never personal data."""
    raise Refused(action, status=status, details={k: str(v) for k, v in details.items()})


class StaleEdit(Exception):
    """The row changed since the user loaded the form; ``url`` is where to look again."""

    def __init__(self, url: str | None = None):
        super().__init__("stale edit")
        self.url = url


class AlreadySubmitted(Exception):
    """This form submission was handled before; ``url`` shows what it created."""

    def __init__(self, url: str | None):
        super().__init__("already submitted")
        self.url = url


class LinkAudience(enum.StrEnum):
    """Whom a single-use link was sent to: each gets its own "link not valid" page."""

    invitation = "invitation"
    password_reset = "password_reset"  # noqa: S105 (an audience, not a password)
    family = "family"


#: The page an unusable link gets; every one answers 404 and names nothing of the link.
LINK_NOT_VALID_PAGES = {
    LinkAudience.invitation: "accounts/invitation_invalid.html",
    LinkAudience.password_reset: "accounts/password_link_invalid.html",
    LinkAudience.family: "consents/family_link_not_valid.html",
}


class LinkNotValid(Exception):
    """A link that is unknown, used or expired (never said which), sent to ``audience``."""

    def __init__(self, audience: LinkAudience):
        super().__init__(f"{audience} link not valid")
        self.audience = audience


def conflict_message() -> str:
    """The one message a stale edit gets."""
    return _("Someone else changed this just now. Look at it again and retry if needed.")


class Application(Flask):
    """Flask whose view call is the request's unit of work."""

    def dispatch_request(self) -> Any:  # type: ignore[override]
        from guide.submissions import finish_submission, repeat_of_parallel_request

        try:
            result = super().dispatch_request()
            response = self.make_response(result)
            _mark_invalid_form(response)
            finish_submission(response)
            commit()
        except Exception:
            rollback()
            # A parallel request with the same form submission finished first: what went
            # wrong here (a clash of the rows both made, a link it used up) is its doing.
            repeat = repeat_of_parallel_request()
            if repeat is not None:
                raise repeat from None
            raise
        except BaseException:
            rollback()
            raise
        return response


def commit() -> None:
    """The request's one commit."""
    from guide.extensions import db

    db.session.commit()


def rollback() -> None:
    """Discard what the request wrote; never fails (the database may be the reason we are here)."""
    from guide.extensions import db

    try:
        db.session.rollback()
    except Exception as error:  # the caller's exception matters more than this one
        log.warning("Rolling back the request failed: %s", type(error).__name__)


@contextmanager
def read_and_forget() -> Iterator[None]:
    """Reads that leave no transaction behind, even when the database failed under them (the
    health check): rolled back at the end, so the request's commit has nothing to do."""
    try:
        yield
    finally:
        rollback()


def _mark_invalid_form(response: Response) -> None:
    # A POST whose form was refused and re-rendered the page answers 400.
    from guide.validation.forms import form_refused

    if request.method == "POST" and response.status_code == 200 and form_refused():
        response.status_code = 400


def register_unit_of_work_handlers(app: Flask) -> None:
    app.register_error_handler(Refused, _answer_refusal)
    app.register_error_handler(StaleEdit, _answer_stale_edit)
    app.register_error_handler(StaleDataError, _answer_stale_edit)
    app.register_error_handler(AlreadySubmitted, _answer_repeat)
    app.register_error_handler(LinkNotValid, _answer_unusable_link)


def _answer_refusal(error: Refused) -> Any:
    from flask_login import current_user

    from guide.audit.services import record_event
    from guide.extensions import db
    from guide.web.errors import render_error

    rollback()
    actor = current_user if current_user.is_authenticated else None
    details = {"endpoint": request.endpoint, "status": error.status, **error.details}
    record_event(error.action, actor=actor, details=details)
    db.session.commit()
    return render_error(_http_error(error.status))


def _answer_stale_edit(error: Exception) -> Response:
    rollback()
    flash(conflict_message(), "warning")
    url = error.url if isinstance(error, StaleEdit) and error.url else _page_to_look_again()
    return redirect(url)


def _answer_repeat(error: AlreadySubmitted) -> Response:
    rollback()
    flash(_("This was already saved. Here is what it made."), "info")
    return redirect(error.url or url_for("web.index"))


def _answer_unusable_link(error: LinkNotValid) -> Any:
    # Nothing the request wrote is kept, not even a submission claim.
    rollback()
    page = LINK_NOT_VALID_PAGES[error.audience]
    if error.audience is not LinkAudience.family:
        return render_template(page), 404
    # The family's page: in the browser's family language, and the token is sent nowhere.
    from guide.consents.family_views import PRIVATE_HEADERS, browser_family_language

    with force_locale(browser_family_language()):
        return render_template(page), 404, PRIVATE_HEADERS


def _page_to_look_again() -> str:
    """The page the stale form came from (this site only), else this address if it has one."""
    referrer = urlsplit(request.referrer or "")
    if referrer.path and (not referrer.netloc or referrer.netloc == request.host):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    # Without a referrer: this address if it shows a page, else the page it is an action of
    # (``/intake/<id>/decline`` belongs to ``/intake/<id>``).
    adapter = current_app.url_map.bind(request.host)
    path = request.path
    while path:
        try:
            adapter.match(path, method="GET")
        except HTTPException:
            path = path.rsplit("/", 1)[0]
            continue
        return path
    return url_for("web.index")


def _http_error(status: int) -> HTTPException:
    from werkzeug.exceptions import default_exceptions

    return default_exceptions[status]()
