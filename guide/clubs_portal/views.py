"""The club contact's pages (/klubb): shared children, confirming a start, attendance worries."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from guide.access import requires_permission
from guide.clubs_portal.forms import ClubReportForm
from guide.clubs_portal.services import (
    confirm_start,
    load_shared_child,
    recent_withdrawals,
    report_absence,
    shared_children,
)
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
    return render_template("clubs_portal/child.html", child=row, form=ClubReportForm())


@bp.route("/klubb/barn/<uuid:child_id>/started", methods=["POST"])
@requires_permission(Permission.enrollment_confirm)
def started(child_id: uuid.UUID):
    row = load_shared_child(contact=current_user, child_id=child_id)
    if ClubReportForm().validate_on_submit():  # the CSRF and submission tokens only
        confirm_start(contact=current_user, child=row)
        flash(_("Thank you. The coordinator can see that the child has started."), "success")
    return _back(row.child_id)


@bp.route("/klubb/barn/<uuid:child_id>/absent", methods=["POST"])
@requires_permission(Permission.attendance_report)
def absent(child_id: uuid.UUID):
    row = load_shared_child(contact=current_user, child_id=child_id)
    if ClubReportForm().validate_on_submit():
        report_absence(contact=current_user, child=row)
        flash(_("Thank you. The coordinator will get in touch with the family."), "success")
    return _back(row.child_id)


def _back(child_id: uuid.UUID):
    return redirect(url_for("club_portal.child", child_id=child_id))
