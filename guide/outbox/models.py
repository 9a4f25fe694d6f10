"""The e-mail outbox: messages are stored first and sent by a worker, with retries."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from guide.crypto.fields import EncryptedText
from guide.database import CreatedAt, Timestamp, UTCDateTime, str_enum, utcnow
from guide.extensions import db


class OutboxStatus(enum.StrEnum):
    queued = "queued"
    #: Claimed by a worker until ``next_attempt_at`` (its lease); then due again.
    sending = "sending"
    sent = "sent"
    failed = "failed"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status_next_attempt", "status", "next_attempt_at"),)

    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    recipient = EncryptedText(nullable=False)
    #: Never personal data: "Du har en ny sak", not the child's name.
    subject: Mapped[str] = mapped_column(String(200))
    body_text = EncryptedText(nullable=False)
    locale: Mapped[str] = mapped_column(String(8), default="nb")
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus), default=OutboxStatus.queued
    )
    attempts: Mapped[int] = mapped_column(default=0)
    #: When a queued message is due, or when a sending message's lease runs out.
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The SMTP error class and code only, never an address or message text.
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[CreatedAt]
    sent_at: Mapped[Timestamp | None]
