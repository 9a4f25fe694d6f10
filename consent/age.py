"""A child's age in whole years, and the age from which a child may consent for itself."""

from __future__ import annotations

from datetime import date

#: From this age a child may consent for itself: to a referral, and to the scheme
#: processing or sharing its data (a guardian's consent is needed below it).
CHILD_OWN_CONSENT_AGE = 15


def age_on(born_on: date, day: date) -> int:
    """Whole years from ``born_on`` to ``day``; a birthday counts from the day itself.

    A child born on 29 February turns a year older on 1 March in other years.
    """
    had_birthday = (day.month, day.day) >= (born_on.month, born_on.day)
    return day.year - born_on.year - (0 if had_birthday else 1)


def may_consent_alone(born_on: date, day: date) -> bool:
    """True if a child born on ``born_on`` is old enough on ``day`` to consent for itself."""
    return age_on(born_on, day) >= CHILD_OWN_CONSENT_AGE
