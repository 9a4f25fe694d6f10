"""Forms that create something create it once, however often the same submission arrives.

Each creating form carries a one-time token, made when the form is rendered. The first
request that brings a token claims it by inserting a row under a unique constraint; the
claim commits with what the request created, and remembers where the request sent the user.
The same token again (a double click, a parallel connection, the back button) fails to
insert and lands on that page instead. On PostgreSQL a second insert waits for the first
transaction and then fails; on SQLite the write lock orders them the same way. A request
that does not end in a redirect (the form was refused) gives its claim back, so the
corrected form can be sent with the same token.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from flask import g
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import String, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.wrappers import Response
from wtforms import HiddenField

from guide.database import ActorId, UTCDateTime, utcnow
from guide.extensions import db
from guide.unit_of_work import AlreadySubmitted

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
    code of its own; the template renders ``{{ form.submission }}`` beside the CSRF token.
    """

    submission = HiddenField(default=new_token)

    def validate_on_submit(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        if not super().validate_on_submit(extra_validators):  # type: ignore[misc]
            return False
        claim(self.submission.data)  # type: ignore[attr-defined]
        return True


def claim(token: str | None) -> None:
    """Claim ``token`` for this request, or raise AlreadySubmitted if it was handled before.

    A missing or malformed token (no browser sends one: the form renders it) is handled as
    a submission of its own.
    """
    if not token or not TOKEN_PATTERN.fullmatch(token):
        return
    user_id = current_user.id if current_user.is_authenticated else None
    try:
        with db.session.begin_nested():
            db.session.add(Submission(token=token, user_id=user_id))
    except IntegrityError:
        earlier = db.session.scalar(select(Submission).where(Submission.token == token))
        mine = earlier is not None and earlier.user_id == user_id
        raise AlreadySubmitted(earlier.result_path if mine else None) from None
    g.submission_token = token


def finish_submission(response: Response) -> None:
    """Remember where a claimed submission led; give the claim back if it led nowhere."""
    token = g.pop("submission_token", None)
    if token is None:
        return
    if response.status_code in (301, 302, 303) and response.location:
        db.session.execute(
            update(Submission)
            .where(Submission.token == token)
            .values(result_path=response.location[:500])
        )
    else:
        db.session.execute(delete(Submission).where(Submission.token == token))


def form_tokens(form: object) -> Markup:
    """The hidden fields every form posts: the CSRF token, and the submission token if any."""
    parts = [str(form.csrf_token)]  # type: ignore[attr-defined]
    submission = getattr(form, "submission", None)
    if submission is not None:
        # No id: a page may hold several forms, and ids must be unique on a page.
        parts.append(str(submission(id=False)))
    return Markup("".join(parts))  # noqa: S704  (WTForms renders and escapes both fields)


#: How long a submission's token is remembered: longer than any form stays open in a tab.
REMEMBERED_FOR = dt.timedelta(days=30)


def forget_old_submissions(*, now: dt.datetime | None = None) -> int:
    """Delete the tokens of submissions older than REMEMBERED_FOR; the caller commits."""
    cutoff = (now or utcnow()) - REMEMBERED_FOR
    result = db.session.execute(delete(Submission).where(Submission.created_at < cutoff))
    return result.rowcount or 0
