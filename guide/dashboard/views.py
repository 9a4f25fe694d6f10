"""The coordinator's dashboard page."""

from flask import Blueprint, render_template
from flask_login import current_user

from guide.access import requires_permission
from guide.consents.answers import dashboard_family_answers
from guide.dashboard.services import dashboard_for
from guide.policy import Permission
from guide.support.loans import dashboard_overdue_loans

bp = Blueprint("dashboard", __name__)

#: The intake queue belongs to the referrals feature; link to it once it is registered.


@bp.route("/dashboard")
@requires_permission(Permission.case_list)
def dashboard():
    board = dashboard_for(viewer=current_user)
    overdue_loans = dashboard_overdue_loans(viewer=current_user)
    return render_template(
        "dashboard/dashboard.html",
        board=board,
        overdue_loans=overdue_loans,
        family_answers=dashboard_family_answers(viewer=current_user),
    )
