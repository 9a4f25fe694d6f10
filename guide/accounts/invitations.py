"""Inviting staff and volunteers: there is no self-registration, only single-use links.

An invitation is an AccountToken (purpose ``invitation``, 72 hours, single use)
and an e-mail through the outbox. Accepting it creates the account (or brings a
deactivated one back), sets the password and signs the person in to enroll a
second factor.
"""

from __future__ import annotations

import datetime as dt
import uuid

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, select

from guide import policy
from guide.access import load_scoped
from guide.accounts.account_tokens import (
    issue_token,
    revoke_open_tokens,
    use_token,
)
from guide.accounts.models import (
    AccountToken,
    RecoveryCode,
    ReferrerKind,
    TokenPurpose,
    User,
)
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
from guide.unit_of_work import LinkAudience, LinkNotValid

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
    referrer_kind: ReferrerKind | str | None = None,
    action: str = "user_invited",
) -> AccountToken:
    """Create an invitation and queue its e-mail; PermissionError if the inviter may not.

    An open invitation to the same address from the same organisation is replaced: its link
    stops working, so there is only ever one pending invitation per address.
    """
    role = Role(role)
    if role not in invitable_roles(invited_by) or organisation.id != invited_by.organisation_id:
        raise PermissionError(f"a {invited_by.role} may not invite a {role} to this organisation")
    address = normalise_email(email)
    _check_club(role, club, organisation)
    kind = _checked_referrer_kind(role, referrer_kind)
    existing = find_user_by_email(address)
    if existing is not None and existing.is_active:
        raise InvitationError(_l("This address already has an account."))
    replaced = revoke_open_tokens(
        purpose=TokenPurpose.invitation, email=address, organisation_id=organisation.id
    )
    invitation, token = issue_token(
        purpose=TokenPurpose.invitation,
        email=address,
        organisation_id=organisation.id,
        valid_for=INVITATION_VALID_FOR,
        created_by_id=invited_by.id,
        role=role,
        club_id=club.id if club is not None else None,
        referrer_kind=kind,
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
    details = {"role": role.value} | ({"replaced": replaced} if replaced else {})
    record_event(action, actor=invited_by, obj=invitation, details=details)
    return invitation


def _checked_referrer_kind(role: Role, kind: ReferrerKind | str | None) -> ReferrerKind | None:
    if role != Role.referrer:
        if kind:
            raise InvitationError(_l("Only referrers have a type."))
        return None
    if not kind:
        raise InvitationError(_l("Choose what kind of referrer this is."))
    return ReferrerKind(kind)


def pending_invitations_query(viewer: User) -> Select:
    """Unused invitations of ``viewer``'s organisation to roles ``viewer`` may invite."""
    roles = invitable_roles(viewer)
    query = select(AccountToken).where(
        AccountToken.purpose == TokenPurpose.invitation,
        AccountToken.organisation_id == viewer.organisation_id,
        AccountToken.used_at.is_(None),
    )
    if not roles:
        return query.where(False)
    return query.where(AccountToken.role.in_(roles))


def list_pending_invitations(*, viewer: User) -> list[AccountToken]:
    """The pending (and expired, unanswered) invitations ``viewer`` looks after, newest first."""
    query = pending_invitations_query(viewer).order_by(AccountToken.created_at.desc())
    return list(db.session.scalars(query))


def load_pending_invitation(*, viewer: User, invitation_id: uuid.UUID) -> AccountToken:
    """The pending invitation if ``viewer`` looks after it, else an audited 404."""
    query = pending_invitations_query(viewer).where(AccountToken.id == invitation_id)
    return load_scoped(query, kind="invitation", object_id=invitation_id)


def resend_invitation(invitation: AccountToken, *, by: User) -> AccountToken:
    """Send a fresh link for the same address and role; the earlier link stops working."""
    club = db.session.get(Club, invitation.club_id) if invitation.club_id else None
    return invite_user(
        email=invitation.email,
        role=invitation.role or "",
        organisation=by.organisation,
        invited_by=by,
        club=club,
        referrer_kind=invitation.referrer_kind,
        action="invitation_resent",
    )


def revoke_invitation(invitation: AccountToken, *, by: User) -> None:
    """Withdraw a pending invitation: its link stops working at once."""
    if invitation.role not in invitable_roles(by):
        raise PermissionError(f"a {by.role} may not revoke an invitation as {invitation.role}")
    invitation.used_at = utcnow()
    record_event(
        "invitation_revoked", actor=by, obj=invitation, details={"role": str(invitation.role)}
    )
    db.session.flush()


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
        raise LinkNotValid(LinkAudience.invitation)
    if user is None:
        user = User(email=invitation.email, is_active=True, preferred_locale=locale)
        db.session.add(user)
    else:
        _reset_returning_account(user)
    user.organisation_id = invitation.organisation_id
    user.role = invitation.role
    user.club_id = invitation.club_id
    user.referrer_kind = invitation.referrer_kind
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
