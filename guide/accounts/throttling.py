"""Brute-force protection: request limits per client and back-off per account.

Two layers. Flask-Limiter counts requests per client address (in Redis when
``REDIS_URL`` is set, so the count holds across processes), using the limit
strings below. Independently, an account that fails ``FAILURES_BEFORE_THROTTLE``
times in a row (password or second factor) is throttled for one minute,
doubling with each further failure up to an hour; a full sign-in resets it.
"""

from __future__ import annotations

import datetime as dt
import math

from flask_babel import gettext as _

from guide.accounts.models import User
from guide.audit.services import record_event
from guide.database import utcnow
from guide.i18n import format_datetime

#: Limit strings for Flask-Limiter; apply them with ``@limiter.limit(X, methods=["POST"])``.
SIGN_IN_LIMIT = "10 per minute"
SECOND_FACTOR_LIMIT = "10 per minute"
PASSWORD_RESET_LIMIT = "5 per minute"  # noqa: S105 (a limit, not a password)
INVITATION_LIMIT = "10 per minute"

FAILURES_BEFORE_THROTTLE = 5
FIRST_DELAY = dt.timedelta(minutes=1)
LONGEST_DELAY = dt.timedelta(hours=1)


class AccountThrottled(Exception):
    """Sign-in refused because the account is throttled until ``until`` (UTC)."""

    def __init__(self, until: dt.datetime) -> None:
        super().__init__("account throttled")
        self.until = until


def throttle_delay(failures: int) -> dt.timedelta | None:
    """How long an account waits after ``failures`` failures in a row; None below the limit."""
    if failures < FAILURES_BEFORE_THROTTLE:
        return None
    # Cap the exponent first so a huge counter cannot overflow the arithmetic.
    doublings = min(failures - FAILURES_BEFORE_THROTTLE, 12)
    return min(FIRST_DELAY * 2**doublings, LONGEST_DELAY)


def is_throttled(user: User, *, now: dt.datetime | None = None) -> bool:
    return user.throttled_until is not None and user.throttled_until > (now or utcnow())


def refuse_if_throttled(user: User, *, now: dt.datetime | None = None) -> None:
    """Raise AccountThrottled (and audit the refused attempt) while ``user`` must wait."""
    if is_throttled(user, now=now):
        record_event("sign_in_throttled", actor=user, details={"reason": "attempt_while_throttled"})
        raise AccountThrottled(user.throttled_until)


def register_failure(user: User, *, reason: str, now: dt.datetime | None = None) -> None:
    """Count a failed password or code; throttle the account once there are too many."""
    now = now or utcnow()
    user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
    record_event("sign_in_failed", actor=user, details={"reason": reason})
    delay = throttle_delay(user.failed_sign_ins)
    if delay is not None:
        user.throttled_until = now + delay
        record_event(
            "sign_in_throttled",
            actor=user,
            details={
                "reason": "too_many_failures",
                "failures": user.failed_sign_ins,
                "minutes": int(delay.total_seconds() // 60),
            },
        )


def register_success(user: User) -> None:
    """A complete sign-in clears the failure count and any throttle."""
    user.failed_sign_ins = 0
    user.throttled_until = None


def seconds_until(moment: dt.datetime) -> int:
    """Whole seconds from now until ``moment``, at least 1 (for a Retry-After header)."""
    return max(1, math.ceil((moment - utcnow()).total_seconds()))


def throttled_message(until: dt.datetime) -> str:
    """The translated notice telling the user when to try again, in local time."""
    return _(
        "Too many failed sign-in attempts. Try again after %(time)s.",
        time=format_datetime(until),
    )
