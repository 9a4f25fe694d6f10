"""Money and things: funds, support grants, and equipment lent to children."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guide.crypto.fields import EncryptedText
from guide.database import (
    ActorId,
    CreatedAt,
    Money,
    OrganisationOwned,
    Timestamp,
    UTCDateTime,
    str_enum,
    utcnow,
)
from guide.extensions import db

if TYPE_CHECKING:
    from guide.activities.models import Activity, Club
    from guide.cases.models import Case


class Fund(OrganisationOwned, db.Model):
    """A budget that pays support, e.g. "Fritidsstipend 2027"."""

    __tablename__ = "funds"

    name: Mapped[str] = mapped_column(String(200))
    #: Where the money comes from (a grant scheme, the municipality, a sponsor).
    source: Mapped[str] = mapped_column(String(100))
    year: Mapped[int]
    budget: Mapped[Money]
    notes: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[CreatedAt]

    grants: Mapped[list[SupportGrant]] = relationship(back_populates="fund")


class SupportKind(enum.StrEnum):
    membership_fee = "membership_fee"
    equipment = "equipment"
    trips_events = "trips_events"
    transport = "transport"
    other = "other"


class GrantStatus(enum.StrEnum):
    requested = "requested"
    approved = "approved"
    rejected = "rejected"
    paid = "paid"


class PayeeKind(enum.StrEnum):
    club = "club"
    shop = "shop"
    other = "other"


class SupportGrant(OrganisationOwned, db.Model):
    """Money for one child's costs, normally paid straight to the club."""

    __tablename__ = "support_grants"
    __table_args__ = (
        Index(
            "ix_support_grants_organisation_status_requested",
            "organisation_id",
            "status",
            "requested_at",
        ),
        Index("ix_support_grants_fund_status", "fund_id", "status"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    fund_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("funds.id"))
    kind: Mapped[SupportKind] = mapped_column(str_enum(SupportKind))
    amount: Mapped[Money]
    activity_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL")
    )
    payee_kind: Mapped[PayeeKind] = mapped_column(str_enum(PayeeKind))
    payee_club_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("clubs.id", ondelete="SET NULL")
    )
    #: A shop or other payee's business name (never the family).
    payee_name: Mapped[str | None] = mapped_column(String(200))
    reason = EncryptedText()
    status: Mapped[GrantStatus] = mapped_column(
        str_enum(GrantStatus), default=GrantStatus.requested
    )
    requested_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[ActorId]
    decided_at: Mapped[Timestamp | None]
    decision_note = EncryptedText()
    #: Why the fund may be overspent; required when it is.
    override_reason = EncryptedText()
    paid_by_id: Mapped[ActorId]
    paid_at: Mapped[Timestamp | None]
    #: The accounting system's reference for the payment.
    payment_reference: Mapped[str | None] = mapped_column(String(40))
    #: Optimistic locking: two coordinators cannot both decide the same grant.
    version: Mapped[int] = mapped_column(nullable=False)

    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship(back_populates="support_grants")
    fund: Mapped[Fund | None] = relationship(back_populates="grants")
    activity: Mapped[Activity | None] = relationship()
    payee_club: Mapped[Club | None] = relationship()


class LoanSource(enum.StrEnum):
    own_store = "own_store"
    equipment_library = "equipment_library"
    club = "club"


class EquipmentItem(OrganisationOwned, db.Model):
    """A thing in the scheme's own store that can be lent out."""

    __tablename__ = "equipment_items"

    name: Mapped[str] = mapped_column(String(200))
    size: Mapped[str | None] = mapped_column(String(40))
    condition: Mapped[str | None] = mapped_column(String(40))
    is_available: Mapped[bool] = mapped_column(default=True)


class EquipmentLoan(OrganisationOwned, db.Model):
    """Equipment lent to a child, from the own store, an equipment library (BUA) or a club."""

    __tablename__ = "equipment_loans"
    __table_args__ = (
        Index(
            "ix_equipment_loans_organisation_returned_due",
            "organisation_id",
            "returned_on",
            "due_on",
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    #: The item when it comes from the own store.
    item_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("equipment_items.id", ondelete="SET NULL")
    )
    item_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[str | None] = mapped_column(String(40))
    condition: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[LoanSource] = mapped_column(str_enum(LoanSource))
    lent_on: Mapped[dt.date]
    due_on: Mapped[dt.date | None]
    returned_on: Mapped[dt.date | None]
    note = EncryptedText()
    reminder_sent_at: Mapped[Timestamp | None]

    case: Mapped[Case] = relationship(back_populates="equipment_loans")
    item: Mapped[EquipmentItem | None] = relationship()
