"""Recording consents and withdrawals, and the one question every share asks.

Consents and withdrawals are new facts only (see guide.consents.immutable). ``may_see``
is the application's door to ``consent.decide``: it reads the child's records from the
database and asks the rules, so no screen decides on its own.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from consent import (
    CHILD_OWN_CONSENT_AGE,
    Category,
    Decision,
    Recipient,
    categories_offered_to,
    decide,
    may_consent_alone,
    text_fingerprint,
)
from guide.access import load_scoped
from guide.accounts.models import User
from guide.activities.models import Club
from guide.audit.services import record_event
from guide.cases.models import Case, Child, Guardian
from guide.consents import immutable  # noqa: F401  (registers the no-edit guard)
from guide.consents.models import (
    Consent,
    ConsentBasis,
    ConsentMethod,
    ConsentWithdrawal,
    RecipientKind,
    Share,
)
from guide.consents.records import consent_records_for_child, consents_of_child, to_record
from guide.consents.sharing import lock_consents_of_child, notify_clubs_of_withdrawal
from guide.consents.texts import PURPOSE_LABELS, consent_text
from guide.consents.uploads import CheckedScan
from guide.database import utcnow
from guide.dates import local_date
from guide.extensions import db
from guide.tasks import TaskKind, path_for, raise_for_child

#: The relation stored when the child consented for itself.
CHILD_RELATION = "child"


class WithdrawalChannel(enum.StrEnum):
    in_person = "in_person"
    phone = "phone"
    email = "email"
    digital_link = "digital_link"
    letter = "letter"


class ConsentRefused(ValueError):
    """The consent or withdrawal cannot be recorded as asked; ``str()`` is for the user."""


def record_consent(
    *,
    child: Child,
    by: User | None,
    guardian: Guardian | None,
    basis: ConsentBasis | str,
    child_heard: bool | None,
    child_view: str | None,
    purpose: str,
    categories: Iterable[Category | str],
    club: Club | None,
    method: ConsentMethod | str,
    text_version: str,
    text_language: str,
    given_at: dt.datetime,
    valid_until: dt.datetime | None = None,
    scan: CheckedScan | None = None,
) -> Consent:
    """Store a new consent as given; ``club=None`` means the scheme itself is the recipient.

    ``by`` is the signed-in user who records it (it documents a verbal consent); it is
    None only for a guardian's own digital link.
    """
    basis, method = ConsentBasis(basis), ConsentMethod(method)
    recipient = Recipient.club(str(club.id)) if club is not None else Recipient.scheme()
    chosen = _checked_categories(categories, recipient)
    _check_recipient(child, club)
    given_by_name, relation = _consenting_person(child, guardian, basis, given_at)
    _check_times(given_at, valid_until)
    _check_method(method, by=by, scan=scan)
    if purpose not in PURPOSE_LABELS:
        raise ConsentRefused(_("Choose what the information will be used for."))
    text = consent_text(text_language, text_version)

    consent = Consent(
        organisation_id=child.organisation_id,
        child=child,
        guardian=guardian if basis == ConsentBasis.parental_responsibility else None,
        given_by_name=given_by_name,
        given_by_relation=relation,
        basis=basis,
        # Hearing the child applies when someone else consents on its behalf.
        child_heard=child_heard if basis == ConsentBasis.parental_responsibility else None,
        child_view=(child_view or None),
        purpose=purpose,
        categories=[category.value for category in sorted(chosen)],
        recipient_kind=RecipientKind(recipient.kind),
        recipient_club_id=club.id if club is not None else None,
        method=method,
        documented_by_id=by.id if method == ConsentMethod.verbal_documented else None,
        text_version=text.version,
        text_language=text.language,
        text_sha256=text_fingerprint(text.text),
        given_at=given_at,
        valid_until=valid_until,
        recorded_by_id=by.id if by is not None else None,
    )
    if scan is not None:
        consent.scan = scan.data
        consent.scan_sha256 = scan.sha256
        consent.scan_content_type = scan.content_type
    db.session.add(consent)
    db.session.flush()
    record_event(
        "consent_recorded",
        actor=by,
        organisation_id=child.organisation_id,
        obj=consent,
        details={
            "child_id": str(child.id),
            "method": method.value,
            "recipient_kind": recipient.kind,
            "club_id": recipient.club_id,
            "categories": consent.categories,
            "text_version": text.version,
            "text_language": text.language,
            "has_scan": scan is not None,
        },
    )
    return consent


def _checked_categories(
    categories: Iterable[Category | str], recipient: Recipient
) -> frozenset[Category]:
    try:
        chosen = frozenset(Category(category) for category in categories)
    except ValueError:
        raise ConsentRefused(_("Choose the information from the list.")) from None
    if not chosen:
        raise ConsentRefused(_("Choose at least one kind of information."))
    if not chosen <= categories_offered_to(recipient):
        raise ConsentRefused(
            _("Health information and the family's economy are never shared with clubs.")
        )
    return chosen


def _check_recipient(child: Child, club: Club | None) -> None:
    if club is not None and club.organisation_id != child.organisation_id:
        raise ConsentRefused(_("Choose one of your organisation's clubs."))


def _consenting_person(
    child: Child, guardian: Guardian | None, basis: ConsentBasis, given_at: dt.datetime
) -> tuple[str, str]:
    """The consenting person's name and relation, checked against the basis."""
    if basis == ConsentBasis.child_own:
        if guardian is not None or not may_consent_alone(child.born_on, local_date(given_at)):
            raise ConsentRefused(
                _(
                    "A child can consent for itself to this only from the age of %(age)d.",
                    age=CHILD_OWN_CONSENT_AGE,
                )
            )
        return f"{child.first_name} {child.last_name}", CHILD_RELATION
    if guardian is None or guardian.child_id != child.id:
        raise ConsentRefused(_("Choose one of the child's guardians."))
    if not guardian.has_parental_responsibility:
        raise ConsentRefused(_("Only a guardian with parental responsibility can consent."))
    return guardian.full_name, str(getattr(guardian.relation, "value", guardian.relation))


