"""Calendar days and calendar arithmetic shared by features (follow-ups, police certificates).

A "today" that means a day on the Norwegian calendar comes from :func:`local_date`, never
from ``date.today()`` (the server's zone) or ``utcnow().date()`` (UTC): from midnight in
Oslo until 01:00 or 02:00 UTC those are still yesterday.
"""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from guide.database import utcnow

#: The zone outside an application (scripts, unit tests); the settings say the same.
FALLBACK_TIMEZONE = "Europe/Oslo"


def local_zone() -> ZoneInfo:
    """The time zone of the Norwegian calendar day: the settings' ``timezone`` (Europe/Oslo)."""
    name = FALLBACK_TIMEZONE
    if has_app_context():
        name = current_app.extensions["fritidsguide.settings"].timezone
    return ZoneInfo(name)


def local_date(moment: dt.datetime | None = None) -> dt.date:
    """The Norwegian calendar day at ``moment`` (an aware datetime; default now)."""
    return (moment or utcnow()).astimezone(local_zone()).date()


def start_of_local_day(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` on the Norwegian calendar, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(), tzinfo=local_zone())


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months (back when negative); 31 Jan + 1 month → 28 or 29 Feb."""
    index = day.year * 12 + day.month - 1 + months
    year, month_index = divmod(index, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return dt.date(year, month_index + 1, min(day.day, last_day))
