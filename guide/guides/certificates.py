"""Police-certificate validity: when a guide's certificate runs out, and when to warn.

One rule for assignment (no new child with an expired certificate), the guide roster (its
reminder to renew) and the figures (certificates running out soon). A certificate counts
for the organisation's ``police_certificate_valid_months`` from the day it was checked;
"expires soon" starts ``police_certificate_warning_days`` (a setting) before that.
"""

from __future__ import annotations

import datetime as dt
import enum

from flask import current_app

from guide.dates import add_months


class CertificateState(enum.StrEnum):
    missing = "missing"
    valid = "valid"
    renew_soon = "renew_soon"
    expired = "expired"


def warning_days() -> int:
    """Days before a certificate runs out that it counts as expiring soon (setting)."""
    return current_app.extensions["fritidsguide.settings"].police_certificate_warning_days


def certificate_expiry(checked_on: dt.date | None, valid_months: int) -> dt.date | None:
    """The day a certificate checked on ``checked_on`` stops counting; None if never checked."""
    if checked_on is None:
        return None
    return add_months(checked_on, valid_months)


def certificate_state(
    checked_on: dt.date | None,
    valid_months: int,
    *,
    today: dt.date,
    warning: int | None = None,
) -> CertificateState:
    """Missing, valid, expiring within ``warning`` days (default: the setting), or expired."""
    expires_on = certificate_expiry(checked_on, valid_months)
    if expires_on is None:
        return CertificateState.missing
    if today >= expires_on:
        return CertificateState.expired
    if today >= expires_on - dt.timedelta(days=warning_days() if warning is None else warning):
        return CertificateState.renew_soon
    return CertificateState.valid


def last_check_running_out(
    today: dt.date, valid_months: int, *, warning: int | None = None
) -> dt.date:
    """The latest check day whose certificate has run out or expires soon on ``today``.

    A query's ``checked_on <= this`` counts exactly the certificates ``certificate_state``
    calls expired or renew_soon, without reading every profile into Python.
    """
    horizon = today + dt.timedelta(days=warning_days() if warning is None else warning)
    day = add_months(horizon, -valid_months)
    # Month ends clamp (31 Aug + 1 month = 30 Sep), so a later day or two may also qualify.
    while add_months(day + dt.timedelta(days=1), valid_months) <= horizon:
        day += dt.timedelta(days=1)
    return day
