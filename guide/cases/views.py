"""Case pages: the coordinator's list and search, the case page, visits, follow-ups, closing,
and the guide's "My children"."""

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from guide.access import requires_permission
from guide.cases.closing import can_close, can_reopen, close_case, reopen_case
from guide.cases.followups import complete_follow_up, load_open_follow_up
from guide.cases.forms import (
    CaseFilterForm,
    CloseCaseForm,
    FindCaseForm,
    FollowUpDoneForm,
    PracticalNeedsForm,
    ReopenCaseForm,
    VisitForm,
)
from guide.cases.labels import template_helpers
from guide.cases.models import Case
from guide.cases.page import case_details
from guide.cases.practical_needs import update_practical_needs
from guide.cases.services import (
    area_choices,
    find_cases_by_identity,
    find_cases_by_reference,
    list_cases,
    load_case,
    my_cases,
)
from guide.cases.visits import can_log_visit, log_visit
from guide.consents.answers import latest_answer, may_send_consent_link
from guide.dates import local_date
from guide.policy import Permission, allowed
from guide.validation.versions import check_version

bp = Blueprint("cases", __name__)
bp.app_context_processor(template_helpers)


@bp.route("/cases", methods=["GET", "POST"])
@requires_permission(Permission.case_list)
def case_list():
    # A search is posted, so no part of a child's name is in an address or a server log.
    posted = request.method == "POST"
    form = CaseFilterForm(formdata=request.form if posted else request.args)
    form.set_choices(areas=area_choices(viewer=current_user))
    form.validate()
    search = form.search() if posted else None
    order = form.order()
    page = list_cases(
        viewer=current_user,
        cursor=(request.form if posted else request.args).get("after"),
        filters=form.filters(),
        search=search,
        order=order,
    )
    return render_template(
        "cases/list.html",
        page=page,
        form=form,
        order=order,
        searching=search is not None,
        filter_args=form.query_args(),
    )


@bp.route("/cases/find", methods=["GET", "POST"])
@requires_permission(Permission.case_list)
def find_case():
    # POST, so names and birth dates never appear in an address or a server log.
    form = FindCaseForm()
    results = None
    if form.validate_on_submit():
        if form.by_reference:
            results = find_cases_by_reference(viewer=current_user, reference=form.reference.data)
        else:
            results = find_cases_by_identity(
                viewer=current_user,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                birth_date=form.birth_date.data,
            )
    return render_template("cases/find.html", form=form, results=results)


@bp.route("/cases/<uuid:case_id>")
@requires_permission(Permission.case_view)
def case_detail(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    details = case_details(case, viewer=current_user)
    may_edit = allowed(current_user, Permission.case_edit)
    return render_template(
        "cases/detail.html",
        case=case,
        details=details,
        may_edit=may_edit,
        may_edit_practical_needs=allowed(current_user, Permission.practical_needs_write),
        may_log_visit=allowed(current_user, Permission.visit_log) and can_log_visit(case),
        may_close=can_close(case),
        family_answer=latest_answer(case),
        may_send_link=may_send_consent_link(case, viewer=current_user),
        # Built only where it is shown: a form costs more than the rest of the decisions.
        reopen_form=ReopenCaseForm(version=case.version) if may_edit and can_reopen(case) else None,
    )


@bp.route("/cases/<uuid:case_id>/visits/new", methods=["GET", "POST"])
@requires_permission(Permission.visit_log)
def log_visit_view(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    if not can_log_visit(case):
        return _refuse(case, _("Visits can only be logged on an open case with a guide."))
    form = VisitForm(today=local_date(), earliest=local_date(case.referred_at))
    if form.validate_on_submit():
        log_visit(
            case,
            by=current_user,
            kind=form.kind.data,
            occurred_on=form.occurred_on.data,
            duration_minutes=form.duration_minutes.data,
            notes=form.notes.data,
            child_words=form.child_words.data,
        )
        return _done(case, _("The visit is logged."))
    return render_template("cases/visit_form.html", case=case, form=form)


@bp.route("/cases/<uuid:case_id>/follow-ups/<uuid:follow_up_id>", methods=["GET", "POST"])
@requires_permission(Permission.follow_up_complete)
def follow_up_done(case_id: uuid.UUID, follow_up_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    follow_up = load_open_follow_up(case, follow_up_id)
    form = FollowUpDoneForm()
    if form.validate_on_submit():
        complete_follow_up(follow_up, by=current_user, note=form.note.data)
        return _done(case, _("The follow-up is marked as done."))
    return render_template("cases/follow_up_form.html", case=case, follow_up=follow_up, form=form)


@bp.route("/cases/<uuid:case_id>/close", methods=["GET", "POST"])
@requires_permission(Permission.case_edit)
def close(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    if not can_close(case):
        return _refuse(case, _("This case cannot be closed from its current status."))
    form = CloseCaseForm(version=case.version)
    if form.validate_on_submit():
        check_version(case, form.version.data)
        close_case(case, by=current_user, reason=form.reason.data, note=form.note.data)
        return _done(case, _("The case is closed."))
    return render_template("cases/close_form.html", case=case, form=form)


@bp.route("/cases/<uuid:case_id>/reopen", methods=["POST"])
@requires_permission(Permission.case_edit)
def reopen(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    form = ReopenCaseForm()
    if not can_reopen(case) or not form.validate_on_submit():
        return _refuse(case, _("Only a closed case can be reopened."))
    check_version(case, form.version.data)
    reopen_case(case, by=current_user)
    return _done(case, _("The case is reopened."))


@bp.route("/cases/<uuid:case_id>/practical-needs", methods=["GET", "POST"])
@requires_permission(Permission.practical_needs_write)
def practical_needs(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    form = PracticalNeedsForm(version=case.version, practical_needs=case.practical_needs)
    if form.validate_on_submit():
        check_version(case, form.version.data)
        update_practical_needs(case, by=current_user, text=form.practical_needs.data)
        return _done(case, _("The note for the club is saved."))
    return render_template("cases/practical_needs_form.html", case=case, form=form)


@bp.route("/my-cases", endpoint="my_cases")
@requires_permission(Permission.case_view)
def my_cases_view():
    rows = my_cases(viewer=current_user)
    return render_template("cases/my_cases.html", rows=rows)


def _refuse(case: Case, message: str):
    flash(message, "warning")
    return redirect(url_for("cases.case_detail", case_id=case.id))


def _done(case: Case, message: str):
    flash(message, "success")
    return redirect(url_for("cases.case_detail", case_id=case.id))
