"""The coordinator's guide roster and the guide profile form."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from guide.access import requires_permission
from guide.areas.services import area_options
from guide.guides.certificates import CertificateState
from guide.guides.forms import GuideProfileForm
from guide.guides.services import (
    guide_roster,
    load_organisation_user,
    update_guide_profile,
)
from guide.policy import Permission
from guide.roles import Role
from guide.web.responses import form_status

bp = Blueprint("guides", __name__)


@bp.app_context_processor
def roster_helpers() -> dict[str, object]:
    return {
        "CertificateState": CertificateState,
    }


@bp.get("/guides")
@requires_permission(Permission.guide_manage)
def roster():
    entries = guide_roster(organisation=current_user.organisation)
    return render_template("guides/roster.html", entries=entries)


@bp.route("/guides/<uuid:user_id>/edit", methods=["GET", "POST"])
@requires_permission(Permission.guide_manage)
def edit(user_id: uuid.UUID):
    guide_user = load_organisation_user(viewer=current_user, user_id=user_id)
    if guide_user.role != Role.guide:
        flash(_("Only guides have a guide profile."), "warning")
        return redirect(url_for("guides.roster"))
    profile = guide_user.guide_profile
    form = GuideProfileForm(
        obj=profile,
        saved_languages=profile.languages if profile else [],
        area_choices=area_options(
            guide_user.organisation_id, keep=[area.id for area in profile.areas] if profile else []
        ),
    )
    if form.validate_on_submit():
        update_guide_profile(user=guide_user, by=current_user, **form.profile_fields())
        flash(_("The profile of %(name)s is saved.", name=guide_user.full_name), "success")
        return redirect(url_for("guides.roster"))
    return render_template("guides/edit.html", form=form, guide_user=guide_user), form_status()
