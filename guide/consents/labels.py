"""Translated names for consent methods, withdrawal channels and decision reasons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from consent import Category, Reason
from guide.consents.texts import SCHEME_RECIPIENT_LABEL
from guide.dates import local_date
from guide.i18n import language_name
from guide.referrals.forms import CONSENT_RELATION_LABELS

#: Staff-facing names of the categories (the guardian's form words them for the family).
CATEGORY_NAMES = {
    Category.IDENTITY: _l("Identity (first name and age)"),
    Category.CONTACT: _l("Contact (the guardian's phone and e-mail)"),
    Category.PRACTICAL_NEEDS: _l("Practical needs"),
    Category.HEALTH_RELATED: _l("Health-related information"),
    Category.ECONOMY: _l("Economy and support"),
}

#: Staff-facing words for the purposes (the guardian's form says "my child").
PURPOSE_NAMES = {
    "start_activity": _l("Helping the child start in a leisure activity and take part in it"),
    "follow_up": _l("The guide's and the coordinator's follow-up of the child and the family"),
}
#: Staff-facing name of the scheme as a recipient.
SCHEME_RECIPIENT_NAME = _l("The fritidsguide scheme (the coordinator and the child's guide)")

METHOD_LABELS = {
    "signed_paper": _l("Signed paper form"),
    "digital_link": _l("Through the guardian's link"),
    "verbal_documented": _l("Verbally, documented by staff"),
}

CHANNEL_LABELS = {
    "in_person": _l("In person"),
    "phone": _l("By phone"),
    "email": _l("By e-mail"),
    "digital_link": _l("Through the guardian's link"),
    "letter": _l("By letter"),
}

#: The family's answer to a consent link, for staff.
FAMILY_ANSWER_LABELS = {
    "yes": _l("Yes to everything asked"),
    "partly": _l("Yes to some of it"),
    "no": _l("No to everything asked"),
}

#: Each decision in plain language, for the consent overview.
REASON_LABELS = {
    Reason.GRANTED: _l("Allowed: a consent covers it"),
    Reason.NO_CONSENT: _l("Not allowed: no consent recorded"),
    Reason.WITHDRAWN: _l("Not allowed: the consent was withdrawn"),
    Reason.EXPIRED: _l("Not allowed: the consent has expired"),
    Reason.NOT_YET_VALID: _l("Not allowed: the consent does not count yet"),
    Reason.OTHER_RECIPIENT: _l("Not allowed: consent given only to another recipient"),
    Reason.CATEGORY_NOT_COVERED: _l("Not allowed: the consent does not cover this"),
    Reason.NEVER_SHARED_WITH_CLUBS: _l("Never shared with clubs"),
    Reason.OTHER_CHILD: _l("Not allowed: no consent for this child"),
}

#: Each language named in itself, so a guardian recognises their own.
LANGUAGE_NAMES = {
    "nb": "Norsk bokmål",
    "nn": "Norsk nynorsk",
    "en": "English",
    "ar": "العربية",
    "so": "Soomaali",
    "uk": "Українська",
    "pl": "Polski",
    "ti": "ትግርኛ",
}


def category_name(category: Category | str) -> str:
    """The staff-facing name of a category in the current locale."""
    return str(CATEGORY_NAMES[Category(category)])


def purpose_name(purpose: str) -> str:
    """The staff-facing words for a stored purpose key; an unknown key is shown as it is."""
    label = PURPOSE_NAMES.get(purpose)
    return str(label) if label is not None else purpose


def _label(table: dict, value: object) -> str:
    key = getattr(value, "value", value)
    return str(table.get(key, key))


def template_helpers() -> dict[str, object]:
    return {
        "consent_method_label": lambda value: _label(METHOD_LABELS, value),
        "withdrawal_channel_label": lambda value: _label(CHANNEL_LABELS, value),
        "decision_label": lambda reason: _label(REASON_LABELS, reason),
        "family_answer_label": lambda value: _label(FAMILY_ANSWER_LABELS, value),
        "consent_giver_relation_label": lambda value: _label(CONSENT_RELATION_LABELS, value),
        "consent_category_label": category_name,
        "consent_category_list": lambda values: ", ".join(map(category_name, values)),
        "consent_purpose_label": purpose_name,
        "consent_language_name": language_name,
        "scheme_recipient_label": lambda: str(SCHEME_RECIPIENT_LABEL),
        "staff_scheme_recipient_label": lambda: str(SCHEME_RECIPIENT_NAME),
        "local_date": local_date,
    }
