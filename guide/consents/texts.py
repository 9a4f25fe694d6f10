"""The consent wording a guardian is shown, per version and language, from the catalogue.

A version's sentences are translation-catalogue entries. Once a version has been shown
to a family its wording is frozen: a new wording gets new sentences and a new version
name, so the fingerprint stored with every consent keeps matching the text it names.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from consent import Category, ConsentTextVersion

#: Languages the consent text, the guardian's pages and the printable form exist in.
CONSENT_LANGUAGES: tuple[str, ...] = ("nb", "nn", "en", "ar", "so", "uk", "pl", "ti")
CURRENT_TEXT_VERSION = "2026-1"

#: Each version's sentences in order; never edit a published one (see the module docstring).
TEXT_VERSIONS = {
    "2026-1": (
        _l(
            "I agree that the information about my child ticked on this form may be used by "
            "the recipient named on the form, for the purpose written on it, and by no one else."
        ),
        _l(
            "Health information and information about the family's economy are never given "
            "to clubs."
        ),
        _l(
            "I can withdraw this consent at any time, in person, by phone, by e-mail, by letter "
            "or through a link from the scheme. The withdrawal takes effect at once: nothing "
            "more is shared after it."
        ),
        _l("Saying no or withdrawing does not change whether the scheme helps my child."),
    ),
}

#: What each category covers, in words a guardian understands.
CATEGORY_LABELS = {
    Category.IDENTITY: _l("My child's first name and age"),
    Category.CONTACT: _l("The guardian's phone number and e-mail address"),
    Category.PRACTICAL_NEEDS: _l("What the club should know to welcome my child"),
    Category.HEALTH_RELATED: _l("Health information that matters for taking part"),
    Category.ECONOMY: _l("The family's economy and the support it gets"),
}

#: Why the data is used; the key is stored with the consent, the words are translated.
PURPOSE_LABELS = {
    "start_activity": _l("Helping my child start in a leisure activity and take part in it"),
    "follow_up": _l("The guide's and the coordinator's follow-up of my child and the family"),
}

SCHEME_RECIPIENT_LABEL = _l("The fritidsguide scheme (the coordinator and my child's guide)")


def consent_text(language: str, version: str = CURRENT_TEXT_VERSION) -> ConsentTextVersion:
    """The exact text of ``version`` in ``language``, as shown and fingerprinted."""
    if language not in CONSENT_LANGUAGES:
        raise ValueError(f"no consent text in language {language!r}")
    sentences = TEXT_VERSIONS[version]  # an unknown version raises KeyError
    with force_locale(language):
        text = "\n\n".join(str(sentence) for sentence in sentences)
    return ConsentTextVersion(version=version, language=language, text=text)


def category_label(category: Category | str) -> str:
    """The guardian-facing name of a category in the current locale."""
    return str(CATEGORY_LABELS[Category(category)])


def purpose_label(purpose: str) -> str:
    """The words for a stored purpose key; an unknown key is shown as it is."""
    label = PURPOSE_LABELS.get(purpose)
    return str(label) if label is not None else purpose
