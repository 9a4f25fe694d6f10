"""Sharing a child's data with a club: the one door, checked against consent under a lock.

``share_with_club`` is the only code that records a :class:`Share`. Inside the request's
transaction it first locks the child's consent rows, then asks ``consent.decide`` about
every category at that instant, and records the share only if all of them are allowed.
A withdrawal takes the same lock before it is dated (``lock_consents_of_child``), so a
share and a withdrawal of the same consent run one after the other: a share is never
dated after the withdrawal of the consent it rests on.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select, text

from consent import Category, Decision, Reason, Recipient, decide
from guide.accounts.models import User
from guide.accounts.services import active_users
from guide.activities.models import Club
from guide.audit.services import record_event
from guide.cases.models import Child
from guide.consents.labels import category_name
from guide.consents.models import Consent, Share
from guide.consents.records import consent_records_for_child
from guide.database import utcnow
from guide.extensions import db
from guide.outbox.services import absolute_url, queue_emails
from guide.roles import Role
from guide.tasks import TaskKind, path_for, raise_for_child

#: What a club may ever be sent; ``decide`` refuses health and economy data on its own too.
CLUB_CATEGORIES: tuple[Category, ...] = (
    Category.IDENTITY,
    Category.CONTACT,
    Category.PRACTICAL_NEEDS,
)


#: The club contact's page (guide.clubs_portal.views); a constant, so mail needs no request.
PORTAL_PATH = "/klubb"


class ShareRefused(ValueError):
    """No share: ``missing`` names each (category, reason) that lacks a valid consent."""

    def __init__(self, missing: list[tuple[Category, Reason]], club: Club) -> None:
        super().__init__("share refused")
        self.missing = missing
        self.club_name = club.name

    def messages(self) -> list[str]:
        """One translated sentence per missing consent; names the category and club only."""
        return [
            _(
                "No valid consent for “%(category)s” to %(club)s: %(reason)s",
                category=category_name(category),
                club=self.club_name,
                reason=refusal_reason_label(reason),
            )
            for category, reason in self.missing
        ]


def refusal_reason_label(reason: Reason) -> str:
    """Why a share was refused, in words staff understand."""
    labels = {
        Reason.NO_CONSENT: _("the guardian has not consented"),
        Reason.WITHDRAWN: _("the consent has been withdrawn"),
        Reason.EXPIRED: _("the consent has expired"),
        Reason.NOT_YET_VALID: _("the consent is not valid yet"),
        Reason.OTHER_RECIPIENT: _("the consent names another recipient"),
        Reason.CATEGORY_NOT_COVERED: _("the consent does not cover this information"),
        Reason.NEVER_SHARED_WITH_CLUBS: _("this information is never shared with clubs"),
        Reason.OTHER_CHILD: _("the guardian has not consented"),
    }
    return labels.get(reason, _("the guardian has not consented"))


def lock_consents_of_child(child_id: uuid.UUID) -> None:
    """Hold the child's consent rows until the transaction ends, before anything is dated."""
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite locks the whole database for writing, and only when a transaction first
        # writes; a write that matches no row takes that lock now, so no other writer
        # (a withdrawal) can commit between this check and this transaction's commit.
        db.session.execute(text("UPDATE consents SET id = id WHERE 0 = 1"))
        return
    db.session.execute(
        select(Consent.id).where(Consent.child_id == child_id).with_for_update()
    ).all()


def share_with_club(
    *, child: Child, club: Club, categories: Iterable[Category | str], by: User
) -> list[Share]:
    """Record that ``categories`` of the child's data go to ``club``, if consent allows now.

    Returns one Share per consent the categories rest on (usually one). Raises
    ShareRefused, having recorded and sent nothing, when any category lacks consent.
    """
    wanted = sorted({Category(category) for category in categories})
    if not wanted:
        raise ValueError("choose at least one category to share")
    if club.organisation_id != child.organisation_id:
        raise ValueError("a child is only shared with a club of its own organisation")
    lock_consents_of_child(child.id)
    records = consent_records_for_child(child.id, lock=True)
    now = utcnow()  # taken under the lock, so a withdrawal still waiting is dated later
    recipient = Recipient.club(str(club.id))
    decisions = {
        category: decide(
            records, child_id=str(child.id), recipient=recipient, category=category, at=now
        )
        for category in wanted
    }
    missing = [(category, d.reason) for category, d in decisions.items() if not d.allowed]
    if missing:
        record_event(
            "share_refused",
            actor=by,
            obj=child,
            details={
                "club_id": str(club.id),
                "missing": [[category.value, reason.value] for category, reason in missing],
            },
        )
        raise ShareRefused(missing, club)
    shares = _record_shares(child=child, club=club, decisions=decisions, by=by, now=now)
    _notify_club_contacts(club, template="child_shared")
    raise_for_child(
        TaskKind.SHARED_WITH_CLUB,
        child_id=child.id,
        link=lambda case: path_for("consents.overview", case_id=case.id),
        not_for=by,
    )
    return shares


def _record_shares(
    *, child: Child, club: Club, decisions: dict[Category, Decision], by: User, now: dt.datetime
) -> list[Share]:
    by_consent: dict[str, list[str]] = {}
    for category, decision in decisions.items():
        by_consent.setdefault(str(decision.consent_id), []).append(category.value)
    shares = []
    for consent_id, shared in sorted(by_consent.items()):
        share = Share(
            organisation_id=child.organisation_id,
            consent_id=uuid.UUID(consent_id),
            child_id=child.id,
            club_id=club.id,
            categories=shared,
            shared_by_id=by.id,
            shared_at=now,
        )
        db.session.add(share)
        shares.append(share)
    db.session.flush()
    for share in shares:
        record_event(
            "child_shared_with_club",
            actor=by,
            obj=share,
            details={
                "child_id": str(child.id),
                "club_id": str(club.id),
                "consent_id": str(share.consent_id),
                "categories": share.categories,
            },
        )
    return shares


def club_contacts(club_id: uuid.UUID) -> list[User]:
    """The active club contact accounts that speak for the club."""
    return active_users(Role.club_contact, User.club_id == club_id, order_by=User.email)


def _notify_club_contacts(club: Club, *, template: str) -> None:
    # The mail says only that something changed; the page behind the link applies consent.
    queue_emails(
        recipients=[
            (contact.email, contact.preferred_locale) for contact in club_contacts(club.id)
        ],
        template=template,
        context={"link": absolute_url(PORTAL_PATH)},
        organisation_id=club.organisation_id,
    )


def notify_clubs_of_withdrawal(consent: Consent) -> None:
    """Tell the contacts of a club that had the child's data that a consent was withdrawn."""
    if consent.recipient_club_id is None:
        return
    was_shared = db.session.scalar(select(Share.id).where(Share.consent_id == consent.id).limit(1))
    club = db.session.get(Club, consent.recipient_club_id)
    if was_shared is None or club is None:
        return
    _notify_club_contacts(club, template="share_withdrawn")
    record_event(
        "club_told_of_withdrawal",
        organisation_id=consent.organisation_id,
        obj=consent,
        details={"club_id": str(club.id)},
    )
