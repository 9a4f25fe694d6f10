"""Single-use links a guardian opens, without an account, to give or withdraw consent.

Only the SHA-256 of a link's token is stored. A link works once and for 14 days; unknown,
used and expired links all look the same to whoever holds them. The guardian's page is in
the link's language and offers, per recipient (the scheme, and each club of an activity on
the child's list), the categories that recipient may ever receive.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import segno
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from consent import Category, Recipient, categories_offered_to
from guide.accounts.models import User
from guide.activities.models import Activity, Club, Enrollment, EnrollmentStatus
from guide.audit.services import record_event
from guide.cases.models import Case, CaseStatus, Child, Guardian
from guide.consents.answers import SCHEME_KEY, item, record_family_answer
from guide.consents.models import Consent, ConsentBasis, ConsentLink, ConsentMethod
from guide.consents.records import consents_of_child, to_record
from guide.consents.services import WithdrawalChannel, record_consent, withdraw_consent
from guide.consents.texts import CONSENT_LANGUAGES, CURRENT_TEXT_VERSION
from guide.crypto.tokens import find_usable, mark_used, new_token, token_digest
from guide.database import utcnow
from guide.extensions import db
from guide.outbox.services import absolute_url, queue_email
from guide.unit_of_work import LinkAudience, LinkNotValid

VALID_FOR = dt.timedelta(days=14)
#: Flask-Limiter limit on the guardian's link pages, per client address.
CONSENT_LINK_LIMIT = "20 per minute"
#: What the scheme and a club use the data for (keys of guide.consents.texts.PURPOSE_LABELS).
SCHEME_PURPOSE = "follow_up"
CLUB_PURPOSE = "start_activity"


class LinkPurpose(enum.StrEnum):
    give = "give"
    withdraw = "withdraw"


class LinkRefused(ValueError):
    """The link cannot be created as asked; ``str()`` is for the user."""


def guardian_link_language(guardian: Guardian) -> str:
    """The guardian's registered language if the family pages exist in it, else bokmål."""
    language = guardian.preferred_language
    return language if language in CONSENT_LANGUAGES else "nb"


def create_link(
    *,
    child: Child,
    guardian: Guardian,
    purpose: LinkPurpose | str,
    by: User,
    language: str | None = None,
) -> tuple[ConsentLink, str]:
    """Store a new link (its token's hash only) and return (row, token) for the address.

    The link's pages are in ``language`` (one of ``CONSENT_LANGUAGES``), by default in the
    guardian's registered language.
    """
    purpose = LinkPurpose(purpose)
    if guardian.child_id != child.id:
        raise LinkRefused(_("Choose one of the child's guardians."))
    if not guardian.has_parental_responsibility:
        raise LinkRefused(_("Only a guardian with parental responsibility can consent."))
    if language is not None and language not in CONSENT_LANGUAGES:
        raise LinkRefused(_("Choose a language from the list."))
    token = new_token()
    link = ConsentLink(
        organisation_id=child.organisation_id,
        child_id=child.id,
        guardian_id=guardian.id,
        purpose=purpose.value,
        language=language or guardian_link_language(guardian),
        token_hash=token_digest(token),
        expires_at=utcnow() + VALID_FOR,
        created_by_id=by.id,
    )
    db.session.add(link)
    db.session.flush()
    record_event(
        "consent_link_created",
        actor=by,
        obj=link,
        details={"child_id": str(child.id), "purpose": purpose.value, "language": link.language},
    )
    return link, token


def link_address(token: str) -> str:
    """The full address of the guardian's page, on the app's public base URL."""
    return absolute_url(url_for("family.consent_link", token=token))


def qr_code_svg(address: str) -> str:
    """An inline SVG QR code of ``address``, made on the server (no script, no third party)."""
    code = segno.make(address, error="m")
    return code.svg_inline(scale=4, dark="#000", light="#fff", title=_("Consent link"))


def check_mailable(guardian: Guardian) -> None:
    """Refuse a link by e-mail to a guardian without an address (before any link is made)."""
    if not guardian.email:
        raise LinkRefused(_("The guardian has no e-mail address. Show the QR code instead."))


def send_link(link: ConsentLink, token: str, *, guardian: Guardian, by: User) -> None:
    """Queue the link by e-mail in the guardian's language; the mail names no one."""
    check_mailable(guardian)
    queue_email(
        to=guardian.email,
        template="consent_link",
        locale=link.language,
        context={"link": link_address(token), "days": VALID_FOR.days, "purpose": link.purpose},
        organisation_id=link.organisation_id,
        also_locales=CONSENT_LANGUAGES,
    )
    record_event("consent_link_sent", actor=by, obj=link, details={"channel": "email"})


def find_usable_link(token: str) -> ConsentLink | None:
    """The unused, unexpired link for ``token``, or None (unknown, used and expired alike)."""
    return find_usable(ConsentLink, token)


def use_link(link: ConsentLink) -> bool:
    """Mark the link used; False if another request used it first (single use under races)."""
    return mark_used(link)


@dataclass(frozen=True)
class Offer:
    """One recipient on the guardian's page and the categories it may be given."""

    key: str
    club: Club | None
    categories: tuple[Category, ...]

    @property
    def purpose(self) -> str:
        return CLUB_PURPOSE if self.club is not None else SCHEME_PURPOSE


#: Enrollments whose club the guardian is asked about.
OPEN_ENROLLMENTS = (EnrollmentStatus.proposed, EnrollmentStatus.trial, EnrollmentStatus.enrolled)


