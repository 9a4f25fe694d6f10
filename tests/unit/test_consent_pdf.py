"""The printable consent form renders in every consent language, in the right script.

The text is read back out of the PDF: a character that extracts as itself was drawn
with an embedded font that has it (a missing glyph would come back as nothing or as a
replacement), so these tests fail when a script's font is not installed.
"""

from __future__ import annotations

import io
import re

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from pypdf import PdfReader

from guide.consents.pdf import consent_form_html, consent_form_pdf
from guide.consents.texts import CONSENT_LANGUAGES, consent_text

#: A pattern of characters only the language's script has, per language.
SCRIPTS = {
    "nb": re.compile("[æøåÆØÅ]"),
    "nn": re.compile("[æøåÆØÅ]"),
    "en": re.compile("[A-Za-z]"),
    "ar": re.compile("[\u0600-\u06ff]"),
    "so": re.compile("[A-Za-z]"),
    "uk": re.compile("[\u0400-\u04ff]"),
    "pl": re.compile("[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]"),
    "ti": re.compile("[\u1200-\u137f]"),
}

FORM = {
    "organisation_name": "Frivilligsentral Nord",
    "child_first_name": "Åse",
    "club_name": "Fotballklubben Fiktiv",
    "purpose": "start_activity",
    "categories": ["identity", "contact"],
}


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def squeeze(text: str) -> str:
    """Extracted text breaks lines where the layout did: compare without whitespace."""
    return re.sub(r"\s+", "", text)


def test_every_consent_language_has_a_script_check():
    assert set(SCRIPTS) == set(CONSENT_LANGUAGES)


@pytest.mark.parametrize("language", CONSENT_LANGUAGES)
def test_form_renders_in_the_guardians_language_and_script(app, language):
    with app.app_context():
        pdf = consent_form_pdf(**FORM, language=language)
        with force_locale(language):
            title = _("Consent to share information")
        first_sentence = consent_text(language).text.split("\n\n")[0]

    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert SCRIPTS[language].search(text), f"no {language} script in the PDF"
    # Whole translated sentences come back character for character: nothing is tofu.
    assert squeeze(title) in squeeze(text)
    assert squeeze(first_sentence[:40]) in squeeze(text)
    assert "Åse" in text and "Fotballklubben Fiktiv" in text
    if language != "en":
        assert title != "Consent to share information", f"{language} is not translated"


@pytest.mark.parametrize("language", ["ar", "ti", "uk"])
def test_fonts_for_each_script_are_embedded(app, language):
    with app.app_context():
        pdf = consent_form_pdf(**FORM, language=language)
    reader = PdfReader(io.BytesIO(pdf))
    embedded, names = [], []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.append(str(font["/BaseFont"]))
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descendant["/FontDescriptor"].get_object()
            embedded.append(
                any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            )
    assert embedded and all(embedded), names
    expected = {"ar": "Arabic", "ti": "Ethiopic", "uk": "Noto-Sans"}[language]
    assert any(expected in name for name in names), names


def test_arabic_form_is_laid_out_right_to_left(app):
    with app.app_context():
        html = consent_form_html(**FORM, language="ar")
        latin = consent_form_html(**FORM, language="nb")
    assert '<html lang="ar" dir="rtl">' in html
    assert '<html lang="nb" dir="ltr">' in latin


def test_form_is_prefilled_with_the_child_the_club_and_only_the_chosen_categories(app):
    with app.app_context():
        text = pdf_text(consent_form_pdf(**FORM, language="nb"))
    assert "Åse" in text and "Fotballklubben Fiktiv" in text
    assert squeeze("Barnets fornavn og alder") in squeeze(text)
    assert "Helseopplysninger som" not in text
    assert "Underskrift" in text


def test_form_for_the_scheme_names_the_scheme(app):
    with app.app_context():
        text = pdf_text(consent_form_pdf(**{**FORM, "club_name": None}, language="nb"))
    assert squeeze("Fritidsguideordningen (koordinatoren") in squeeze(text)


def test_a_club_form_never_offers_health_or_economy(app):
    with app.app_context():
        for category in ("health_related", "economy"):
            with pytest.raises(ValueError):
                consent_form_html(**{**FORM, "categories": ["identity", category]}, language="nb")
        # The scheme itself may be asked for them.
        html = consent_form_html(
            **{**FORM, "club_name": None, "categories": ["health_related"]}, language="nb"
        )
    assert "Helseopplysninger som har betydning for å delta" in html


def test_the_form_states_the_text_version_and_its_fingerprint(app):
    with app.app_context():
        text = consent_text("pl")
        pdf = pdf_text(consent_form_pdf(**FORM, language="pl"))
    assert text.version in pdf
    assert text.fingerprint in squeeze(pdf)
