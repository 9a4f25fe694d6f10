"""Changing an organisation's settings: follow-up months, nudges, certificates, retention.

The limits live here so that the form and the service refuse the same values. The
function flushes and writes one audit event naming the changed fields (never their
values); the view commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from guide.accounts.models import User
from guide.audit.services import record_event
from guide.extensions import db
from guide.tenant import Organisation

NAME_MAX_LENGTH = 200
FOLLOW_UP_MONTHS_RANGE = (1, 24)
MAX_FOLLOW_UPS = 6
NO_VISIT_NUDGE_WEEKS_RANGE = (1, 26)
POLICE_CERTIFICATE_MONTHS_RANGE = (12, 60)
RETENTION_DAYS_RANGE = (90, 3650)

#: The settings an administrator may change, in the order the page shows them.
SETTING_FIELDS = (
    "name",
    "municipality_number",
    "follow_up_months",
    "no_visit_nudge_weeks",
    "police_certificate_valid_months",
    "retention_days",
)
#: The limits by setting, for the page's hints.
LIMITS = {
    "follow_up_months": FOLLOW_UP_MONTHS_RANGE,
    "max_follow_ups": MAX_FOLLOW_UPS,
    "no_visit_nudge_weeks": NO_VISIT_NUDGE_WEEKS_RANGE,
    "police_certificate_valid_months": POLICE_CERTIFICATE_MONTHS_RANGE,
    "retention_days": RETENTION_DAYS_RANGE,
}
_NUMBER_RANGES = {
    "no_visit_nudge_weeks": NO_VISIT_NUDGE_WEEKS_RANGE,
    "police_certificate_valid_months": POLICE_CERTIFICATE_MONTHS_RANGE,
    "retention_days": RETENTION_DAYS_RANGE,
}


class InvalidSettings(ValueError):
    """A value outside the allowed limits reached the service (the form should have caught it)."""


def is_municipality_number(value: str) -> bool:
    """True for a kommunenummer: exactly four ASCII digits, leading zero included."""
    return len(value) == 4 and value.isascii() and value.isdigit()


def follow_up_months_problem(months: list[int]) -> str | None:
    """Why a list of follow-up months is refused (a reason code), or None when it is fine."""
    low, high = FOLLOW_UP_MONTHS_RANGE
    if not months:
        return "empty"
    if len(months) > MAX_FOLLOW_UPS:
        return "too_many"
    if any(month < low or month > high for month in months):
        return "out_of_range"
    if any(later <= earlier for earlier, later in pairwise(months)):
        return "not_increasing"
    return None


def _check(values: Mapping[str, Any]) -> None:
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise InvalidSettings(f"not a setting: {', '.join(sorted(unknown))}")
    name = values.get("name")
    if "name" in values and (not name or len(name) > NAME_MAX_LENGTH):
        raise InvalidSettings("name")
    number = values.get("municipality_number")
    if number is not None and not is_municipality_number(number):
        raise InvalidSettings("municipality_number")
    if "follow_up_months" in values and follow_up_months_problem(values["follow_up_months"]):
        raise InvalidSettings("follow_up_months")
    for field, (low, high) in _NUMBER_RANGES.items():
        if field in values and not low <= values[field] <= high:
            raise InvalidSettings(field)


def update_organisation_settings(
    organisation: Organisation, *, values: Mapping[str, Any], by: User
) -> list[str]:
    """Store the settings in ``values``; returns the names of those that changed (audited)."""
    if by.organisation_id != organisation.id:
        raise PermissionError("settings of another organisation")
    _check(values)
    changed = [
        field
        for field in SETTING_FIELDS
        if field in values and getattr(organisation, field) != values[field]
    ]
    if not changed:
        return []
    for field in changed:
        # A fresh list, so the JSON column sees a new value rather than an in-place change.
        value = list(values[field]) if field == "follow_up_months" else values[field]
        setattr(organisation, field, value)
    record_event(
        "organisation_settings_changed", actor=by, obj=organisation, details={"fields": changed}
    )
    db.session.flush()
    return changed
