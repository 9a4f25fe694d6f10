"""The club contact's forms on a shared child's page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Optional

from guide.submissions import SubmittedOnce
from guide.validation.fields import FreeText, MaxLength
from guide.validation.forms import Form

#: A short note: what the club noticed, not a case file.
CLUB_NOTE_MAX = 500


class ClubReportForm(SubmittedOnce, Form):
    """The confirmation of "has started" or "has not come for a while", with a short note."""

    note = TextAreaField(
        _l("What the club noticed (optional)"),
        validators=[Optional(), MaxLength(CLUB_NOTE_MAX), FreeText()],
        render_kw={"rows": 4},
    )


class TakeBackForm(Form):
    """Takes the day's report back; the CSRF token only."""
