"""Assigning, replacing and removing a case's guide (coordinators)."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from guide.access import requires_permission
from guide.cases.assignment import (
    REASSIGNABLE_STATUSES,
    AssignmentRefused,
    assign_guide,
    guide_options,
    reassign_guide,
    unassign_guide,
)
from guide.cases.models import Case, CaseStatus
from guide.cases.services import load_case
from guide.cases.workflow import can_change
from guide.extensions import db
from guide.guides.forms import AssignGuideForm, UnassignGuideForm
from guide.guides.models import GuideProfile
from guide.policy import Permission

bp = Blueprint("assignment", __name__)

UNASSIGN_PREFIX = "unassign"


@bp.route("/cases/<uuid:case_id>/assignment", methods=["GET", "POST"])
@requires_permission(Permission.case_edit)
def assign(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    form = AssignGuideForm(version=case.version)
    if form.validate_on_submit():
        guide = db.session.get(GuideProfile, uuid.UUID(form.guide.data))
        action = assign_guide if case.assigned_guide_id is None else reassign_guide
        extra = {} if case.assigned_guide_id is None else {"note": form.note.data}
        try:
            if guide is None:
                raise AssignmentRefused(_("Choose a guide from the list."))
            action(case, guide, by=current_user, expected_version=form.version.data, **extra)
        except AssignmentRefused as refusal:  # raised before the service changes anything
            form.form_errors.append(str(refusal.message))
            return _page(case, form, status=400)
        flash(_("The guide is assigned and gets an e-mail."), "success")
        return redirect(url_for("cases.case_detail", case_id=case_id))
    return _page(case, form, status=400 if form.is_submitted() else 200)


@bp.post("/cases/<uuid:case_id>/assignment/remove")
@requires_permission(Permission.case_edit)
def unassign(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    form = UnassignGuideForm(prefix=UNASSIGN_PREFIX)
    if form.validate_on_submit():
        try:
            unassign_guide(
                case, by=current_user, expected_version=form.version.data, note=form.note.data
            )
        except AssignmentRefused as refusal:  # raised before the service changes anything
            form.form_errors.append(str(refusal.message))
        else:
            flash(_("The guide is removed from the case and can no longer open it."), "success")
            return redirect(url_for("assignment.assign", case_id=case_id))
    return _page(case, AssignGuideForm(formdata=None, version=case.version), form, status=400)


def _page(
    case: Case,
    form: AssignGuideForm,
    unassign_form: UnassignGuideForm | None = None,
    *,
    status: int = 200,
):
    if unassign_form is None:
        unassign_form = UnassignGuideForm(
            formdata=None, prefix=UNASSIGN_PREFIX, version=case.version
        )
    options = guide_options(case)
    form.guide.choices = [(str(s.guide.id), s.guide.user.full_name) for s in options.suggestions]
    has_guide = case.assigned_guide_id is not None
    return render_template(
        "cases/assign.html",
        case=case,
        form=form,
        unassign_form=unassign_form,
        options=options,
        can_choose=case.status == CaseStatus.accepted
        or (has_guide and case.status in REASSIGNABLE_STATUSES),
        can_unassign=has_guide and can_change(case, CaseStatus.accepted),
    ), status
