"""Translated names for case statuses, help levels and visit kinds, for templates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from guide.reports.labels import REFERRER_KIND_LABELS

STATUS_LABELS = {
    "referred": _l("Referred"),
    "accepted": _l("Accepted, waiting for a guide"),
    "declined": _l("Declined"),
    "guide_assigned": _l("Guide assigned"),
    "in_progress": _l("In progress"),
    "active": _l("In an activity"),
    "paused": _l("Paused"),
    "closed": _l("Closed"),
}

HELP_LEVEL_LABELS = {
    "information": _l("Information only"),
    "find_activity": _l("Help to find an activity"),
    "follow_first_times": _l("Company the first times"),
    "full_follow_up": _l("Full follow-up"),
}

VISIT_KIND_LABELS = {
    "home_visit": _l("Home visit"),
    "phone_call": _l("Phone call"),
    "club_meeting": _l("Meeting with club"),
    "accompanied_session": _l("Accompanied session"),
    "follow_up": _l("Follow-up"),
}

BARRIER_LABELS = {
    "economy": _l("The family's economy"),
    "transport": _l("Transport"),
    "language": _l("Language"),
    "social": _l("Social reasons (friends, shyness)"),
    "disability": _l("Disability or health"),
    "unaware_of_offers": _l("Does not know what is on offer"),
    "other": _l("Other"),
}

#: How the family agreed to the referral, as the referrer ticks it on the referral form.
CONSENT_METHOD_LABELS = {
    "signed_paper": _l("Signed on paper"),
    "verbal_documented": _l("Given verbally, documented by me"),
}

CLOSE_REASON_LABELS = {
    "established": _l("Established: goes on without help"),
    "family_declined": _l("The family declined"),
    "no_contact": _l("No contact with the family"),
    "moved": _l("Moved away"),
    "dropped_out": _l("Dropped out of the activity"),
    "other": _l("Other reason"),
}


def _label(table: dict[str, object], value: object) -> str:
    key = getattr(value, "value", value)
    return str(table.get(str(key), key))


def as_date(value: str | dt.date | None) -> dt.date | None:
    """Birth dates are stored encrypted as ISO text; templates format them as dates."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _labeller(table: dict[str, object]) -> Callable[[object], str]:
    # One page shows the same few labels many times (a status per row); translate each once.
    translated: dict[str, str] = {}

    def label(value: object) -> str:
        key = str(getattr(value, "value", value))
        if key not in translated:
            translated[key] = _label(table, value)
        return translated[key]

    return label


def barrier_labels(barriers: list[str]) -> str:
    """The barriers the referrer ticked, named in the reader's language, in the form's order."""
    return ", ".join(str(label) for key, label in BARRIER_LABELS.items() if key in barriers)


def consent_method_as_read_by_others(method: object, *, referrer_name: str) -> str:
    """How consent to refer was given, for readers other than the referrer: names the referrer.

    The referrer ticks "documented by me"; a coordinator reading it must see who "me" is.
    """
    key = str(getattr(method, "value", method))
    if key == "verbal_documented":
        return gettext("Given verbally, documented by %(name)s", name=referrer_name)
    return _label(CONSENT_METHOD_LABELS, key)


def follow_up_label(months_after: int, due: str) -> str:
    """A line such as "1 month: due 05.03.2026"; no months for follow-ups raised at an end."""
    if months_after <= 0:
        return gettext("Follow-up: due %(date)s", date=due)
    return ngettext(
        "%(num)d month: due %(date)s", "%(num)d months: due %(date)s", months_after, date=due
    )


def template_helpers() -> dict[str, object]:
    # Made anew for each rendered page, so a page never sees another request's language.
    return {
        "status_label": _labeller(STATUS_LABELS),
        "help_level_label": _labeller(HELP_LEVEL_LABELS),
        "visit_kind_label": _labeller(VISIT_KIND_LABELS),
        "close_reason_label": _labeller(CLOSE_REASON_LABELS),
        "barrier_labels": barrier_labels,
        "consent_method_as_read_by_others": consent_method_as_read_by_others,
        "referrer_kind_label": _labeller(REFERRER_KIND_LABELS),
        "as_date": as_date,
        "follow_up_label": follow_up_label,
    }
