"""Consent rows as the plain ``consent.ConsentRecord`` values the rules decide on."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consent import Category, ConsentRecord, Recipient
from guide.consents.models import Consent, RecipientKind
from guide.extensions import db


def recipient_of(consent: Consent) -> Recipient:
    """Whom a consent row names: the scheme, or one club."""
    if RecipientKind(consent.recipient_kind) == RecipientKind.club:
        return Recipient.club(str(consent.recipient_club_id))
    return Recipient.scheme()


def to_record(consent: Consent) -> ConsentRecord:
    """One consent row, with its withdrawal if any, as a ConsentRecord."""
    withdrawal = consent.withdrawal
    return ConsentRecord(
        consent_id=str(consent.id),
        child_id=str(consent.child_id),
        recipient=recipient_of(consent),
        categories=frozenset(Category(category) for category in consent.categories),
        given_at=consent.given_at,
        valid_until=consent.valid_until,
        withdrawn_at=withdrawal.withdrawn_at if withdrawal is not None else None,
        purpose=consent.purpose,
    )


def consents_of_child(child_id: uuid.UUID, *, lock: bool = False) -> list[Consent]:
    """Every consent row of the child with its withdrawal, freshly read, oldest first.

    ``lock=True`` takes a row lock (SELECT ... FOR UPDATE) on the consents, so a share
    and a withdrawal of the same consent run one after the other, never interleaved.
    """
    query = (
        select(Consent)
        .where(Consent.child_id == child_id)
        .options(selectinload(Consent.withdrawal))
        .order_by(Consent.given_at, Consent.id)
        # Another transaction may have withdrawn since this session last looked.
        .execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update(of=Consent)
    return list(db.session.scalars(query))


def consent_records_for_child(child_id: uuid.UUID, *, lock: bool = False) -> list[ConsentRecord]:
    """The child's consents as ConsentRecords, ready for ``consent.decide``."""
    return [to_record(consent) for consent in consents_of_child(child_id, lock=lock)]
