"""Forms of the To do page and of the e-mail choice."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectChoice
from wtforms.validators import InputRequired

from guide.accounts.models import TaskEmail
from guide.validation.forms import Form
from guide.validation.versions import VersionField

TASK_EMAIL_LABELS = {
    TaskEmail.at_once: _l("At once: one e-mail when something new is waiting for me"),
    TaskEmail.daily: _l("Once a day: one e-mail each morning with what is new"),
    TaskEmail.never: _l("Never: I look at my To do list myself"),
}


class TaskStateForm(Form):
    """Marks one task done or not done; the version is the one the page showed."""

    version = VersionField()


class TaskEmailForm(Form):
    """How the person is told of new tasks by e-mail."""

    task_email = RadioField(
        _l("E-mail about new tasks"),
        choices=[SelectChoice(choice.value, label) for choice, label in TASK_EMAIL_LABELS.items()],
        validators=[InputRequired(_l("Choose how you want to be told."))],
    )
    #: The choice the page showed, so a change made meanwhile in another tab is not undone.
    seen = HiddenField()
