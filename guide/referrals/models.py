"""Referrals: a teacher's, nurse's or caseworker's request that a child gets a guide."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guide.accounts.models import ReferrerKind
from guide.cases.identity import new_reference
from guide.cases.models import HelpLevel
from guide.crypto.fields import EncryptedText
from guide.database import (
    ActorId,
    OrganisationOwned,
    StringList,
    Timestamp,
    UTCDateTime,
    str_enum,
    utcnow,
)
from guide.extensions import db

if TYPE_CHECKING:
    from guide.accounts.models import User
    from guide.cases.models import Case, Child


class ReferralStatus(enum.StrEnum):
    received = "received"
    accepted = "accepted"
    declined = "declined"
    merged = "merged"


class ConsentToReferMethod(enum.StrEnum):
    signed_paper = "signed_paper"
    verbal_documented = "verbal_documented"


def new_referral_reference() -> str:
    return new_reference("HV")


class Referral(OrganisationOwned, db.Model):
    __tablename__ = "referrals"
    __table_args__ = (
        Index(
            "ix_referrals_organisation_status_submitted",
            "organisation_id",
            "status",
            "submitted_at",
        ),
        Index("ix_referrals_referred_by_submitted", "referred_by_id", "submitted_at"),
    )

    #: Random, never derived from personal data; the referrer quotes it.
    reference: Mapped[str] = mapped_column(String(16), unique=True, default=new_referral_reference)
    child_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("children.id", ondelete="CASCADE"), index=True
    )
    #: Set when the referral is accepted into a case or merged into an open one.
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    referred_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    referrer_kind: Mapped[ReferrerKind] = mapped_column(str_enum(ReferrerKind))
    status: Mapped[ReferralStatus] = mapped_column(
        str_enum(ReferralStatus), default=ReferralStatus.received
    )
    #: Why the referrer is worried; for the coordinator only, never for guides or clubs.
    reason = EncryptedText(nullable=False)
    interests_in_own_words = EncryptedText()
    #: Barrier values (see ``guide.cases.models.Barrier``).
    barriers: Mapped[StringList]
    help_level: Mapped[HelpLevel] = mapped_column(str_enum(HelpLevel))
    #: The guardian who agreed to the referral (or the child, where the law allows).
    consent_given_by = EncryptedText(nullable=False)
    consent_relation: Mapped[str] = mapped_column(String(32))
    consent_method: Mapped[ConsentToReferMethod] = mapped_column(str_enum(ConsentToReferMethod))
    consent_given_on: Mapped[dt.date]
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[ActorId]
    decided_at: Mapped[Timestamp | None]
    decline_reason = EncryptedText()

    child: Mapped[Child] = relationship()
    case: Mapped[Case | None] = relationship(back_populates="referrals")
    referred_by: Mapped[User] = relationship(foreign_keys=[referred_by_id])
