"""Forms that create something create it once, however often the same submission arrives.

Each creating form carries a one-time token, made when the form is rendered. A request
that brings a token already handled lands on the page that one led to, having done nothing
(a double click, the back button). Otherwise it works, and at its end writes the claim, a
row under a unique constraint, with where it sent the user; the claim commits with what the
request created. Of parallel requests with the same token (a double click that is faster
than the first request), all but the first fail at that insert: on PostgreSQL the second
insert waits for the first transaction and then fails, on SQLite the write lock orders them
the same way. Such a repeat is rolled back whole and lands where the first one did, also
when a row it made clashes with the first one's before the claim (a club's name). A request
that does not end in a redirect (the form was refused) writes no claim, so the corrected
form can be sent with the same token, unless the view answered its success with a page of
its own and said where a repeat should land (``remember_result``).

The claim is written last so that a request takes no write lock for it while it works (on
SQLite, one write lock serves the whole database). It is a plain INSERT in the request's
transaction, not in a savepoint: pysqlite commits a savepoint that opens the transaction
when it is released.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import TypeGuard

from flask import g, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import String, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.wrappers import Response
from wtforms import HiddenField

from guide.database import ActorId, UTCDateTime, utcnow
from guide.extensions import db
from guide.unit_of_work import AlreadySubmitted, rollback

#: A token as forms make them: 32 hex digits.
TOKEN_PATTERN = re.compile(r"[0-9a-f]{32}")


class Submission(db.Model):
    """A form submission that was handled: its token and the page it led to."""

    __tablename__ = "submissions"

    token: Mapped[str] = mapped_column(String(32), unique=True)
    #: Who sent it; empty for public forms (the family's consent link).
    user_id: Mapped[ActorId]
    #: Where the request sent the user: a path in this app, never personal data.
    result_path: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def new_token() -> str:
    return uuid.uuid4().hex


class SubmittedOnce:
    """Mixin for a FlaskForm that creates something: the submission is handled once.

    ``validate_on_submit`` claims the token after the form validated, so the view needs no
    code of its own; the template renders ``{{ form_tokens(form) }}``.
    """

    submission = HiddenField(default=new_token)

    def validate_on_submit(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        token = self.submission.data  # type: ignore[attr-defined]
        if not super().validate_on_submit(extra_validators):  # type: ignore[misc]
            # A check against the database (a club's name is taken) refuses a repeat because
            # of what the first submission created: the repeat lands on that instead.
            if self.is_submitted():  # type: ignore[attr-defined]
                raise_if_repeated(token)
            return False
        claim(token)
        return True


def claim(token: str | None) -> None:
    """Claim ``token`` for this request, or raise AlreadySubmitted if it was handled before.

    The claim is written at the end of the request (``finish_submission``), so the request
    holds no write lock for it while it works. A missing or malformed token (no browser
    sends one: the form renders it) is handled as a submission of its own.
    """
    if not _well_formed(token):
        return
    raise_if_repeated(token)  # a repeat of a finished request stops here, having done nothing
    g.submission_token = token


def raise_if_repeated(token: str | None = None) -> None:
    """Raise AlreadySubmitted if this POST brings a token that was handled before.

    For pages that would refuse a repeat before its form is read, such as a one-time link
    that the first submission used up: the repeat lands where the first one did. The token
    is the posted ``submission`` field unless given.
    """
    if token is None and request.method == "POST":
        token = request.form.get("submission")
    if not _well_formed(token):
        return
    earlier = _earlier(token)
    if earlier is not None:
        raise AlreadySubmitted(_result_of(earlier))


def remember_result(url: str) -> None:
    """The submission succeeded with a page of its own: a repeat of it lands on ``url``.

    For a result that can be shown only once (a new link's token); every other creating
    view redirects, and the redirect is remembered.
    """
    g.submission_result = url


def _well_formed(token: str | None) -> TypeGuard[str]:
    return token is not None and TOKEN_PATTERN.fullmatch(token) is not None


def _user_id() -> uuid.UUID | None:
    return current_user.id if current_user.is_authenticated else None


def _earlier(token: str) -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.token == token))


def _result_of(earlier: Submission | None) -> str | None:
    """Where the handled submission led, for its own sender only."""
    if earlier is None or earlier.user_id != _user_id():
        return None
    return earlier.result_path


def finish_submission(response: Response) -> None:
    """Write the claim with where it led, or none if it led nowhere; raise AlreadySubmitted
    if a parallel request with the same token got there first (its work is rolled back)."""
    token = g.get("submission_token")
    result = g.pop("submission_result", None)
    if token is None:
        return
    if result is None and response.status_code in (301, 302, 303) and response.location:
        result = response.location
    if result is None:
        g.pop("submission_token")
        return  # the form was refused: the corrected form may come with the same token
    db.session.add(Submission(token=token, user_id=_user_id(), result_path=result[:500]))
    db.session.flush()  # a repeat fails here (see ``repeat_of_parallel_request``)
    g.pop("submission_token")


def repeat_of_parallel_request() -> AlreadySubmitted | None:
    """After a request failed (and was rolled back): AlreadySubmitted if its token was
    claimed by a parallel request meanwhile; None if the failure is the request's own, or
    if the database cannot tell (the caller's exception then stands)."""
    token = g.pop("submission_token", None)
    if token is None:
        return None
    try:
        earlier = _earlier(token)
    except SQLAlchemyError:
        rollback()
        return None
    return AlreadySubmitted(_result_of(earlier)) if earlier is not None else None


def form_tokens(form: object, *, fresh: bool = False) -> Markup:
    """The hidden fields every form posts: the CSRF token, and the submission token if any.

    ``fresh`` gives this copy of the form a token of its own, for a page that renders one
    form many times (a "Propose" button on every activity): each is a submission of its own.
    """
    parts = [str(form.csrf_token)]  # type: ignore[attr-defined]
    submission = getattr(form, "submission", None)
    if submission is not None:
        # No id: a page may hold several forms, and ids must be unique on a page.
        value = {"value": new_token()} if fresh else {}
        parts.append(str(submission(id=False, **value)))
    return Markup("".join(parts))  # noqa: S704  (WTForms renders and escapes both fields)


#: How long a submission's token is remembered: longer than any form stays open in a tab.
REMEMBERED_FOR = dt.timedelta(days=30)


def forget_old_submissions(*, now: dt.datetime | None = None) -> int:
    """Delete the tokens of submissions older than REMEMBERED_FOR; the caller commits."""
    cutoff = (now or utcnow()) - REMEMBERED_FOR
    result = db.session.execute(delete(Submission).where(Submission.created_at < cutoff))
    return result.rowcount or 0
