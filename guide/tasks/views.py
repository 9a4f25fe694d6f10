"""The To do page: the signed-in person's tasks, marked done and not done."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from guide.access import requires_permission
from guide.extensions import db
from guide.policy import Permission
from guide.tasks.services import visible_tasks

bp = Blueprint("tasks", __name__)


@bp.route("/todo")
@requires_permission(Permission.account_own)
def todo():
    tasks = db.session.scalars(visible_tasks(current_user)).all()
    return render_template("tasks/todo.html", tasks=tasks)
