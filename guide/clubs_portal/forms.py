"""The club contact's buttons on a shared child's page."""

from __future__ import annotations

from guide.submissions import SubmittedOnce
from guide.validation.forms import Form


class ClubReportForm(SubmittedOnce, Form):
    """The "started" and "not come for a while" buttons: each report raises a follow-up."""
