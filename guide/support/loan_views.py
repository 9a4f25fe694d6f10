"""Equipment loans on a case (guides on their cases, coordinators) and the item register."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from guide.access import requires_permission
from guide.cases.models import Case
from guide.cases.services import load_case
from guide.dates import local_date
from guide.policy import Permission
from guide.support.loan_forms import (
    ItemFilterForm,
    ItemForm,
    LoanForm,
    ReturnForm,
    template_helpers,
)
from guide.support.loans import (
    LoanRefused,
    add_item,
    available_items,
    can_lend,
    case_loans,
    lend_equipment,
    list_items,
    load_item,
    load_loan,
    mark_returned,
    update_item,
)

bp = Blueprint("loans", __name__)
bp.app_context_processor(template_helpers)


@bp.get("/cases/<uuid:case_id>/loans")
@requires_permission(Permission.support_request)
def case_loans_view(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    loans = case_loans(case)
    return render_template(
        "support/case_loans.html",
        case=case,
        loans=loans,
        today=local_date(),
        may_lend=can_lend(case),
    )


@bp.route("/cases/<uuid:case_id>/loans/new", methods=["GET", "POST"])
@requires_permission(Permission.support_request)
def new_loan(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    if not can_lend(case):
        return _back_to_loans(case, _("Equipment can only be lent on an open case."), "warning")
    form = LoanForm(today=local_date(), items=available_items(organisation_id=case.organisation_id))
    if form.validate_on_submit():
        try:
            lend_equipment(
                case,
                by=current_user,
                source=form.source.data,
                item=form.chosen_item,
                item_type=form.item_type.data,
                size=form.size.data,
                condition=form.condition.data,
                lent_on=form.lent_on.data,
                due_on=form.due_on.data,
                note=form.note.data,
            )
        except LoanRefused as refusal:  # raised before anything is changed
            _show_refusal(form, refusal)
        else:
            return _back_to_loans(case, _("The loan is registered."))
    return render_template("support/loan_form.html", case=case, form=form)


@bp.route("/cases/<uuid:case_id>/loans/<uuid:loan_id>/return", methods=["GET", "POST"])
@requires_permission(Permission.support_request)
def return_loan(case_id: uuid.UUID, loan_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    loan = load_loan(case, loan_id)
    if loan.returned_on is not None:
        return _back_to_loans(case, _("This loan is already marked as returned."), "info")
    form = ReturnForm(today=local_date(), lent_on=loan.lent_on)
    if form.validate_on_submit():
        try:
            mark_returned(loan, by=current_user, returned_on=form.returned_on.data)
        except LoanRefused as refusal:  # raised before anything is changed
            _show_refusal(form, refusal)
        else:
            return _back_to_loans(case, _("The loan is marked as returned."))
    return render_template("support/return_form.html", case=case, loan=loan, form=form)


@bp.get("/equipment")
@requires_permission(Permission.equipment_manage)
def items():
    form = ItemFilterForm(formdata=request.args)
    form.validate()
    rows = list_items(organisation_id=current_user.organisation_id, filters=form.filters())
    return render_template("support/items.html", rows=rows, form=form)


@bp.route("/equipment/new", methods=["GET", "POST"])
@requires_permission(Permission.equipment_manage)
def new_item():
    form = ItemForm()
    if form.validate_on_submit():
        add_item(
            by=current_user, name=form.name.data, size=form.size.data, condition=form.condition.data
        )
        flash(_("The item is added to the register."), "success")
        return redirect(url_for("loans.items"))
    return render_template("support/item_form.html", form=form, item=None)


@bp.route("/equipment/<uuid:item_id>", methods=["GET", "POST"])
@requires_permission(Permission.equipment_manage)
def edit_item(item_id: uuid.UUID):
    item = load_item(viewer=current_user, item_id=item_id)
    form = ItemForm(obj=item)
    if form.validate_on_submit():
        update_item(
            item,
            by=current_user,
            name=form.name.data,
            size=form.size.data,
            condition=form.condition.data,
        )
        flash(_("The item is saved."), "success")
        return redirect(url_for("loans.items"))
    return render_template("support/item_form.html", form=form, item=item)


def _show_refusal(form, refusal: LoanRefused) -> None:
    """Put the service's refusal beside its field, or above the form."""
    field = getattr(form, refusal.field, None) if refusal.field else None
    if field is not None:
        field.errors = [*field.errors, refusal.message]
    else:
        form.form_errors.append(refusal.message)


def _back_to_loans(case: Case, message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for("loans.case_loans_view", case_id=case.id))
