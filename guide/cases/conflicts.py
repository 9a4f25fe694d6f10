"""Optimistic locking on the case pages: one commit, and a clear message when someone won."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from guide.extensions import db


def conflict_message() -> str:
    """The message shown when another user changed the case first."""
    return _("Someone else changed this case just now. Look at it again and retry if needed.")


def commit_or_report_conflict(done: str) -> None:
    """Commit once and flash ``done``; a concurrent change is reported, never overwritten."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(conflict_message(), "warning")
    else:
        flash(done, "success")
