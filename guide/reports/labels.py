"""Translated names for the figures: referrer types and the month headings."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date as babel_format_date
from flask_babel import lazy_gettext as _l

from guide.accounts.models import ReferrerKind
from guide.i18n import current_locale

REFERRER_KIND_LABELS = {
    ReferrerKind.teacher: _l("Teacher"),
    ReferrerKind.school_nurse: _l("School nurse"),
    ReferrerKind.nav: _l("NAV"),
    ReferrerKind.child_welfare: _l("Child welfare service"),
    ReferrerKind.refugee_service: _l("Refugee service"),
    ReferrerKind.other: _l("Other"),
}


def month_label(month: str) -> str:
    """``2026-03`` as "mars 2026" in the request's language."""
    first_day = dt.date.fromisoformat(f"{month}-01")
    return babel_format_date(first_day, "LLLL y", locale=current_locale())
