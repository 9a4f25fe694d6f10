"""The guardian's consent link pages (/samtykke/<token>): no account, the link's language.

Unknown, used and expired links all raise ``LinkNotValid`` and get the same plain page with
the same status (guide.unit_of_work), in the visitor's browser language among the family
languages (``CONSENT_LANGUAGES``, wider than the staff pages' languages), so a forwarded or
guessed link tells nothing about the child.
The guardian's page opens in the link's language; a plain list of links (``?lang=``, no
script) switches to any family language and keeps the token, and the answer is sent in it.
An answer ends on the thank-you page, which names no one; the same answer sent again (a
double click, the back button) lands there too, although the link is used up by then.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import force_locale

from guide.access import public
from guide.cases.models import Child
from guide.consents.labels import LANGUAGE_NAMES
from guide.consents.links import (
    CONSENT_LINK_LIMIT,
    LinkPurpose,
    active_consents,
    find_usable_link,
    give_consents,
    offers_for,
    withdraw_consents,
)
from guide.consents.models import ConsentLink
from guide.consents.sharing_forms import FamilyConsentForm, FamilyWithdrawForm
from guide.consents.texts import (
    CONSENT_LANGUAGES,
    CURRENT_TEXT_VERSION,
    SCHEME_RECIPIENT_LABEL,
    TEXT_VERSIONS,
    category_label,
    consent_text,
    purpose_label,
)
from guide.extensions import db, limiter
from guide.submissions import raise_if_repeated
from guide.unit_of_work import LinkAudience, LinkNotValid

bp = Blueprint("family", __name__)
#: The token is in the address: never send it on, not even to our own pages.
PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@bp.context_processor
def _guardian_words() -> dict[str, object]:
    return {
        "category_label": category_label,
        "category_list": lambda values: ", ".join(map(category_label, values)),
        "purpose_label": purpose_label,
    }


@bp.route("/samtykke/<token>", methods=["GET", "POST"])
@limiter.limit(CONSENT_LINK_LIMIT)
@public
def consent_link(token: str):
    link = find_usable_link(token)
    if link is None:
        raise_if_repeated()
        raise LinkNotValid(LinkAudience.family)
    language = _chosen_language() or link.language
    with force_locale(language):
        if link.purpose == LinkPurpose.withdraw:
            return _withdraw_page(link, token, language)
        return _give_page(link, token, language)


def _chosen_language() -> str | None:
    """The family language picked on the page's language list, if any."""
    chosen = request.args.get("lang")
    return chosen if chosen in CONSENT_LANGUAGES else None


def browser_family_language() -> str:
    """A language chosen on the page, else the browser's best family language, else bokmål."""
    return _chosen_language() or request.accept_languages.best_match(CONSENT_LANGUAGES) or "nb"


def _give_page(link: ConsentLink, token: str, language: str):
    child = db.session.get(Child, link.child_id)
    offers = offers_for(child, guardian_id=link.guardian_id)
    form = FamilyConsentForm()
    if form.validate_on_submit():
        version = form.text_version.data
        chosen: dict[str, set[str]] = {}
        for value in request.form.getlist("consent"):
            key, _, category = value.partition(":")
            chosen.setdefault(key, set()).add(category)
        give_consents(
            link,
            chosen=chosen,
            child_heard={"yes": True, "no": False}.get(form.child_heard.data or ""),
            child_view=form.child_view.data,
            text_version=version if version in TEXT_VERSIONS else CURRENT_TEXT_VERSION,
            language=language,
        )
        return _thank(language)
    form.text_version.data = CURRENT_TEXT_VERSION
    return _page(
        "consents/family_give.html",
        token=token,
        form=form,
        child=child,
        offers=offers,
        paragraphs=consent_text(language).text.split("\n\n"),
        scheme_label=SCHEME_RECIPIENT_LABEL,
    )


def _withdraw_page(link: ConsentLink, token: str, language: str):
    consents = active_consents(link)
    form = FamilyWithdrawForm()
    if form.validate_on_submit() and consents:
        withdraw_consents(link, consent_ids=request.form.getlist("withdraw"))
        return _thank(language)
    child = db.session.get(Child, link.child_id)
    return _page(
        "consents/family_withdraw.html",
        token=token,
        form=form,
        child=child,
        consents=consents,
        scheme_label=SCHEME_RECIPIENT_LABEL,
    )


@bp.get("/samtykke/takk/<language>")
@public
def thanks(language: str):
    """The answer is recorded: the page names no one, in the language the link had."""
    if language not in CONSENT_LANGUAGES:
        abort(404)
    with force_locale(language):
        return _page("consents/family_done.html")


def _thank(language: str):
    return redirect(url_for("family.thanks", language=language))


def _page(template: str, **context: object):
    return render_template(template, family_languages=LANGUAGE_NAMES, **context), PRIVATE_HEADERS
