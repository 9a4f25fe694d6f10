"""Inviting staff and volunteers: there is no self-registration, only single-use links.

An invitation is an AccountToken (purpose ``invitation``, 72 hours, single use)
and an e-mail through the outbox. Accepting it creates the account (or brings a
deactivated one back), sets the password and signs the person in to enroll a
second factor.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from guide import policy
from guide.accounts.account_tokens import (
    LinkNotValid,
    issue_token,
    revoke_open_tokens,
    use_token,
)
from guide.accounts.models import AccountToken, RecoveryCode, TokenPurpose, User
from guide.accounts.passwords import hash_password
from guide.accounts.services import find_user_by_email, normalise_email
from guide.accounts.sessions import end_all_sessions
from guide.activities.models import Club
from guide.audit.services import record_event
from guide.database import utcnow
from guide.extensions import db
from guide.outbox.services import absolute_url, queue_email
from guide.roles import Role
from guide.tenant import Organisation

INVITATION_VALID_FOR = dt.timedelta(hours=72)
#: The accept page's path; guide.accounts.invitation_views serves it.
INVITATION_PATH = "/invitation/{token}"


class InvitationError(ValueError):
    """The invitation cannot be made as asked; ``message`` is translated for the inviter."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def invitable_roles(inviter: User) -> tuple[Role, ...]:
    """The roles ``inviter`` may give to someone new (guide.policy decides), in a fixed order."""
    allowed = policy.invitable_roles(inviter)  # empty for a deactivated account
    return tuple(role for role in Role if role in allowed)


def invite_user(
    *,
    email: str,
    role: Role | str,
    organisation: Organisation,
    invited_by: User,
    club: Club | None = None,
) -> AccountToken:
    """Create an invitation and queue its e-mail; PermissionError if the inviter may not."""
    role = Role(role)
    if role not in invitable_roles(invited_by) or organisation.id != invited_by.organisation_id:
        raise PermissionError(f"a {invited_by.role} may not invite a {role} to this organisation")
    address = normalise_email(email)
    _check_club(role, club, organisation)
    existing = find_user_by_email(address)
    if existing is not None and existing.is_active:
        raise InvitationError(_l("This address already has an account."))
    # A new invitation replaces any earlier one, so only the newest link works.
    revoke_open_tokens(purpose=TokenPurpose.invitation, email=address)
    invitation, token = issue_token(
        purpose=TokenPurpose.invitation,
        email=address,
        organisation_id=organisation.id,
        valid_for=INVITATION_VALID_FOR,
        created_by_id=invited_by.id,
        role=role,
        club_id=club.id if club is not None else None,
    )
    queue_email(
        to=address,
        template="invitation",
        locale=organisation_locale(organisation),
        context={
            "link": absolute_url(INVITATION_PATH.format(token=token)),
            "organisation_name": organisation.name,
            "valid_hours": int(INVITATION_VALID_FOR.total_seconds() // 3600),
        },
        organisation_id=organisation.id,
    )
    record_event("user_invited", actor=invited_by, obj=invitation, details={"role": role.value})
    return invitation


def _check_club(role: Role, club: Club | None, organisation: Organisation) -> None:
    if role != Role.club_contact:
        if club is not None:
            raise InvitationError(_l("Only club contacts belong to a club."))
        return
    if club is None or club.organisation_id != organisation.id or not club.is_active:
        raise InvitationError(_l("Choose the club this person speaks for."))


def organisation_locale(organisation: Organisation) -> str:
    """The language mail from ``organisation`` is written in."""
    # Organisations have no language setting yet; the app's default stands in for it.
    explicit = getattr(organisation, "default_locale", None)
    return explicit or current_app.extensions["fritidsguide.settings"].default_locale


def accept_invitation(
    invitation: AccountToken, *, full_name: str, password: str, locale: str
) -> User:
    """Create (or bring back) the invited account with this password; uses up the link."""
    user = find_user_by_email(invitation.email)
    already_active = user is not None and user.is_active
    if invitation.role is None or already_active or not use_token(invitation):
        raise LinkNotValid
    if user is None:
        user = User(email=invitation.email, is_active=True, preferred_locale=locale)
        db.session.add(user)
    else:
        _reset_returning_account(user)
    user.organisation_id = invitation.organisation_id
    user.role = invitation.role
    user.club_id = invitation.club_id
    user.full_name = full_name.strip()
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.failed_sign_ins = 0
    user.throttled_until = None
    user.is_active = True
    db.session.flush()
    invitation.user_id = user.id
    record_event("invitation_accepted", actor=user, obj=user, details={"role": user.role.value})
    return user


def _reset_returning_account(user: User) -> None:
    """A deactivated account that is invited again starts afresh: new second factor, no sessions."""
    end_all_sessions(user, "reinvited")
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
