"""The club contact's pages (/klubb): shared children, confirming a start, attendance worries."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from guide.access import requires_permission
from guide.clubs_portal.forms import ClubReportForm, TakeBackForm
from guide.clubs_portal.models import ClubReportKind
from guide.clubs_portal.services import (
    ClubReportError,
    latest_reports,
    load_shared_child,
    may_take_back,
    recent_withdrawals,
    report_case,
    report_of_today,
    send_report,
    shared_children,
    take_back,
)
from guide.dates import local_date
from guide.policy import Permission

bp = Blueprint("club_portal", __name__)


@bp.route("/klubb")
@requires_permission(Permission.shared_child_view)
def children():
    rows = shared_children(contact=current_user)
    withdrawn = recent_withdrawals(contact=current_user)
    return render_template("clubs_portal/children.html", children=rows, withdrawn=withdrawn)


@bp.route("/klubb/barn/<uuid:child_id>")
@requires_permission(Permission.shared_child_view)
def child(child_id: uuid.UUID):
    row = load_shared_child(contact=current_user, child_id=child_id)
    case = report_case(row)
    return render_template(
        "clubs_portal/child.html",
        child=row,
        has_case=case is not None,
        reports=latest_reports(contact=current_user, case=case),
        may_take_back=may_take_back,
        take_back_form=TakeBackForm(),
        today=local_date(),
    )


@bp.route("/klubb/barn/<uuid:child_id>/started", methods=["GET", "POST"])
@requires_permission(Permission.enrollment_confirm)
def started(child_id: uuid.UUID):
    return _report(child_id, ClubReportKind.started)


@bp.route("/klubb/barn/<uuid:child_id>/absent", methods=["GET", "POST"])
@requires_permission(Permission.attendance_report)
def absent(child_id: uuid.UUID):
    return _report(child_id, ClubReportKind.absent)


@bp.route("/klubb/barn/<uuid:child_id>/started/take-back", methods=["POST"])
@requires_permission(Permission.enrollment_confirm)
def take_back_start(child_id: uuid.UUID):
    return _take_back(child_id, ClubReportKind.started)


@bp.route("/klubb/barn/<uuid:child_id>/absent/take-back", methods=["POST"])
@requires_permission(Permission.attendance_report)
def take_back_absence(child_id: uuid.UUID):
    return _take_back(child_id, ClubReportKind.absent)


def _report(child_id: uuid.UUID, kind: ClubReportKind):
    """The confirmation step: what happens, an optional note, then send (once a day)."""
    row = load_shared_child(contact=current_user, child_id=child_id)
    case = report_case(row)
    if case is None:
        flash(_("The child has no open case with the scheme. Contact the coordinator."), "warning")
        return _back(child_id)
    if report_of_today(case, current_user.club_id, kind) is not None:
        flash(_("This was already sent today. You can see it below."), "info")
        return _back(child_id)
    form = ClubReportForm()
    if form.validate_on_submit():
        _sent, is_new = send_report(
            contact=current_user, child=row, case=case, kind=kind, note=form.note.data
        )
        if is_new:
            flash(_("Sent. The coordinator and the child's guide have been told."), "success")
        else:
            flash(_("This was already sent today. You can see it below."), "info")
        return _back(child_id)
    return render_template("clubs_portal/report_form.html", child=row, form=form, kind=kind)


def _take_back(child_id: uuid.UUID, kind: ClubReportKind):
    row = load_shared_child(contact=current_user, child_id=child_id)
    case = report_case(row)
    report = report_of_today(case, current_user.club_id, kind) if case is not None else None
    if TakeBackForm().validate_on_submit():  # the CSRF token only
        if report is None:
            flash(_("There is no report from today to take back."), "warning")
            return _back(child_id)
        try:
            take_back(report, by=current_user)
        except ClubReportError as refused:
            flash(str(refused), "warning")
        else:
            flash(
                _("The report is taken back. The coordinator and the guide no longer see it."),
                "success",
            )
    return _back(child_id)


def _back(child_id: uuid.UUID):
    return redirect(url_for("club_portal.child", child_id=child_id))
