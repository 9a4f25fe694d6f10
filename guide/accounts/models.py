"""Staff accounts: users and roles, sessions, recovery codes, invitations and resets."""

from __future__ import annotations

import enum
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from guide.crypto.fields import EncryptedText
from guide.database import ActorId, CreatedAt, OrganisationOwned, Timestamp, str_enum
from guide.extensions import db
from guide.roles import Role

if TYPE_CHECKING:
    from guide.activities.models import Club
    from guide.guides.models import GuideProfile


class ReferrerKind(enum.StrEnum):
    teacher = "teacher"
    school_nurse = "school_nurse"
    nav = "nav"
    child_welfare = "child_welfare"
    refugee_service = "refugee_service"
    other = "other"


class TaskEmail(enum.StrEnum):
    """How a person is told of new tasks by e-mail (guide.tasks.mail)."""

    at_once = "at_once"
    daily = "daily"
    never = "never"


class TokenPurpose(enum.StrEnum):
    invitation = "invitation"
    password_reset = "password_reset"  # noqa: S105 (a purpose, not a password)


class User(OrganisationOwned, db.Model):
    """A staff member or volunteer who signs in; staff name and work e-mail are not encrypted."""

    __tablename__ = "users"
    __table_args__ = (
        #: An organisation's coordinators (or guides) without reading all its users.
        Index("ix_users_organisation_role", "organisation_id", "role"),
    )

    #: Work address, always stored lower-case (see the validator below).
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    referrer_kind: Mapped[ReferrerKind | None] = mapped_column(str_enum(ReferrerKind))
    #: The club a club contact speaks for.
    club_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clubs.id", ondelete="SET NULL"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[Timestamp | None]
    totp_secret = EncryptedText()
    totp_enrolled_at: Mapped[Timestamp | None]
    #: The last accepted TOTP time step, so each code works only once.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    preferred_locale: Mapped[str] = mapped_column(String(8), default="nb")
    #: How new tasks are told by e-mail; at once unless the person chooses otherwise.
    task_email: Mapped[TaskEmail] = mapped_column(
        str_enum(TaskEmail), default=TaskEmail.at_once, server_default=TaskEmail.at_once.value
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    throttled_until: Mapped[Timestamp | None]
    last_sign_in_at: Mapped[Timestamp | None]
    created_at: Mapped[CreatedAt]

    club: Mapped[Club | None] = relationship()
    guide_profile: Mapped[GuideProfile | None] = relationship(back_populates="user", uselist=False)
    sessions: Mapped[list[UserSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @validates("email")
    def _lower_case_email(self, _key: str, value: str) -> str:
        return value.strip().lower()

    # Flask-Login's interface, written out: UserMixin would also replace __eq__.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session."""
        return str(self.id)


class UserSession(db.Model):
    """A server-side sign-in session, so signing out really ends it."""

    __tablename__ = "user_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    #: SHA-256 hex of the session token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[CreatedAt]
    last_seen_at: Mapped[Timestamp]
    ended_at: Mapped[Timestamp | None]
    ended_reason: Mapped[str | None] = mapped_column(String(32))

    user: Mapped[User] = relationship(back_populates="sessions")


class RecoveryCode(db.Model):
    """A single-use code that replaces a TOTP code when the phone is lost."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[Timestamp | None]

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class AccountToken(OrganisationOwned, db.Model):
    """An invitation or a password reset link; only the hash of its token is stored."""

    __tablename__ = "account_tokens"

    purpose: Mapped[TokenPurpose] = mapped_column(str_enum(TokenPurpose))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The account a reset is for; empty for an invitation until it is accepted.
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role | None] = mapped_column(str_enum(Role))
    club_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    #: The type an invited referrer gets (teacher, school nurse, NAV ...).
    referrer_kind: Mapped[ReferrerKind | None] = mapped_column(str_enum(ReferrerKind))
    created_by_id: Mapped[ActorId]
    created_at: Mapped[CreatedAt]
    expires_at: Mapped[Timestamp]
    used_at: Mapped[Timestamp | None]
