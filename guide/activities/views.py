"""The coordinator's catalogue pages: clubs, activities, categories and the CSV import."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from guide.access import requires_permission
from guide.activities.forms import (
    ActiveForm,
    ActivityForm,
    CategoryForm,
    ClubForm,
    ImportConfirmForm,
    ImportUploadForm,
    activity_form_data,
    describe_file_error,
    describe_problem,
)
from guide.activities.importing import MAX_FILE_BYTES, RegisterFileError, read_register
from guide.activities.models import Activity, Club
from guide.activities.services import (
    CategoryExists,
    add_category,
    apply_import,
    category_choices,
    create_activity,
    create_club,
    load_activity,
    load_club,
    load_import,
    organisation_activities,
    organisation_clubs,
    own_categories,
    preview_import,
    set_activity_active,
    set_club_active,
    start_import,
    total_cost_per_season,
    update_activity,
    update_club,
)
from guide.areas.services import area_options
from guide.catalogue.labels import extra_cost_label, weekday_name
from guide.i18n import language_names
from guide.policy import Permission
from guide.web.responses import form_status

bp = Blueprint("activities", __name__, url_prefix="/catalogue")


@bp.context_processor
def catalogue_helpers() -> dict[str, Any]:
    labels: dict[str, str] = {}

    def category_name(key: str) -> str:
        # Looked up on first use only: error pages of this blueprint never need it.
        if not labels:
            labels.update(category_choices(current_user.organisation_id))
        return labels.get(key, key)

    return {
        "category_name": category_name,
        "weekday_name": weekday_name,
        "total_cost": total_cost_per_season,
        "extra_cost_label": extra_cost_label,
        "language_list": language_names,
        "describe_problem": describe_problem,
    }


# --- clubs -----------------------------------------------------------------------------------


def _requested_active() -> bool | None:
    """The state a deactivate/reactivate button asks for; None when its CSRF check fails."""
    if not ActiveForm().validate_on_submit():
        return None
    return request.form.get("active") == "1"


@bp.get("/clubs")
@requires_permission(Permission.club_manage)
def clubs():
    return render_template(
        "activities/clubs.html", clubs=organisation_clubs(current_user.organisation_id)
    )


@bp.route("/clubs/new", methods=["GET", "POST"])
@requires_permission(Permission.club_manage)
def new_club():
    form = ClubForm(
        organisation_id=current_user.organisation_id,
        areas=area_options(current_user.organisation_id),
    )
    if form.validate_on_submit():
        club = create_club(
            organisation_id=current_user.organisation_id, details=form.details(), by=current_user
        )
        flash(_("The club %(name)s is added.", name=club.name), "success")
        return redirect(url_for("activities.club", club_id=club.id))
    return render_template("activities/club_form.html", form=form, club=None), form_status()


@bp.get("/clubs/<uuid:club_id>")
@requires_permission(Permission.club_manage)
def club(club_id: uuid.UUID):
    found = load_club(viewer=current_user, club_id=club_id)
    activities = organisation_activities(current_user.organisation_id, club_id=found.id)
    return render_template(
        "activities/club.html", club=found, activities=activities, active_form=ActiveForm()
    )


@bp.route("/clubs/<uuid:club_id>/edit", methods=["GET", "POST"])
@requires_permission(Permission.club_manage)
def edit_club(club_id: uuid.UUID):
    found = load_club(viewer=current_user, club_id=club_id)
    form = ClubForm(
        obj=found,
        organisation_id=found.organisation_id,
        areas=area_options(found.organisation_id, keep=[found.area_id]),
        club_id=found.id,
    )
    if form.validate_on_submit():
        update_club(found, details=form.details(), by=current_user)
        flash(_("The club %(name)s is saved.", name=found.name), "success")
        return redirect(url_for("activities.club", club_id=found.id))
    return render_template("activities/club_form.html", form=form, club=found), form_status()


@bp.post("/clubs/<uuid:club_id>/active")
@requires_permission(Permission.club_manage)
def set_club_state(club_id: uuid.UUID):
    found = load_club(viewer=current_user, club_id=club_id)
    is_active = _requested_active()
    if is_active is not None:
        set_club_active(found, is_active=is_active, by=current_user)
        if is_active:
            flash(_("The club %(name)s is active again.", name=found.name), "success")
        else:
            flash(_("The club %(name)s is deactivated.", name=found.name), "success")
    return redirect(url_for("activities.club", club_id=found.id))


# --- activities ------------------------------------------------------------------------------


def _activity_form(activity: Activity | None = None, **kwargs: Any) -> ActivityForm:
    clubs = [
        (str(club.id), club.name)
        for club in organisation_clubs(current_user.organisation_id)
        if club.is_active or (activity is not None and club.id == activity.club_id)
    ]
    return ActivityForm(
        clubs=clubs,
        categories=category_choices(current_user.organisation_id),
        areas=area_options(
            current_user.organisation_id, keep=[activity.area_id] if activity else []
        ),
        saved_languages=list(activity.leader_languages) if activity else [],
        **kwargs,
    )


@bp.get("/activities")
@requires_permission(Permission.activity_manage)
def activity_list():
    activities = organisation_activities(current_user.organisation_id)
    return render_template("activities/activities.html", activities=activities)


@bp.route("/activities/new", methods=["GET", "POST"])
@requires_permission(Permission.activity_manage)
def new_activity():
    form = _activity_form(data={"club": request.args.get("club", "")})
    if form.validate_on_submit():
        club: Club = load_club(viewer=current_user, club_id=uuid.UUID(form.club.data))
        activity = create_activity(club=club, details=form.details(), by=current_user)
        flash(_("The activity %(name)s is added.", name=activity.name), "success")
        return redirect(url_for("activities.club", club_id=club.id))
    return render_template("activities/activity_form.html", form=form, activity=None), form_status()


@bp.route("/activities/<uuid:activity_id>/edit", methods=["GET", "POST"])
@requires_permission(Permission.activity_manage)
def edit_activity(activity_id: uuid.UUID):
    activity = load_activity(viewer=current_user, activity_id=activity_id)
    saved = None if request.method == "POST" else activity_form_data(activity)
    form = _activity_form(activity, data=saved)
    if form.validate_on_submit():
        club = load_club(viewer=current_user, club_id=uuid.UUID(form.club.data))
        update_activity(activity, club=club, details=form.details(), by=current_user)
        flash(_("The activity %(name)s is saved.", name=activity.name), "success")
        return redirect(url_for("activities.club", club_id=club.id))
    return render_template(
        "activities/activity_form.html", form=form, activity=activity, active_form=ActiveForm()
    ), form_status()


@bp.post("/activities/<uuid:activity_id>/active")
@requires_permission(Permission.activity_manage)
def set_activity_state(activity_id: uuid.UUID):
    activity = load_activity(viewer=current_user, activity_id=activity_id)
    is_active = _requested_active()
    if is_active is not None:
        set_activity_active(activity, is_active=is_active, by=current_user)
        if is_active:
            flash(_("The activity %(name)s is active again.", name=activity.name), "success")
        else:
            flash(_("The activity %(name)s is deactivated.", name=activity.name), "success")
    return redirect(url_for("activities.club", club_id=activity.club_id))


# --- categories ------------------------------------------------------------------------------


@bp.route("/categories", methods=["GET", "POST"])
@requires_permission(Permission.activity_manage)
def categories():
    form = CategoryForm()
    if form.validate_on_submit():
        name = " ".join(form.name.data.split())
        try:
            add_category(organisation_id=current_user.organisation_id, name=name, by=current_user)
        except CategoryExists:
            form.name.errors.append(_("There is already a category with this name."))
        else:
            flash(_("The category %(name)s is added.", name=name), "success")
            return redirect(url_for("activities.categories"))
    return render_template(
        "activities/categories.html",
        form=form,
        choices=category_choices(current_user.organisation_id),
        own_keys={category.key for category in own_categories(current_user.organisation_id)},
    ), form_status()


# --- CSV import ------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@requires_permission(Permission.catalogue_import)
def import_upload():
    form = ImportUploadForm()
    if form.validate_on_submit():
        content = form.register.data.read(MAX_FILE_BYTES + 1)
        try:
            read_register(content)  # refuse an unreadable file before keeping it
        except RegisterFileError as error:
            form.register.errors.append(describe_file_error(error))
        else:
            upload = start_import(
                organisation_id=current_user.organisation_id,
                filename=form.register.data.filename or "register.csv",
                content=content,
                by=current_user,
            )
            return redirect(url_for("activities.import_preview", import_id=upload.id))
    return render_template("activities/import_upload.html", form=form), form_status()


@bp.get("/import/<uuid:import_id>")
@requires_permission(Permission.catalogue_import)
def import_preview(import_id: uuid.UUID):
    upload = load_import(viewer=current_user, import_id=import_id)
    if upload.imported_at is not None:
        flash(_("This file has been imported. Upload it again to check it anew."), "info")
        return redirect(url_for("activities.activity_list"))
    try:
        register = preview_import(upload)
    except RegisterFileError as error:
        flash(describe_file_error(error), "error")
        return redirect(url_for("activities.import_upload"))
    return render_template(
        "activities/import_preview.html",
        upload=upload,
        register=register,
        form=ImportConfirmForm(),
    )


@bp.post("/import/<uuid:import_id>")
@requires_permission(Permission.catalogue_import)
def import_apply(import_id: uuid.UUID):
    upload = load_import(viewer=current_user, import_id=import_id)
    if upload.imported_at is not None:
        flash(_("This file has been imported. Upload it again to check it anew."), "info")
        return redirect(url_for("activities.activity_list"))
    if not ImportConfirmForm().validate_on_submit():
        return redirect(url_for("activities.import_preview", import_id=upload.id))
    try:
        outcome = apply_import(upload, by=current_user)
    except RegisterFileError as error:
        flash(describe_file_error(error), "error")
        return redirect(url_for("activities.import_upload"))
    flash(
        _(
            "Imported %(activities)s and %(clubs)s; %(skipped)s.",
            activities=ngettext(
                "%(num)d activity", "%(num)d activities", outcome.activities_created
            ),
            clubs=ngettext("%(num)d new club", "%(num)d new clubs", outcome.clubs_created),
            skipped=ngettext(
                "%(num)d row was left out", "%(num)d rows were left out", outcome.rows_skipped
            ),
        ),
        "success",
    )
    return redirect(url_for("activities.activity_list"))
