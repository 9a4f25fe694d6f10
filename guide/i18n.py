"""Locale selection and formatting helpers (Flask-Babel).

The formatting functions are plain functions: pass ``locale`` explicitly, or leave it out
inside a request to use the locale chosen for that request.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale, get_timezone, get_translations, gettext
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup
from wtforms.i18n import messages_path as wtforms_messages_path

from guide.dates import local_zone
from guide.extensions import babel
from guide.validation.money import format_ore

#: Session key holding the language the visitor picked with the switcher.
SESSION_LOCALE_KEY = "locale"
#: Languages written right to left (Arabic arrives in a later issue).
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ps", "ur", "ckb"})
FALLBACK_LOCALE = "nb"
#: Shorter own-language names where Babel's are long ("norsk bokmål").
NATIVE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk"}
#: Date formats for bare English follow European English (day before month): users are in Norway.
DATE_LOCALE_OVERRIDES = {"en": "en_150"}

LocaleArg = str | Locale | None


def configure_babel(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(template_translations)
    app.before_request(_serve_cached_form_messages)
    app.jinja_env.globals.update(
        format_money=format_money,
        format_date=format_date,
        format_date_long=format_date_long,
        format_datetime=format_datetime,
        text_direction=text_direction,
        current_locale=current_locale,
        language_choices=language_choices,
        language_name=language_name,
        language_names=language_names,
    )


def template_translations() -> dict[str, Any]:
    """``gettext``/``ngettext`` (and so ``_``) bound to this render's catalogue.

    Flask-Babel's own look the catalogue up again on every call (a dozen context lookups);
    a page makes dozens to hundreds of calls. Found once per render instead, so an e-mail
    rendered under ``force_locale`` still gets its own language. Same "newstyle" behaviour
    as Jinja's: the text is marked safe under autoescape and filled with ``%(name)s``.
    """
    translations = get_translations()

    @pass_eval_context
    def template_gettext(eval_context: EvalContext, text: str, **values: Any) -> str:
        return _filled(eval_context, translations.ugettext(text), values)

    @pass_eval_context
    def template_ngettext(
        eval_context: EvalContext, singular: str, plural: str, count: int, **values: Any
    ) -> str:
        values.setdefault("num", count)
        return _filled(eval_context, translations.ungettext(singular, plural, count), values)

    return {"gettext": template_gettext, "ngettext": template_ngettext}


def _filled(eval_context: EvalContext, translated: str, values: dict[str, Any]) -> str:
    # The catalogue's texts are the project's own, trusted as Jinja's gettext trusts them;
    # the values put into them are escaped by Markup's % operator.
    if eval_context.autoescape:
        translated = Markup(translated)  # noqa: S704
    return translated % values


class _CachedFormMessages:
    """WTForms' own messages ("Not a valid choice") in the request's language.

    Flask-WTF reads WTForms' catalogue from disk on every request that builds a form; it
    takes one it finds on the request instead, so this hands it catalogues loaded once.
    """

    def ugettext(self, text: str) -> str:
        return _form_catalogue(current_locale()).ugettext(text)

    def ungettext(self, singular: str, plural: str, count: int) -> str:
        return _form_catalogue(current_locale()).ungettext(singular, plural, count)


_FORM_MESSAGES = _CachedFormMessages()


def _serve_cached_form_messages() -> None:
    request.wtforms_translations = _FORM_MESSAGES


@lru_cache(maxsize=32)
def _form_catalogue(locale_tag: str) -> Translations:
    return Translations.load(wtforms_messages_path(), [locale_tag], domain="wtforms")


def _settings():
    return current_app.extensions["fritidsguide.settings"]


def select_locale() -> str:
    """Session choice, then the user's preference, then Accept-Language, then the default."""
    return _request_locale(with_user_preference=True)


def locale_without_database() -> str:
    """``select_locale`` without the signed-in user's preference, which lives in the database.

    The session is the signed cookie, so its language choice is read without a query.
    """
    return _request_locale(with_user_preference=False)


def _request_locale(*, with_user_preference: bool) -> str:
    settings = _settings()
    if not has_request_context():  # CLI commands and workers
        return settings.default_locale
    allowed = settings.locales
    chosen = session.get(SESSION_LOCALE_KEY)
    if chosen in allowed:
        return chosen
    if with_user_preference:
        preferred = _signed_in_user_locale()
        if preferred in allowed:
            return preferred
    return request.accept_languages.best_match(allowed) or settings.default_locale


def _signed_in_user_locale() -> str | None:
    # Accounts own the user model; read the preference only if it exists.
    from flask_login import current_user

    if not getattr(current_user, "is_authenticated", False):
        return None
    return getattr(current_user, "preferred_locale", None)


