"""The printable consent form: a PDF in the guardian's language, ready to sign on paper.

WeasyPrint lays out the HTML of templates/consents/form_pdf.html. It needs Pango and
fonts for every script (Noto for Latin, Cyrillic and Arabic, an Ethiopic font for
Tigrinya); scripts/ensure_pdf_fonts.sh installs them.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import render_template
from flask_babel import force_locale

from consent import NEVER_TO_CLUBS, Category
from guide.consents.texts import (
    CURRENT_TEXT_VERSION,
    SCHEME_RECIPIENT_LABEL,
    category_label,
    consent_text,
    purpose_label,
)
from guide.i18n import text_direction
from guide.pdf import render_pdf


def consent_form_html(
    *,
    organisation_name: str,
    child_first_name: str,
    club_name: str | None,
    purpose: str,
    categories: Iterable[Category | str],
    language: str,
    version: str = CURRENT_TEXT_VERSION,
) -> str:
    """The consent form's HTML in ``language``; ``club_name=None`` names the scheme."""
    chosen = {Category(category) for category in categories}
    if club_name is not None and chosen & NEVER_TO_CLUBS:
        raise ValueError("a club is never offered health or economy information")
    text = consent_text(language, version)
    with force_locale(language):
        return render_template(
            "consents/form_pdf.html",
            language=language,
            direction=text_direction(language),
            organisation_name=organisation_name,
            child_first_name=child_first_name,
            recipient_name=club_name or str(SCHEME_RECIPIENT_LABEL),
            purpose=purpose_label(purpose),
            categories=[category_label(category) for category in Category if category in chosen],
            paragraphs=text.text.split("\n\n"),
            text=text,
        )


def consent_form_pdf(**form: object) -> bytes:
    """The consent form as PDF bytes; takes the arguments of ``consent_form_html``."""
    return render_pdf(consent_form_html(**form))
