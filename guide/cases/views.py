"""The coordinator's case list and the case page."""

import uuid

from flask import Blueprint, render_template, request
from flask_login import current_user

from guide.access import requires
from guide.accounts.models import Role
from guide.cases.labels import template_helpers
from guide.cases.services import list_cases, load_case
from guide.extensions import db

bp = Blueprint("cases", __name__)
bp.app_context_processor(template_helpers)


@bp.route("/cases")
@requires(Role.coordinator)
def case_list():
    page = list_cases(viewer=current_user, cursor=request.args.get("after"))
    db.session.commit()
    return render_template("cases/list.html", page=page)


@bp.route("/cases/<uuid:case_id>")
@requires(Role.coordinator, Role.guide)
def case_detail(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    db.session.commit()
    return render_template("cases/detail.html", case=case)