def offers_for(child: Child, *, guardian_id: uuid.UUID | None = None) -> list[Offer]:
    """The scheme, then each club of an activity on the child's open case, by club name.

    With ``guardian_id``, what that guardian has already agreed to and not withdrawn is not
    asked again: a recipient with nothing left to ask about is left out, so a second link
    about a new club asks about that club alone.
    """
    clubs = db.session.scalars(
        select(Club)
        .join(Activity, Activity.club_id == Club.id)
        .join(Enrollment, Enrollment.activity_id == Activity.id)
        .join(Case, Enrollment.case_id == Case.id)
        .where(
            Case.child_id == child.id,
            Case.status != CaseStatus.closed,
            Enrollment.status.in_(OPEN_ENROLLMENTS),
            Club.organisation_id == child.organisation_id,
        )
        .distinct()
        .order_by(Club.name, Club.id)
    ).all()
    scheme = Offer(SCHEME_KEY, None, _ordered(categories_offered_to(Recipient.scheme())))
    offers = [scheme] + [
        Offer(str(club.id), club, _ordered(categories_offered_to(Recipient.club(str(club.id)))))
        for club in clubs
    ]
    if guardian_id is None:
        return offers
    agreed = _agreed(child, guardian_id)
    left = [
        Offer(
            offer.key,
            offer.club,
            tuple(c for c in offer.categories if (offer.key, c) not in agreed),
        )
        for offer in offers
    ]
    return [offer for offer in left if offer.categories]


def _agreed(child: Child, guardian_id: uuid.UUID) -> set[tuple[str, Category]]:
    """(recipient key, category) of every consent the guardian gave for the child in force."""
    now = utcnow()
    return {
        (str(consent.recipient_club_id) if consent.recipient_club_id else SCHEME_KEY, category)
        for consent in consents_of_child(child.id)
        if consent.guardian_id == guardian_id and to_record(consent).is_in_force(now)
        for category in Category
        if category.value in consent.categories
    }


def _ordered(categories: Iterable[Category]) -> tuple[Category, ...]:
    return tuple(category for category in Category if category in set(categories))


def give_consents(
    link: ConsentLink,
    *,
    chosen: dict[str, set[str]],
    child_heard: bool | None,
    child_view: str | None,
    text_version: str = CURRENT_TEXT_VERSION,
    language: str | None = None,
) -> list[Consent]:
    """Record what the guardian ticked, one consent per recipient, and the family's answer
    (yes, partly or no) with what was offered; LinkNotValid if the link was used meanwhile.

    ``language`` is the language the page was answered in (the guardian may have switched
    from the link's own).
    """
    if not use_link(link):
        raise LinkNotValid(LinkAudience.family)
    language = language if language in CONSENT_LANGUAGES else link.language
    child = db.session.get(Child, link.child_id)
    guardian = db.session.get(Guardian, link.guardian_id) if link.guardian_id else None
    now = utcnow()
    consents = []
    offered: list[str] = []
    accepted: list[str] = []
    for offer in offers_for(child, guardian_id=link.guardian_id):
        categories = [c for c in offer.categories if c.value in chosen.get(offer.key, set())]
        offered += [item(offer.key, c.value) for c in offer.categories]
        accepted += [item(offer.key, c.value) for c in categories]
        if not categories:
            continue  # nothing ticked for this recipient: a refusal, kept in the answer only
        consents.append(
            record_consent(
                child=child,
                by=None,
                guardian=guardian,
                basis=ConsentBasis.parental_responsibility,
                child_heard=child_heard,
                child_view=child_view,
                purpose=offer.purpose,
                categories=categories,
                club=offer.club,
                method=ConsentMethod.digital_link,
                text_version=text_version,
                text_language=language,
                given_at=now,
            )
        )
    record_family_answer(link, offered=offered, accepted=accepted, language=language)
    record_event(
        "consent_link_used",
        organisation_id=link.organisation_id,
        obj=link,
        details={"purpose": link.purpose, "consents": [str(c.id) for c in consents]},
    )
    return consents


def active_consents(link: ConsentLink) -> list[Consent]:
    """The consents the link's guardian gave for the child that are still in force."""
    now = utcnow()
    return [
        consent
        for consent in consents_of_child(link.child_id)
        if consent.guardian_id == link.guardian_id and to_record(consent).is_in_force(now)
    ]


def withdraw_consents(link: ConsentLink, *, consent_ids: Iterable[str]) -> list[Consent]:
    """Withdraw the chosen consents of the link's guardian; LinkNotValid if the link was used."""
    if not use_link(link):
        raise LinkNotValid(LinkAudience.family)
    wanted = set(consent_ids)
    guardian = db.session.get(Guardian, link.guardian_id) if link.guardian_id else None
    withdrawn = []
    for consent in active_consents(link):
        if str(consent.id) not in wanted:
            continue
        withdraw_consent(
            consent,
            by=None,
            channel=WithdrawalChannel.digital_link,
            withdrawn_by_name=guardian.full_name if guardian else None,
        )
        withdrawn.append(consent)
    record_event(
        "consent_link_used",
        organisation_id=link.organisation_id,
        obj=link,
        details={"purpose": link.purpose, "withdrawn": [str(c.id) for c in withdrawn]},
    )
    return withdrawn


def load_guardian(child: Child, guardian_id: uuid.UUID | str | None) -> Guardian | None:
    """One of the child's guardians by id, else None."""
    for guardian in child.guardians:
        if str(guardian.id) == str(guardian_id):
            return guardian
    return None
