"""Inviting someone (/users/invite) and accepting an invitation (/invitation/<token>)."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select
from wtforms import SelectChoice

from guide.access import public, requires_permission
from guide.accounts.account_tokens import find_usable_token
from guide.accounts.invitation_forms import ROLE_LABELS, InvitationActionForm, InviteUserForm
from guide.accounts.invitations import (
    InvitationError,
    accept_invitation,
    invitable_roles,
    invite_user,
    list_pending_invitations,
    load_pending_invitation,
    resend_invitation,
    revoke_invitation,
)
from guide.accounts.models import TokenPurpose
from guide.accounts.password_forms import PASSWORD_HINT, AcceptInvitationForm
from guide.accounts.sessions import sign_out_this_browser, start_session
from guide.accounts.throttling import INVITATION_LIMIT
from guide.activities.models import Club
from guide.database import utcnow
from guide.extensions import db, limiter
from guide.i18n import current_locale
from guide.policy import Permission
from guide.reports.labels import REFERRER_KIND_LABELS
from guide.roles import Role
from guide.unit_of_work import LinkAudience, LinkNotValid
from guide.web.responses import form_status

bp = Blueprint("invitations", __name__)
#: Whoever may invite someone may see, resend and withdraw the invitations they could make.
MAY_INVITE = (Permission.user_invite_staff, Permission.user_invite_volunteer)


@bp.route("/users/invite", methods=["GET", "POST"])
@limiter.limit(INVITATION_LIMIT, methods=["POST"])
@requires_permission(*MAY_INVITE)
def invite():
    form, clubs = _invite_form()
    if form.validate_on_submit():
        is_club_contact = form.role.data == Role.club_contact.value
        try:
            invite_user(
                email=form.email.data,
                role=form.role.data,
                organisation=current_user.organisation,
                invited_by=current_user,
                club=clubs.get(form.club.data or "") if is_club_contact else None,
                referrer_kind=form.referrer_kind.data or None,
            )
        except InvitationError as error:
            form.form_errors.append(str(error.message))
        else:
            flash(_("The invitation is on its way to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("invitations.invite"))
    return _invite_page(form, clubs, form_status())


@bp.post("/users/invitations/<uuid:invitation_id>/resend")
@limiter.limit(INVITATION_LIMIT)
@requires_permission(*MAY_INVITE)
def resend(invitation_id: uuid.UUID):
    return _act_on_invitation(invitation_id, _resend)


@bp.post("/users/invitations/<uuid:invitation_id>/revoke")
@requires_permission(*MAY_INVITE)
def revoke(invitation_id: uuid.UUID):
    return _act_on_invitation(invitation_id, _revoke)


def _act_on_invitation(invitation_id: uuid.UUID, act):
    """Load a pending invitation in the viewer's reach, check the button's form, act, go back."""
    invitation = load_pending_invitation(viewer=current_user, invitation_id=invitation_id)
    action_form = InvitationActionForm()
    if not action_form.validate_on_submit():
        return _invite_page(*_invite_form(), 400, action_form=action_form)
    act(invitation)
    return redirect(url_for("invitations.invite"))


def _resend(invitation) -> None:
    try:
        resend_invitation(invitation, by=current_user)
    except InvitationError as error:
        flash(str(error.message), "error")
    else:
        flash(_("A new link is on its way to %(email)s.", email=invitation.email), "success")


def _revoke(invitation) -> None:
    revoke_invitation(invitation, by=current_user)
    flash(_("The invitation to %(email)s is withdrawn.", email=invitation.email), "success")


def _invite_form() -> tuple[InviteUserForm, dict[str, Club]]:
    """The invitation form with the roles and clubs the signed-in person may give."""
    roles = invitable_roles(current_user)
    clubs = _own_clubs() if Role.club_contact in roles else {}
    form = InviteUserForm()
    form.role.choices = [SelectChoice(role.value, ROLE_LABELS[role.value]) for role in roles]
    form.club.choices = [
        SelectChoice("", _("No club")),
        *(SelectChoice(key, club.name) for key, club in clubs.items()),
    ]
    return form, clubs


def _invite_page(form, clubs, status: int, *, action_form=None):
    page = render_template(
        "accounts/invitation_invite.html",
        form=form,
        show_club=bool(clubs),
        show_referrer_kind=Role.referrer in invitable_roles(current_user),
        pending=list_pending_invitations(viewer=current_user),
        now=utcnow(),
        role_labels=ROLE_LABELS,
        referrer_kind_labels=REFERRER_KIND_LABELS,
        action_form=action_form or InvitationActionForm(),
    )
    return page, status


def _own_clubs() -> dict[str, Club]:
    clubs = db.session.scalars(
        select(Club)
        .where(Club.organisation_id == current_user.organisation_id, Club.is_active.is_(True))
        .order_by(Club.name)
    )
    return {str(club.id): club for club in clubs}


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(INVITATION_LIMIT, methods=["POST"])
@public
def accept(token: str):
    invitation = find_usable_token(token, TokenPurpose.invitation)
    if invitation is None:
        raise LinkNotValid(LinkAudience.invitation)
    form = AcceptInvitationForm(known_words=[invitation.email])
    if form.validate_on_submit():
        user = accept_invitation(
            invitation,
            full_name=form.full_name.data,
            password=form.password.data,
            locale=current_locale(),
        )
        sign_out_this_browser("replaced")
        start_session(user)
        login_user(user)
        flash(_("Your account is ready. Now set up a code app for signing in."), "success")
        return redirect(url_for("twofactor.enroll"))
    return render_template(
        "accounts/invitation_accept.html",
        form=form,
        token=token,
        email=invitation.email,
        role_label=ROLE_LABELS.get(str(invitation.role), ""),
        password_hint=PASSWORD_HINT,
    ), form_status()