def current_locale() -> str:
    """The request's locale as a language tag, e.g. ``nb``."""
    return str(get_locale() or _settings().default_locale)


def text_direction(locale: LocaleArg = None) -> str:
    """``rtl`` for right-to-left languages, else ``ltr``."""
    return "rtl" if _as_locale(locale).language in RTL_LANGUAGES else "ltr"


def language_choices() -> list[tuple[str, str]]:
    """(code, name in its own language) for every enabled locale."""
    return [(code, _native_name(code)) for code in _settings().locales]


#: A language outside the list, as the referral form offers it (``"other"``).
OTHER_LANGUAGE = "other"


def language_name(code: str, *, locale: LocaleArg = None) -> str:
    """A language code as the language's name in the reader's language: "ar" → "arabisk".

    The one place a stored language code becomes words (referrals, cases, guides, activities);
    an unknown code is shown as it is.
    """
    if code == OTHER_LANGUAGE:
        return gettext("Another language")
    return _language_name(code, str(_as_locale(locale)))


def language_names(codes: Iterable[str], *, locale: LocaleArg = None) -> str:
    """``["nb", "ar"]`` as "norsk bokmål, arabisk" in the reader's language."""
    return ", ".join(language_name(code, locale=locale) for code in codes)


@lru_cache(maxsize=1024)  # codes come from the data and the locales are few: bounded
def _language_name(code: str, locale_tag: str) -> str:
    try:
        name = Locale.parse(code).get_display_name(locale_tag)
    except (ValueError, UnknownLocaleError):
        return code
    return name or code


@lru_cache(maxsize=64)
def _native_name(code: str) -> str:
    name = NATIVE_NAMES.get(code) or Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def format_money(ore: int, *, locale: LocaleArg = None) -> str:
    """Whole øre as kroner in the request's locale (templates); see ``format_ore``."""
    if isinstance(ore, bool) or not isinstance(ore, int):
        return format_ore(ore)  # refuses it with format_ore's own message
    return _money_text(ore, str(_as_locale(locale)))


# Babel's formatting costs tens of microseconds a call and a page makes dozens of calls with
# few distinct values: the texts are kept per (value, locale). Dates and amounts are
# immutable and locales few, so the caches stay small and never go stale.
@lru_cache(maxsize=8192)
def _money_text(ore: int, locale_tag: str) -> str:
    return format_ore(ore, Locale.parse(locale_tag))


@lru_cache(maxsize=8192)
def _date_text(value: dt.date, width: str, locale_tag: str) -> str:
    return babel_format_date(value, width, locale=_date_locale(locale_tag))


def format_date(value: dt.date, *, locale: LocaleArg = None) -> str:
    """Short numeric date: nb ``05.03.2026``."""
    return _date_text(_as_date(value), "short", str(_as_locale(locale)))


def format_date_long(value: dt.date, *, locale: LocaleArg = None) -> str:
    """Date with the month's name: nb ``5. mars 2026``."""
    return _date_text(_as_date(value), "long", str(_as_locale(locale)))


def format_datetime(value: dt.datetime, *, locale: LocaleArg = None) -> str:
    """Short date and time in the app's time zone: nb ``05.03.2026, 14:30``."""
    tzinfo = get_timezone() if has_request_context() else local_zone()
    return babel_format_datetime(value, "short", tzinfo=tzinfo, locale=_date_locale(locale))


def _as_date(value: dt.date) -> dt.date:
    # Babel formats a datetime given to format_date by its date part, as this does.
    return value.date() if isinstance(value, dt.datetime) else value


def _date_locale(locale: LocaleArg) -> Locale:
    babel_locale = _as_locale(locale)
    override = DATE_LOCALE_OVERRIDES.get(str(babel_locale))
    return Locale.parse(override) if override else babel_locale


def _as_locale(locale: LocaleArg) -> Locale:
    if isinstance(locale, Locale):
        return locale
    if locale:
        return Locale.parse(locale)
    if has_request_context():
        return get_locale() or Locale.parse(_settings().default_locale)
    return Locale.parse(FALLBACK_LOCALE)


def compile_catalogues(directory: Path) -> list[Path]:
    """Compile every ``messages.po`` under ``directory`` whose ``.mo`` is missing or older."""
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalogue = read_po(handle, locale=po_path.parent.parent.name)
        # Write beside the target and rename, so a parallel reader never sees half a file.
        descriptor, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        with os.fdopen(descriptor, "wb") as handle:
            write_mo(handle, catalogue)
        os.chmod(temporary, 0o644)  # mkstemp makes it owner-only; the app may run as another user
        Path(temporary).replace(mo_path)
        written.append(mo_path)
    return written
