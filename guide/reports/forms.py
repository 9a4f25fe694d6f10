"""The period filter of the figures pages, read from the query string."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from guide.reports.periods import Period
from guide.validation.forms import Form

#: A custom period may span at most this many days, so a table never grows without bound.
LONGEST_PERIOD_DAYS = 3 * 366
FIRST_YEAR = 2000


class PeriodForm(Form):
    """This year, last year, or chosen dates; anything invalid falls back to this year."""

    class Meta:
        csrf = False

    period = RadioField(
        _l("Period"),
        choices=[
            SelectChoice("this_year", _l("This year")),
            SelectChoice("last_year", _l("Last year")),
            SelectChoice("custom", _l("Chosen dates")),
        ],
        default="this_year",
        validators=[Optional()],
    )
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.period.data == "custom":
            if self.start.data is None or self.end.data is None:
                self.end.errors.append(_l("Give both dates."))
                return False
            if self.end.data < self.start.data:
                self.end.errors.append(_l("The period cannot end before it starts."))
                return False
            if (self.end.data - self.start.data).days > LONGEST_PERIOD_DAYS:
                self.end.errors.append(_l("Choose a period of at most three years."))
                return False
        return True

    def chosen_period(self, today: dt.date) -> Period:
        """The period asked for, or this year when the form is empty or wrong."""
        if self.period.data == "last_year":
            return Period.year(today.year - 1)
        if self.period.data == "custom" and not self.errors and self.start.data and self.end.data:
            return Period(self.start.data, self.end.data)
        return Period.year(today.year)


class YearForm(Form):
    """The annual report's year; anything invalid means last year."""

    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=FIRST_YEAR, max=9999)])

    def chosen_year(self, today: dt.date) -> int:
        if self.year.data and not self.year.errors and self.year.data <= today.year:
            return self.year.data
        return today.year - 1
