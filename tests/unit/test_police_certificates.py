"""Police-certificate validity: one rule for assignment, the roster and the figures."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from guide.guides.certificates import (
    CertificateState,
    certificate_expiry,
    certificate_state,
    last_check_running_out,
)
from guide.settings import Settings

CHECKED = dt.date(2023, 3, 10)  # valid 36 months: runs out on 10 March 2026


def state_on(today: dt.date, *, warning: int = 60) -> CertificateState:
    return certificate_state(CHECKED, 36, today=today, warning=warning)


def test_a_certificate_never_checked_is_missing_and_has_no_expiry():
    assert certificate_expiry(None, 36) is None
    assert certificate_state(None, 36, today=CHECKED, warning=60) == CertificateState.missing


def test_a_certificate_runs_out_on_the_same_day_valid_months_later():
    assert certificate_expiry(CHECKED, 36) == dt.date(2026, 3, 10)
    assert certificate_expiry(dt.date(2023, 8, 31), 1) == dt.date(2023, 9, 30)


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (dt.date(2026, 1, 8), CertificateState.valid),  # 61 days left
        (dt.date(2026, 1, 9), CertificateState.renew_soon),  # 60 days left
        (dt.date(2026, 3, 9), CertificateState.renew_soon),
        (dt.date(2026, 3, 10), CertificateState.expired),
        (dt.date(2029, 1, 1), CertificateState.expired),
    ],
)
def test_expires_soon_begins_the_warning_days_before_it_runs_out(today, state):
    assert state_on(today) == state


def test_the_warning_window_is_a_parameter():
    assert state_on(dt.date(2026, 1, 8), warning=61) == CertificateState.renew_soon
    assert state_on(dt.date(2026, 3, 9), warning=0) == CertificateState.valid


def test_the_default_window_is_the_setting():
    app = Flask(__name__)
    app.extensions["fritidsguide.settings"] = Settings(police_certificate_warning_days=10)
    assert Settings().police_certificate_warning_days == 60

    with app.app_context():
        assert certificate_state(CHECKED, 36, today=dt.date(2026, 2, 27)) == CertificateState.valid
        assert (
            certificate_state(CHECKED, 36, today=dt.date(2026, 2, 28))
            == CertificateState.renew_soon
        )
        assert last_check_running_out(dt.date(2026, 2, 28), 36) == CHECKED


@pytest.mark.parametrize("valid_months", [1, 12, 13, 36, 60])
@pytest.mark.parametrize("warning", [0, 1, 30, 60])
@pytest.mark.parametrize(
    "today",
    [
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 1),
        dt.date(2028, 2, 29),
        dt.date(2026, 7, 31),
        dt.date(2026, 9, 30),
        dt.date(2026, 12, 31),
    ],
)
def test_the_query_cutoff_counts_exactly_the_certificates_the_rule_calls_expiring_or_expired(
    today, valid_months, warning
):
    cutoff = last_check_running_out(today, valid_months, warning=warning)
    start = today - dt.timedelta(days=31 * valid_months + 90)
    for offset in range(31 * valid_months + 100):
        checked_on = start + dt.timedelta(days=offset)
        state = certificate_state(checked_on, valid_months, today=today, warning=warning)
        running_out = state in (CertificateState.expired, CertificateState.renew_soon)
        assert (checked_on <= cutoff) == running_out, checked_on