def _check_times(given_at: dt.datetime, valid_until: dt.datetime | None) -> None:
    if given_at > utcnow():
        raise ConsentRefused(_("A consent cannot be given in the future."))
    if valid_until is not None and valid_until <= given_at:
        raise ConsentRefused(_("The end date must come after the date the consent was given."))


def _check_method(method: ConsentMethod, *, by: User | None, scan: CheckedScan | None) -> None:
    if method == ConsentMethod.signed_paper and scan is None:
        raise ConsentRefused(_("Upload the scan of the signed form."))
    if method != ConsentMethod.signed_paper and scan is not None:
        raise ConsentRefused(_("Only a signed paper form has a scan."))
    if method == ConsentMethod.verbal_documented and by is None:
        raise ConsentRefused(_("A verbal consent must be documented by a signed-in user."))


def withdraw_consent(
    consent: Consent,
    *,
    by: User | None,
    channel: WithdrawalChannel | str,
    withdrawn_by_name: str | None = None,
) -> ConsentWithdrawal:
    """Record that the consent is withdrawn now; it stops counting at this very instant."""
    channel = WithdrawalChannel(channel)
    # Lock the consent first: a share that holds the lock finishes before this one is dated.
    lock_consents_of_child(consent.child_id)  # on SQLite too, where FOR UPDATE is ignored
    already = db.session.scalar(
        select(ConsentWithdrawal.id).where(ConsentWithdrawal.consent_id == consent.id)
    )
    if already is not None:
        raise ConsentRefused(_("This consent is already withdrawn."))
    withdrawal = ConsentWithdrawal(
        consent=consent,
        withdrawn_at=utcnow(),
        withdrawn_by_name=withdrawn_by_name or None,
        channel=channel.value,
        recorded_by_id=by.id if by is not None else None,
    )
    db.session.add(withdrawal)
    db.session.flush()
    record_event(
        "consent_withdrawn",
        actor=by,
        organisation_id=consent.organisation_id,
        obj=consent,
        details={
            "child_id": str(consent.child_id),
            "channel": channel.value,
            "recipient_kind": str(consent.recipient_kind),
            "club_id": str(consent.recipient_club_id) if consent.recipient_club_id else None,
        },
    )
    notify_clubs_of_withdrawal(consent)  # a club that had the data is told, without a name
    raise_for_child(
        TaskKind.CONSENT_WITHDRAWN,
        child_id=consent.child_id,
        link=lambda case: path_for("consents.overview", case_id=case.id),
        not_for=by,
    )
    return withdrawal


def may_see(
    recipient: Recipient,
    category: Category | str,
    child: Child | uuid.UUID,
    at: dt.datetime | None = None,
    *,
    lock: bool = False,
) -> Decision:
    """May ``recipient`` see ``category`` of the child's data at ``at`` (default now)?

    ``lock=True`` locks the child's consent rows until the transaction ends (for shares).
    """
    child_id = child.id if isinstance(child, Child) else child
    records = consent_records_for_child(child_id, lock=lock)
    return decide(
        records,
        child_id=str(child_id),
        recipient=recipient,
        category=category,
        at=at or utcnow(),
    )


