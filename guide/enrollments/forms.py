"""Forms for a child's activities: propose, record a trial, started, ended, main activity."""

from __future__ import annotations

import datetime as dt
import uuid

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired

from guide.activities.models import EnrollmentEndReason
from guide.catalogue.labels import END_REASON_LABELS
from guide.dates import local_date
from guide.submissions import SubmittedOnce
from guide.validation.forms import Form


class ActionForm(Form):
    """A button that changes something: only the CSRF token."""


class ProposeForm(SubmittedOnce, Form):
    activity_id = HiddenField(validators=[DataRequired(message=_l("Choose an activity."))])

    def validate_activity_id(self, field: HiddenField) -> None:
        try:
            uuid.UUID(str(field.data))
        except ValueError:
            raise ValidationError(_l("Choose an activity.")) from None

    def activity_uuid(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(str(self.activity_id.data))
        except ValueError:
            return None


def _not_in_future(form: Form, field: DateField) -> None:
    if field.data is not None and field.data > local_date():
        raise ValidationError(_l("The date cannot be in the future."))


class StartForm(SubmittedOnce, Form):
    """The child has started the activity (the first start plans the case's follow-ups)."""

    started_on = DateField(
        _l("Started on"),
        validators=[DataRequired(message=_l("Enter the date the child started.")), _not_in_future],
    )
    own_choice = RadioField(
        _l("Was this the child's own choice?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[InputRequired(message=_l("Say whether the child chose the activity."))],
    )
    is_main = BooleanField(_l("This is the child's main activity"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.started_on.data is None and not self.is_submitted():
            self.started_on.data = local_date()

    @property
    def is_own_choice(self) -> bool:
        return self.own_choice.data == "yes"


class EndForm(Form):
    """The child stopped, or never started."""

    ended_on = DateField(
        _l("Ended on"),
        validators=[DataRequired(message=_l("Enter the date it ended.")), _not_in_future],
    )
    reason = RadioField(
        _l("Why did it end?"),
        choices=[
            SelectChoice(reason.value, END_REASON_LABELS[reason]) for reason in EnrollmentEndReason
        ],
        validators=[InputRequired(message=_l("Choose why it ended."))],
    )

    def __init__(self, *args, started_on: dt.date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.started_on = started_on
        if self.ended_on.data is None and not self.is_submitted():
            self.ended_on.data = local_date()

    def validate_ended_on(self, field: DateField) -> None:
        if self.started_on is not None and field.data < self.started_on:
            raise ValidationError(_l("The end date cannot be before the start date."))
