"""Consent rules as plain Python: who may see which category of a child's data, and when.

The package imports neither Flask nor SQLAlchemy. The application maps its consent rows
into :class:`ConsentRecord` values and asks :func:`decide` before any data leaves the scheme.
"""

from consent.age import CHILD_OWN_CONSENT_AGE, age_on, may_consent_alone
from consent.categories import NEVER_TO_CLUBS, Category, Recipient, categories_offered_to
from consent.decision import Decision, Reason, allowed_categories, decide
from consent.records import ConsentRecord
from consent.texts import ConsentTextVersion, text_fingerprint

__all__ = [
    "CHILD_OWN_CONSENT_AGE",
    "NEVER_TO_CLUBS",
    "Category",
    "ConsentRecord",
    "ConsentTextVersion",
    "Decision",
    "Reason",
    "Recipient",
    "age_on",
    "allowed_categories",
    "categories_offered_to",
    "decide",
    "may_consent_alone",
    "text_fingerprint",
]
