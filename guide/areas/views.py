"""The coordinator's and administrator's page for the organisation's areas (/areas)."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from guide.access import requires_permission
from guide.areas.forms import NEW_AREA, EditAreaForm, MapAreaNameForm, NewAreaForm
from guide.areas.services import (
    AreaDetails,
    AreaNameTaken,
    area_in,
    area_options,
    create_area,
    load_area,
    map_area_name,
    organisation_areas,
    unmapped_area_names,
    update_area,
)
from guide.policy import Permission
from guide.web.responses import form_status

bp = Blueprint("areas", __name__)


def _name_taken(form, error: AreaNameTaken) -> None:
    form.name.errors.append(
        _(
            "“%(spelling)s” is already the name or another spelling of an area.",
            spelling=error.spelling,
        )
    )


@bp.route("/areas", methods=["GET", "POST"])
@requires_permission(Permission.area_manage)
def area_list():
    organisation_id = current_user.organisation_id
    form = NewAreaForm()
    form.set_neighbour_choices(area_options(organisation_id))
    if form.validate_on_submit():
        try:
            area = create_area(
                organisation_id=organisation_id, details=form.details(), by=current_user
            )
        except AreaNameTaken as error:
            _name_taken(form, error)
        else:
            flash(_("The area %(name)s is added.", name=area.name), "success")
            return redirect(url_for("areas.area_list"))
    return render_template(
        "areas/list.html",
        form=form,
        areas=organisation_areas(organisation_id),
        unmapped=unmapped_area_names(organisation_id),
    ), form_status()


@bp.route("/areas/<uuid:area_id>", methods=["GET", "POST"])
@requires_permission(Permission.area_manage)
def edit_area(area_id: uuid.UUID):
    area = load_area(viewer=current_user, area_id=area_id)
    form = EditAreaForm(
        data={
            "name": area.name,
            "aliases": list(area.aliases or []),
            "neighbours": [str(neighbour.id) for neighbour in area.neighbours],
            "is_active": area.is_active,
            "version": area.version,
        }
    )
    form.set_neighbour_choices(
        [
            option
            for option in area_options(
                area.organisation_id, keep=[neighbour.id for neighbour in area.neighbours]
            )
            if option[0] != str(area.id)
        ]
    )
    if form.validate_on_submit():
        try:
            update_area(
                area,
                details=form.details(),
                is_active=bool(form.is_active.data),
                seen_version=form.version.data,
                by=current_user,
            )
        except AreaNameTaken as error:
            _name_taken(form, error)
        else:
            flash(_("The area %(name)s is saved.", name=area.name), "success")
            return redirect(url_for("areas.area_list"))
    return render_template("areas/edit.html", form=form, area=area), form_status()


@bp.route("/areas/unmapped", methods=["GET", "POST"])
@requires_permission(Permission.area_manage)
def map_names():
    organisation_id = current_user.organisation_id
    unmapped = unmapped_area_names(organisation_id)
    form = MapAreaNameForm(data={"name": request.args.get("name", "")})
    form.set_choices(names=[entry.name for entry in unmapped], areas=area_options(organisation_id))
    if form.validate_on_submit():
        name = form.name.data
        try:
            if form.area.data == NEW_AREA:
                area = create_area(
                    organisation_id=organisation_id,
                    details=AreaDetails(name=" ".join(name.split()), aliases=(), neighbour_ids=()),
                    by=current_user,
                )
            else:
                area = area_in(organisation_id, form.area_id)
        except AreaNameTaken as error:
            form.area.errors.append(
                _(
                    "“%(spelling)s” is already the name or another spelling of an area.",
                    spelling=error.spelling,
                )
            )
        else:
            map_area_name(organisation_id=organisation_id, name=name, area=area, by=current_user)
            flash(_("“%(name)s” is now the area %(area)s.", name=name, area=area.name), "success")
            return redirect(url_for("areas.area_list"))
    return render_template("areas/unmapped.html", form=form, unmapped=unmapped), form_status()
