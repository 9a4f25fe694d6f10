"""A child's activities on a case: suggestions, proposals, trial, start, end, main activity."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consent import age_on
from guide.access import requires_permission
from guide.activities.search import interests_of, suggest_activities
from guide.areas.services import nearby_area_ids
from guide.cases.models import Case
from guide.cases.services import load_case
from guide.catalogue.views import search_form
from guide.dates import local_date
from guide.enrollments.forms import ActionForm, EndForm, ProposeForm, StartForm
from guide.enrollments.services import (
    PROPOSING_STATUSES,
    EnrollmentRuleError,
    case_enrollments,
    end_enrollment,
    enroll,
    load_enrollment,
    load_proposable_activity,
    make_main,
    propose_activity,
    record_trial,
)
from guide.policy import Permission

bp = Blueprint("enrollments", __name__)

#: The list offers both: proposing, and recording what happened since.
ON_A_CASE = (Permission.activity_propose, Permission.enrollment_record)


@bp.get("/cases/<uuid:case_id>/activities")
@requires_permission(*ON_A_CASE)
def case_activities(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    enrollments = case_enrollments(case)
    return render_template(
        "enrollments/list.html",
        case=case,
        enrollments=enrollments,
        action_form=ActionForm(),
        may_propose=case.status in PROPOSING_STATUSES,
    )


@bp.get("/cases/<uuid:case_id>/suggestions")
@requires_permission(Permission.activity_propose)
def suggestions(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    child = case.child
    form, names = search_form(case.organisation_id)
    results = suggest_activities(
        organisation_id=case.organisation_id,
        interests=interests_of(case.interest_tags or [], case.interests_in_own_words),
        filters=form.filters(age=age_on(child.born_on, local_date()) if child else None),
        nearby_areas=nearby_area_ids(child.area_id if child else None),
        category_names=names,
    )
    return render_template(
        "enrollments/suggestions.html",
        case=case,
        form=form,
        suggestions=results,
        category_names=names,
        propose_form=ProposeForm(),
        may_propose=case.status in PROPOSING_STATUSES,
    )


@bp.post("/cases/<uuid:case_id>/activities/propose")
@requires_permission(Permission.activity_propose)
def propose(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    form = ProposeForm()
    if not form.validate_on_submit():
        return _refuse(case, _("Choose an activity to propose."))
    try:
        activity = load_proposable_activity(case, form.activity_uuid())
        propose_activity(case, activity, by=current_user)
    except EnrollmentRuleError as error:
        return _refuse(case, str(error))
    return _done(case, _("%(name)s is proposed.", name=activity.name))


@bp.post("/cases/<uuid:case_id>/activities/<uuid:enrollment_id>/trial")
@requires_permission(Permission.enrollment_record)
def trial(case_id: uuid.UUID, enrollment_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    enrollment = load_enrollment(case, enrollment_id)
    if not ActionForm().validate_on_submit():
        return _refuse(case, _("The form expired. Try again."))
    try:
        record_trial(enrollment, by=current_user)
    except EnrollmentRuleError as error:
        return _refuse(case, str(error))
    return _done(case, _("The free trial is recorded."))


@bp.route("/cases/<uuid:case_id>/activities/<uuid:enrollment_id>/start", methods=["GET", "POST"])
@requires_permission(Permission.enrollment_record)
def start(case_id: uuid.UUID, enrollment_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    enrollment = load_enrollment(case, enrollment_id)
    form = StartForm()
    if form.validate_on_submit():
        try:
            enroll(
                enrollment,
                by=current_user,
                started_on=form.started_on.data,
                is_own_choice=form.is_own_choice,
                is_main=form.is_main.data,
            )
        except EnrollmentRuleError as error:
            return _refuse(case, str(error))
        return _done(case, _("The child has started. The case is now active."))
    return render_template("enrollments/start.html", case=case, enrollment=enrollment, form=form)


@bp.route("/cases/<uuid:case_id>/activities/<uuid:enrollment_id>/end", methods=["GET", "POST"])
@requires_permission(Permission.enrollment_record)
def end(case_id: uuid.UUID, enrollment_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    enrollment = load_enrollment(case, enrollment_id)
    form = EndForm(started_on=enrollment.started_on)
    if form.validate_on_submit():
        try:
            end_enrollment(
                enrollment, by=current_user, ended_on=form.ended_on.data, reason=form.reason.data
            )
        except EnrollmentRuleError as error:
            return _refuse(case, str(error))
        return _done(case, _("The activity is recorded as ended."))
    return render_template("enrollments/end.html", case=case, enrollment=enrollment, form=form)


@bp.post("/cases/<uuid:case_id>/activities/<uuid:enrollment_id>/main")
@requires_permission(Permission.enrollment_record)
def main(case_id: uuid.UUID, enrollment_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    enrollment = load_enrollment(case, enrollment_id)
    if not ActionForm().validate_on_submit():
        return _refuse(case, _("The form expired. Try again."))
    try:
        make_main(enrollment, by=current_user)
    except EnrollmentRuleError as error:
        return _refuse(case, str(error))
    return _done(case, _("This is now the main activity."))


def _back(case_id: uuid.UUID):
    return redirect(url_for("enrollments.case_activities", case_id=case_id))


def _refuse(case: Case, message: str):
    # The services refuse before they change anything; only the audit of the read is kept.
    flash(message, "warning")
    return _back(case.id)


def _done(case: Case, message: str):
    flash(message, "success")
    return _back(case.id)
