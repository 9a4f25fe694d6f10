"""Consent records, withdrawals, guardian links and shares; the rules live in ``consent/``."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guide.crypto.fields import EncryptedBytes, EncryptedText
from guide.database import (
    ActorId,
    CreatedAt,
    OrganisationOwned,
    StringList,
    Timestamp,
    UTCDateTime,
    str_enum,
    utcnow,
)
from guide.extensions import db

if TYPE_CHECKING:
    from guide.activities.models import Club
    from guide.cases.models import Child, Guardian


class RecipientKind(enum.StrEnum):
    scheme = "scheme"
    club = "club"


class ConsentMethod(enum.StrEnum):
    signed_paper = "signed_paper"
    digital_link = "digital_link"
    verbal_documented = "verbal_documented"


class ConsentBasis(enum.StrEnum):
    parental_responsibility = "parental_responsibility"
    child_own = "child_own"


class Consent(OrganisationOwned, db.Model):
    """Documented permission; never edited or deleted by users (a withdrawal is a new fact)."""

    __tablename__ = "consents"

    child_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("children.id", ondelete="CASCADE"), index=True
    )
    #: The guardian who consented; empty when the child consented or the guardian was removed.
    guardian_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("guardians.id", ondelete="SET NULL")
    )
    given_by_name = EncryptedText(nullable=False)
    given_by_relation: Mapped[str] = mapped_column(String(32))
    basis: Mapped[ConsentBasis] = mapped_column(str_enum(ConsentBasis))
    #: Whether the child was heard; empty where that does not apply.
    child_heard: Mapped[bool | None]
    child_view = EncryptedText()
    purpose: Mapped[str] = mapped_column(String(200))
    #: ``consent.Category`` values covered by this consent.
    categories: Mapped[StringList]
    recipient_kind: Mapped[RecipientKind] = mapped_column(str_enum(RecipientKind))
    recipient_club_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clubs.id"), index=True)
    method: Mapped[ConsentMethod] = mapped_column(str_enum(ConsentMethod))
    #: Who documented a verbal consent.
    documented_by_id: Mapped[ActorId]
    #: The signed paper form, scanned.
    scan = EncryptedBytes()
    #: SHA-256 hex of the plain scan, to show it is the copy that was uploaded.
    scan_sha256: Mapped[str | None] = mapped_column(String(64))
    scan_content_type: Mapped[str | None] = mapped_column(String(50))
    #: The consent text shown: its version, language and SHA-256 hex.
    text_version: Mapped[str] = mapped_column(String(40))
    text_language: Mapped[str] = mapped_column(String(8))
    text_sha256: Mapped[str] = mapped_column(String(64))
    given_at: Mapped[Timestamp]
    valid_until: Mapped[Timestamp | None]
    recorded_by_id: Mapped[ActorId]
    created_at: Mapped[CreatedAt]

    child: Mapped[Child] = relationship(back_populates="consents")
    guardian: Mapped[Guardian | None] = relationship()
    recipient_club: Mapped[Club | None] = relationship()
    #: Goes with its consent, which goes only with its child (erasure, a merged duplicate);
    #: the database cascades the rows this session has not loaded.
    withdrawal: Mapped[ConsentWithdrawal | None] = relationship(
        back_populates="consent", uselist=False, cascade="all, delete-orphan", passive_deletes=True
    )


class ConsentWithdrawal(db.Model):
    """Takes effect at once; at most one per consent."""

    __tablename__ = "consent_withdrawals"

    consent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consents.id", ondelete="CASCADE"), unique=True
    )
    withdrawn_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_by_name = EncryptedText()
    #: How the withdrawal came in, e.g. "digital_link", "phone", "letter".
    channel: Mapped[str] = mapped_column(String(32))
    recorded_by_id: Mapped[ActorId]

    consent: Mapped[Consent] = relationship(back_populates="withdrawal")


class ConsentLink(OrganisationOwned, db.Model):
    """A single-use link a guardian opens to give or withdraw consent in their language."""

    __tablename__ = "consent_links"

    child_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("children.id", ondelete="CASCADE"), index=True
    )
    guardian_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("guardians.id", ondelete="CASCADE")
    )
    #: "give" or "withdraw".
    purpose: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    #: SHA-256 hex of the link token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[Timestamp]
    used_at: Mapped[Timestamp | None]
    created_by_id: Mapped[ActorId]
    created_at: Mapped[CreatedAt]


class Share(OrganisationOwned, db.Model):
    """A record that data left the scheme: what, to which club, under which consent."""

    __tablename__ = "shares"
    __table_args__ = (Index("ix_shares_club_shared", "club_id", "shared_at"),)

    consent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consents.id", ondelete="CASCADE"), index=True
    )
    child_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("children.id", ondelete="CASCADE"), index=True
    )
    club_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clubs.id"))
    #: ``consent.Category`` values that were shared.
    categories: Mapped[StringList]
    shared_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    shared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FamilyAnswerKind(enum.StrEnum):
    """What the family said to everything the link offered."""

    yes = "yes"
    partly = "partly"
    no = "no"


class FamilyAnswer(OrganisationOwned, db.Model):
    """The family's answer to a consent link, "no" included: what was offered and accepted.

    The consents given are recorded as ``Consent`` rows as well; this row is what tells a
    refusal from no answer. Offered and accepted items are ``"<recipient>:<category>"``,
    the recipient being ``scheme`` or a club's id.
    """

    __tablename__ = "family_answers"
    __table_args__ = (
        Index("ix_family_answers_organisation_answered", "organisation_id", "answered_at"),
    )

    child_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("children.id", ondelete="CASCADE"), index=True
    )
    guardian_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("guardians.id", ondelete="SET NULL")
    )
    #: The link the answer came through; one answer per link.
    link_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("consent_links.id", ondelete="SET NULL"), unique=True
    )
    answer: Mapped[FamilyAnswerKind] = mapped_column(str_enum(FamilyAnswerKind))
    offered: Mapped[StringList]
    accepted: Mapped[StringList]
    #: How the answer came in; today only "digital_link".
    channel: Mapped[str] = mapped_column(String(32))
    #: The language the page was answered in.
    language: Mapped[str] = mapped_column(String(8))
    answered_at: Mapped[Timestamp]
