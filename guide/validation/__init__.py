"""Checks and normalisation for what people type: identity numbers, phones, money, names.

The modules here are plain Python (no Flask); ``guide.validation.fields`` wraps them for
WTForms and holds the messages users see.
"""

from guide.validation.errors import InvalidInput
from guide.validation.money import InvalidAmount, format_ore, parse_kroner
from guide.validation.names import InvalidName, clean_person_name
from guide.validation.national_id import InvalidNationalId, NationalId, parse_national_id
from guide.validation.orgnr import InvalidOrgNumber, normalise_org_number
from guide.validation.phone import InvalidPhone, format_phone_national, normalise_phone

__all__ = [
    "InvalidAmount",
    "InvalidInput",
    "InvalidName",
    "InvalidNationalId",
    "InvalidOrgNumber",
    "InvalidPhone",
    "NationalId",
    "clean_person_name",
    "format_ore",
    "format_phone_national",
    "normalise_org_number",
    "normalise_phone",
    "parse_kroner",
    "parse_national_id",
]
