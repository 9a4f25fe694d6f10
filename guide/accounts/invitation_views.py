"""Inviting someone (/users/invite) and accepting an invitation (/invitation/<token>)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select
from wtforms import SelectChoice

from guide.access import public, requires_permission
from guide.accounts.account_tokens import LinkNotValid, find_usable_token
from guide.accounts.invitation_forms import ROLE_LABELS, InviteUserForm
from guide.accounts.invitations import (
    InvitationError,
    accept_invitation,
    invitable_roles,
    invite_user,
)
from guide.accounts.models import TokenPurpose
from guide.accounts.password_forms import PASSWORD_HINT, AcceptInvitationForm
from guide.accounts.sessions import sign_out_this_browser, start_session
from guide.accounts.throttling import INVITATION_LIMIT
from guide.activities.models import Club
from guide.extensions import db, limiter
from guide.i18n import current_locale
from guide.policy import Permission
from guide.roles import Role
from guide.web.responses import form_status

bp = Blueprint("invitations", __name__)


@bp.route("/users/invite", methods=["GET", "POST"])
@limiter.limit(INVITATION_LIMIT, methods=["POST"])
@requires_permission(Permission.user_invite_staff, Permission.user_invite_volunteer)
def invite():
    roles = invitable_roles(current_user)
    clubs = _own_clubs() if Role.club_contact in roles else {}
    form = InviteUserForm()
    form.role.choices = [SelectChoice(role.value, ROLE_LABELS[role.value]) for role in roles]
    form.club.choices = [
        SelectChoice("", _("No club")),
        *(SelectChoice(key, club.name) for key, club in clubs.items()),
    ]
    if form.validate_on_submit():
        is_club_contact = form.role.data == Role.club_contact.value
        try:
            invite_user(
                email=form.email.data,
                role=form.role.data,
                organisation=current_user.organisation,
                invited_by=current_user,
                club=clubs.get(form.club.data or "") if is_club_contact else None,
            )
        except InvitationError as error:
            form.form_errors.append(str(error.message))
        else:
            flash(_("The invitation is on its way to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("invitations.invite"))
    return render_template(
        "accounts/invitation_invite.html", form=form, show_club=bool(clubs)
    ), form_status()


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
        return _link_not_valid()
    form = AcceptInvitationForm(known_words=[invitation.email])
    if form.validate_on_submit():
        try:
            user = accept_invitation(
                invitation,
                full_name=form.full_name.data,
                password=form.password.data,
                locale=current_locale(),
            )
        except LinkNotValid:
            db.session.rollback()
            return _link_not_valid()
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


def _link_not_valid():
    return render_template("accounts/invitation_invalid.html"), 404
