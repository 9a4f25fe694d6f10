"""User screens (/users): admins look after staff, coordinators after guides and club contacts.

Only accounts appear here (name, work e-mail, role, status, second factor, last
sign-in); never a child's data. Every object is loaded through
``load_managed_user``, which applies the organisation and the policy's
"accounts I manage" scope.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from guide.access import requires_permission
from guide.accounts.invitation_forms import ROLE_LABELS, ReferrerKindForm
from guide.admin.forms import ChangeRoleForm, ConfirmActionForm
from guide.admin.services import (
    UserAdminError,
    assignable_roles,
    change_referrer_kind,
    change_role,
    deactivate_user,
    list_managed_users,
    load_managed_user,
    reactivate_user,
    reset_user_second_factor,
)
from guide.policy import Permission, allowed
from guide.reports.labels import REFERRER_KIND_LABELS
from guide.roles import Role

bp = Blueprint("admin", __name__)


@bp.get("/users")
@requires_permission(Permission.user_manage)
def user_list():
    users = list_managed_users(viewer=current_user)
    return render_template(
        "admin/users.html",
        users=users,
        role_labels=ROLE_LABELS,
        invite_url=url_for("invitations.invite"),
    )


@bp.get("/users/<uuid:user_id>")
@requires_permission(Permission.user_manage)
def user_detail(user_id: uuid.UUID):
    user = load_managed_user(viewer=current_user, user_id=user_id)
    return _user_page(user, _role_form(user), 200)


@bp.post("/users/<uuid:user_id>/deactivate")
@requires_permission(Permission.user_manage)
def deactivate(user_id: uuid.UUID):
    user = load_managed_user(viewer=current_user, user_id=user_id)
    return _confirmed_action(
        user, deactivate_user, _("%(name)s is deactivated and signed out.", name=user.full_name)
    )


@bp.post("/users/<uuid:user_id>/reactivate")
@requires_permission(Permission.user_manage)
def reactivate(user_id: uuid.UUID):
    user = load_managed_user(viewer=current_user, user_id=user_id)
    return _confirmed_action(
        user, reactivate_user, _("%(name)s can sign in again.", name=user.full_name)
    )


@bp.post("/users/<uuid:user_id>/second-factor/reset")
@requires_permission(Permission.user_manage)
def reset_second_factor(user_id: uuid.UUID):
    user = load_managed_user(viewer=current_user, user_id=user_id)
    return _confirmed_action(
        user,
        reset_user_second_factor,
        _("%(name)s must set up a code app again at the next sign-in.", name=user.full_name),
    )


@bp.post("/users/<uuid:user_id>/role")
@requires_permission(Permission.user_change_role)
def change_user_role(user_id: uuid.UUID):
    user = load_managed_user(viewer=current_user, user_id=user_id)
    form = _role_form(user)
    if form.validate_on_submit():
        try:
            change_role(user, role=form.role.data, by=current_user)
        except UserAdminError as error:
            form.form_errors.append(str(error.message))
        else:
            label = ROLE_LABELS[str(user.role)]
            flash(
                _("%(name)s now has the role %(role)s.", name=user.full_name, role=label), "success"
            )
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return _user_page(user, form, 400)


@bp.post("/users/<uuid:user_id>/referrer-kind")
@requires_permission(Permission.user_change_role)
def change_user_referrer_kind(user_id: uuid.UUID):
    user = load_managed_user(viewer=current_user, user_id=user_id)
    form = ReferrerKindForm()
    if form.validate_on_submit():
        try:
            change_referrer_kind(user, kind=form.referrer_kind.data, by=current_user)
        except UserAdminError as error:
            form.form_errors.append(str(error.message))
        else:
            flash(_("%(name)s's type of referrer is saved.", name=user.full_name), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return _user_page(user, _role_form(user), 400, kind_form=form)


def _confirmed_action(user, action, done_message: str):
    if not ConfirmActionForm().validate_on_submit():
        return _user_page(user, _role_form(user), 400)
    try:
        action(user, by=current_user)
    except UserAdminError as error:
        flash(str(error.message), "error")
    else:
        flash(done_message, "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


def _role_form(user) -> ChangeRoleForm:
    form = ChangeRoleForm(role=str(user.role)) if request.method == "GET" else ChangeRoleForm()
    form.role.choices = [
        SelectChoice(role.value, ROLE_LABELS[role.value]) for role in assignable_roles(current_user)
    ]
    return form


def _kind_form(user) -> ReferrerKindForm | None:
    """The referrer-type form, for an administrator looking at a referrer; else None."""
    if user.role != Role.referrer or not allowed(current_user, Permission.user_change_role):
        return None
    kind = str(user.referrer_kind or "")
    return ReferrerKindForm(referrer_kind=kind) if request.method == "GET" else ReferrerKindForm()


def _user_page(user, role_form: ChangeRoleForm, status: int, *, kind_form=None):
    page = render_template(
        "admin/user.html",
        user=user,
        is_self=user.id == current_user.id,
        role_labels=ROLE_LABELS,
        referrer_kind_labels=REFERRER_KIND_LABELS,
        role_form=role_form if role_form.role.choices else None,
        kind_form=kind_form or _kind_form(user),
        action_form=ConfirmActionForm(),
    )
    return page, status