def load_consent(*, case: Case, consent_id: uuid.UUID) -> Consent:
    """A consent of the case's child, or 404 (the case was loaded through its object rule)."""
    consent = load_scoped(
        select(Consent).where(
            Consent.id == consent_id,
            Consent.child_id == case.child_id,
            Consent.organisation_id == case.organisation_id,
        ),
        kind="consent",
        object_id=consent_id,
    )
    return consent


def consents_for_case(case: Case) -> list[Consent]:
    """The consents of the case's child, newest first, with their withdrawals."""
    if case.child_id is None:
        return []
    return list(reversed(consents_of_child(case.child_id)))


def organisation_clubs(organisation_id: uuid.UUID) -> list[Club]:
    """The organisation's active clubs, the named recipients a consent can have."""
    return list(
        db.session.scalars(
            select(Club)
            .where(Club.organisation_id == organisation_id, Club.is_active.is_(True))
            .order_by(Club.name)
        )
    )


def chosen_recipient(
    value: str | None, *, organisation_id: uuid.UUID
) -> tuple[Recipient, Club | None] | None:
    """``"scheme"`` or a club id of the organisation as (recipient, club); None otherwise."""
    if value == RecipientKind.scheme.value:
        return Recipient.scheme(), None
    try:
        club_id = uuid.UUID(value or "")
    except ValueError:
        return None
    club = db.session.scalar(
        select(Club).where(
            Club.id == club_id, Club.organisation_id == organisation_id, Club.is_active.is_(True)
        )
    )
    return (Recipient.club(str(club.id)), club) if club is not None else None


@dataclass(frozen=True)
class RecipientStatus:
    """What one recipient may see of the child now, category by category."""

    recipient: Recipient
    club_name: str | None
    decisions: list[tuple[Category, Decision]]


@dataclass(frozen=True)
class ShareRow:
    share: Share
    club_name: str
    shared_by_name: str | None


@dataclass(frozen=True)
class ConsentOverview:
    """The consent page of a case: status now, every consent with its withdrawal, every share."""

    statuses: list[RecipientStatus]
    consents: list[Consent]
    shares: list[ShareRow]
    #: Names of the users who recorded or documented consents and withdrawals.
    user_names: dict[uuid.UUID, str]


def consent_overview(*, case: Case, viewer: User, at: dt.datetime | None = None) -> ConsentOverview:
    """Everything the consent page shows; every status comes from ``consent.decide``."""
    at = at or utcnow()
    consents = consents_for_case(case)
    shares = _shares_of_child(case.child_id)
    records = [to_record(consent) for consent in consents]
    club_names = _club_names({consent.recipient_club_id for consent in consents})
    club_names.update({str(row.share.club_id): row.club_name for row in shares})
    named_clubs = {
        str(consent.recipient_club_id) for consent in consents if consent.recipient_club_id
    } | {str(row.share.club_id) for row in shares}
    recipients = [Recipient.scheme()] + [
        Recipient.club(club_id)
        for club_id in sorted(named_clubs, key=lambda club_id: club_names.get(club_id, ""))
    ]
    statuses = [
        RecipientStatus(
            recipient=recipient,
            club_name=club_names.get(recipient.club_id) if recipient.club_id else None,
            decisions=[
                (
                    category,
                    decide(
                        records,
                        child_id=str(case.child_id),
                        recipient=recipient,
                        category=category,
                        at=at,
                    ),
                )
                for category in Category
            ],
        )
        for recipient in recipients
    ]
    record_event(
        "consent_overview_viewed",
        actor=viewer,
        obj=case,
        details={"consents": len(consents), "shares": len(shares)},
    )
    return ConsentOverview(
        statuses=statuses,
        consents=consents,
        shares=shares,
        user_names=_user_names(consents),
    )


def _shares_of_child(child_id: uuid.UUID | None) -> list[ShareRow]:
    if child_id is None:
        return []
    rows = db.session.execute(
        select(Share, Club.name, User.full_name)
        .join(Club, Share.club_id == Club.id)
        .outerjoin(User, Share.shared_by_id == User.id)
        .where(Share.child_id == child_id)
        .order_by(Share.shared_at.desc())
    )
    return [ShareRow(share=share, club_name=club, shared_by_name=by) for share, club, by in rows]


def _club_names(club_ids: set[uuid.UUID | None]) -> dict[str, str]:
    wanted = {club_id for club_id in club_ids if club_id is not None}
    if not wanted:
        return {}
    rows = db.session.execute(select(Club.id, Club.name).where(Club.id.in_(wanted)))
    return {str(club_id): name for club_id, name in rows}


def _user_names(consents: list[Consent]) -> dict[uuid.UUID, str]:
    ids = {consent.recorded_by_id for consent in consents} | {
        consent.documented_by_id for consent in consents
    }
    ids |= {consent.withdrawal.recorded_by_id for consent in consents if consent.withdrawal}
    ids.discard(None)
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())
