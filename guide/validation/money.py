"""Money typed as kroner, kept as whole øre (``int``); floats never touch an amount.

Comma locales (nb, nn, …) write ``1 250,50``; dot locales (en, …) write ``1,250.50``. The
grouping separator may be a space, a no-break space (U+00A0), a narrow no-break space
(U+202F) or the locale's other mark (``.`` in nb, ``,`` in en), and groups must then hold
exactly three digits, so that ``1,25`` is never read as 125 kr. ``format_ore`` writes
U+00A0 both between digit groups (nb) and between the amount and the currency.
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel import Locale
from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_symbol,
    get_decimal_symbol,
)

from guide.validation.errors import InvalidInput
from guide.validation.text import ascii_digits, is_ascii_digits

CURRENCY = "NOK"
#: The largest amount accepted, in kroner; a support grant is never near it.
MAX_KRONER = Decimal(100_000_000)
MAX_ORE = int(MAX_KRONER * 100)
#: Longer input is refused before any parsing ("1 234 567,89 kr" is 15 characters).
MAX_INPUT_LENGTH = 40
MINUS_SIGNS = "-\u2212"
NO_BREAK_SPACE = "\u00a0"
#: Direction marks that right-to-left locales put around numbers.
BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c"))
CURRENCY_PREFIX = re.compile(r"(?:kr\.?|nok) *", re.IGNORECASE)
CURRENCY_SUFFIX = re.compile(r" *(?:kr\.?|nok)$", re.IGNORECASE)
#: Norwegian shorthand for whole kroner: "1 250,-".
WHOLE_KRONER_SUFFIX = ",-"
AMOUNT_FORMAT = "#,##0.00"

LocaleArg = str | Locale


class InvalidAmount(InvalidInput):
    """Reasons: ``empty``, ``format``, ``negative``, ``too_many_decimals``, ``too_large``."""


def parse_kroner(text: str, locale: LocaleArg = "nb", *, allow_negative: bool = False) -> int:
    """Whole øre from an amount in kroner as people write it, e.g. ``kr 1 250,50`` → 125050."""
    if len(text) > MAX_INPUT_LENGTH:
        raise InvalidAmount("format")
    decimal_mark = get_decimal_symbol(_as_locale(locale))
    group_mark = "," if decimal_mark == "." else "."
    cleaned = _normalise_spaces(ascii_digits(text).translate(BIDI_MARKS))
    if not cleaned:
        raise InvalidAmount("empty")
    is_negative, number = _strip_sign_and_currency(cleaned)
    amount = _parse_number(number, decimal_mark=decimal_mark, group_mark=group_mark)
    if amount > MAX_KRONER:
        raise InvalidAmount("too_large")
    if is_negative and amount and not allow_negative:
        raise InvalidAmount("negative")
    ore = int(amount.scaleb(2))
    return -ore if is_negative else ore


def format_ore(ore: int, locale: LocaleArg = "nb", *, with_currency: bool = True) -> str:
    """Whole øre as kroner: nb ``1 250,50 kr``, en ``NOK 1,250.50`` (no-break spaces)."""
    if isinstance(ore, bool) or not isinstance(ore, int):
        raise TypeError("Money is an integer number of øre")
    babel_locale = _as_locale(locale)
    kroner = Decimal(ore).scaleb(-2)
    if not with_currency:
        sign = "-" if ore < 0 else ""
        return sign + format_decimal(abs(kroner), AMOUNT_FORMAT, locale=babel_locale)
    pattern = babel_locale.currency_formats["standard"].pattern
    if get_currency_symbol(CURRENCY, babel_locale).isalpha():
        pattern = _space_around_currency_sign(pattern)
    return format_currency(kroner, CURRENCY, format=pattern, locale=babel_locale)


def _as_locale(locale: LocaleArg) -> Locale:
    return locale if isinstance(locale, Locale) else Locale.parse(locale)


def _normalise_spaces(text: str) -> str:
    # Every kind of space (no-break, narrow no-break, thin, tab) becomes one plain space.
    return re.sub(r"\s+", " ", text).strip()


def _strip_sign_and_currency(text: str) -> tuple[bool, str]:
    """Split ``-kr 1 250``, ``kr -1 250`` or ``-1 250 NOK`` into (negative?, number)."""
    is_negative = text[0] in MINUS_SIGNS
    if is_negative:
        text = text[1:].lstrip()
    prefix = CURRENCY_PREFIX.match(text)
    if prefix:
        text = text[prefix.end() :]
    if not is_negative and text[:1] and text[0] in MINUS_SIGNS:
        is_negative = True
        text = text[1:].lstrip()
    return is_negative, CURRENCY_SUFFIX.sub("", text)


def _parse_number(text: str, *, decimal_mark: str, group_mark: str) -> Decimal:
    if decimal_mark == "," and text.endswith(WHOLE_KRONER_SUFFIX):
        text = text.removesuffix(WHOLE_KRONER_SUFFIX)
    whole, found_mark, fraction = text.partition(decimal_mark)
    if found_mark and not is_ascii_digits(fraction):
        raise InvalidAmount("format")
    if len(fraction) > 2:
        raise InvalidAmount("too_many_decimals")
    digits = _ungrouped(whole, group_mark)
    return Decimal(f"{digits}.{fraction or '0'}")


def _ungrouped(whole: str, group_mark: str) -> str:
    """``1 234 567`` → ``1234567``; groups after the first must have exactly three digits."""
    groups = re.split(f"[ {re.escape(group_mark)}]", whole)
    first, rest = groups[0], groups[1:]
    if not is_ascii_digits(first) or (rest and len(first) > 3):
        raise InvalidAmount("format")
    if any(len(group) != 3 or not is_ascii_digits(group) for group in rest):
        raise InvalidAmount("format")
    return "".join(groups)


def _space_around_currency_sign(pattern: str) -> str:
    # CLDR separates a letter symbol ("NOK") from the digits; Babel does not, so add it.
    pattern = re.sub(r"¤(?=[#0])", "¤" + NO_BREAK_SPACE, pattern)
    return re.sub(r"(?<=[#0])¤", NO_BREAK_SPACE + "¤", pattern)
