"""The To do page (the signed-in person's tasks, marked done and not done) and the e-mail choice."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from guide.access import requires_permission
from guide.policy import Permission
from guide.tasks.forms import TASK_EMAIL_LABELS, TaskEmailForm, TaskStateForm
from guide.tasks.kinds import rule_for, sentence_for
from guide.tasks.services import (
    choose_task_email,
    load_task,
    mark_task,
    open_task_count,
    todo_list,
)

bp = Blueprint("tasks", __name__)


@bp.route("/todo")
@requires_permission(Permission.account_own)
def todo():
    return _todo_page()


def _todo_page(state_form: TaskStateForm | None = None):
    return render_template(
        "tasks/todo.html",
        todo=todo_list(current_user),
        state_form=state_form,
        sentence_for=sentence_for,
        rule_for=rule_for,
        email_choice=TASK_EMAIL_LABELS[current_user.task_email],
    )


@bp.route("/todo/<uuid:task_id>/done", methods=["POST"])
@requires_permission(Permission.account_own)
def mark_done(task_id: uuid.UUID):
    return _mark(task_id, done=True, message=_("The task is marked as done."))


@bp.route("/todo/<uuid:task_id>/not-done", methods=["POST"])
@requires_permission(Permission.account_own)
def mark_not_done(task_id: uuid.UUID):
    return _mark(task_id, done=False, message=_("The task is marked as not done."))


def _mark(task_id: uuid.UUID, *, done: bool, message: str):
    task = load_task(viewer=current_user, task_id=task_id)
    form = TaskStateForm()
    if form.validate_on_submit():
        mark_task(task, done=done, by=current_user, seen_version=form.version.data)
        flash(message, "success")
        return redirect(url_for("tasks.todo"))
    return _todo_page(state_form=form)  # 400, with the form's message at the top


@bp.route("/account", methods=["GET", "POST"])
@requires_permission(Permission.account_own)
def account():
    form = TaskEmailForm(task_email=current_user.task_email.value, seen=current_user.task_email)
    if form.validate_on_submit():
        choose_task_email(current_user, form.task_email.data, seen=form.seen.data)
        flash(_("Your choice is saved."), "success")
        return redirect(url_for("tasks.account"))
    return render_template("tasks/account.html", form=form)


@bp.app_template_global("open_task_count")
def open_task_count_of_current_user() -> int:
    """The menu's count: the signed-in person's open tasks."""
    return open_task_count(current_user) if current_user.is_authenticated else 0
