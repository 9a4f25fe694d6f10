"""Support pages: funds, a case's support, requests and decisions, payment list and exports."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from guide.access import requires_permission
from guide.audit.services import record_event
from guide.cases.models import Case
from guide.cases.services import load_case
from guide.dates import local_date
from guide.exports import Amount, csv_response
from guide.policy import Permission, allowed
from guide.support import overviews
from guide.support.forms import (
    ApproveForm,
    FundForm,
    GrantForm,
    PayForm,
    PaymentListForm,
    RejectForm,
)
from guide.support.loans import case_loans, loans_per_year
from guide.support.models import SupportGrant
from guide.support.services import (
    FUND_SOURCE_LABELS,
    KIND_LABELS,
    PAYEE_LABELS,
    REQUESTING_CASE_STATUSES,
    STATUS_LABELS,
    FundOverdrawn,
    SupportRuleError,
    active_funds,
    approve_grant,
    create_fund,
    enrolled_activities,
    fund_totals,
    grants_awaiting_action,
    list_funds,
    load_fund,
    load_grant,
    mark_paid,
    may_edit,
    reject_grant,
    request_grant,
    update_fund,
    update_grant,
)
from guide.web.responses import form_status

bp = Blueprint("support", __name__)

#: Guides on their assigned cases, coordinators on their organisation's.
ON_A_CASE = (Permission.support_request, Permission.support_approve)


@bp.context_processor
def support_labels() -> dict[str, Any]:
    return {
        "support_kind_label": lambda kind: KIND_LABELS[kind],
        "grant_status_label": lambda status: STATUS_LABELS[status],
        "payee_kind_label": lambda kind: PAYEE_LABELS[kind],
        "fund_source_label": lambda key: FUND_SOURCE_LABELS.get(key, key),
    }


# --- funds ---------------------------------------------------------------------------------


@bp.get("/funds")
@requires_permission(Permission.fund_manage)
def fund_list():
    funds = list_funds(organisation_id=current_user.organisation_id)
    return render_template("support/funds.html", funds=funds)


@bp.route("/funds/new", methods=["GET", "POST"])
@requires_permission(Permission.fund_manage)
def fund_new():
    form = FundForm(year=local_date().year)
    if form.validate_on_submit():
        fund = create_fund(
            organisation_id=current_user.organisation_id, by=current_user, details=form.details()
        )
        flash(_("The fund is set up."), "success")
        return redirect(url_for("support.fund_overview", fund_id=fund.id))
    return render_template("support/fund_form.html", form=form, fund=None)


@bp.route("/funds/<uuid:fund_id>/edit", methods=["GET", "POST"])
@requires_permission(Permission.fund_manage)
def fund_edit(fund_id: uuid.UUID):
    fund = load_fund(viewer=current_user, fund_id=fund_id)
    form = FundForm.for_fund(fund)
    if form.validate_on_submit():
        update_fund(fund, by=current_user, details=form.details())
        flash(_("The fund is saved."), "success")
        return redirect(url_for("support.fund_overview", fund_id=fund.id))
    return render_template("support/fund_form.html", form=form, fund=fund)


@bp.get("/funds/<uuid:fund_id>")
@requires_permission(Permission.fund_manage)
def fund_overview(fund_id: uuid.UUID):
    fund = load_fund(viewer=current_user, fund_id=fund_id)
    return render_template(
        "support/fund_overview.html",
        overview=overviews.fund_overview(fund),
        totals=fund_totals(fund),
    )


@bp.get("/funds/<uuid:fund_id>/export.csv")
@requires_permission(Permission.fund_manage)
def fund_export(fund_id: uuid.UUID):
    fund = load_fund(viewer=current_user, fund_id=fund_id)
    rows = overviews.fund_overview(fund).rows
    record_event("fund_overview_exported", actor=current_user, obj=fund)
    return csv_response(
        f"fund-{fund.year}-{fund.id.hex[:8]}.csv",
        [_("Month"), _("Kind"), _("Committed (approved, not paid)"), _("Paid")],
        (
            [
                row.month_key,
                str(KIND_LABELS[row.kind]),
                Amount(row.sums.committed),
                Amount(row.sums.paid),
            ]
            for row in rows
        ),
    )


# --- the coordinator's queue and the payment list -------------------------------------------


@bp.get("/support")
@requires_permission(Permission.support_approve)
def queue():
    grants = grants_awaiting_action(organisation_id=current_user.organisation_id)
    return render_template("support/queue.html", grants=grants)


def _payment_form() -> PaymentListForm:
    return PaymentListForm(
        formdata=request.args,
        clubs=overviews.payee_clubs(organisation_id=current_user.organisation_id),
        today=local_date(),
    )


def _payments(form: PaymentListForm) -> list[overviews.PaymentRow]:
    return overviews.payments(
        organisation_id=current_user.organisation_id,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
        timezone=current_app.extensions["fritidsguide.settings"].timezone,
        payee_club_id=form.payee_club_id(),
    )


@bp.get("/support/payments")
@requires_permission(Permission.support_approve)
def payments():
    form = _payment_form()
    rows = _payments(form) if form.validate() else None
    return render_template("support/payments.html", form=form, rows=rows)


@bp.get("/support/payments.csv")
@requires_permission(Permission.support_approve)
def payments_export():
    form = _payment_form()
    if not form.validate():
        return redirect(url_for("support.payments", **request.args))
    rows = _payments(form)
    record_event(
        "payment_list_exported",
        actor=current_user,
        details={
            "from": form.date_from.data.isoformat(),
            "to": form.date_to.data.isoformat(),
            "rows": len(rows),
        },
    )
    return csv_response(
        f"payments-{form.date_from.data.isoformat()}-{form.date_to.data.isoformat()}.csv",
        [_("Payee"), _("Organisation number"), _("Amount"), _("Payment reference"), _("Paid on")],
        (
            [
                row.payee,
                row.org_number,
                Amount(row.amount),
                row.reference,
                local_date(row.paid_at).isoformat(),
            ]
            for row in rows
        ),
    )


# --- a case's support ----------------------------------------------------------------------


@bp.get("/cases/<uuid:case_id>/support")
@requires_permission(*ON_A_CASE)
def case_support(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    overview = overviews.case_overview(case)
    loans = case_loans(case)
    return render_template(
        "support/case_support.html",
        case=case,
        overview=overview,
        may_request=case.status in REQUESTING_CASE_STATUSES,
        loans=loans,
        loans_per_year=loans_per_year(loans),
        today=local_date(),
    )


def _grant_form(case: Case, **kwargs: Any) -> GrantForm:
    return GrantForm(
        activities=enrolled_activities(case),
        funds=active_funds(organisation_id=case.organisation_id),
        **kwargs,
    )


@bp.route("/cases/<uuid:case_id>/support/new", methods=["GET", "POST"])
@requires_permission(*ON_A_CASE)
def grant_new(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    if case.status not in REQUESTING_CASE_STATUSES:
        return _refuse(case, _("Support can only be requested on an open case."))
    form = _grant_form(case, version=0)
    if form.validate_on_submit():
        try:
            grant = request_grant(case, by=current_user, details=form.details())
        except SupportRuleError as error:
            form.form_errors.append(str(error))
        else:
            return _commit_and_show(grant, _("The request is sent to the coordinator."))
    page = render_template("support/grant_form.html", case=case, form=form, grant=None)
    return page, form_status()


@bp.route("/cases/<uuid:case_id>/support/<uuid:grant_id>/edit", methods=["GET", "POST"])
@requires_permission(*ON_A_CASE)
def grant_edit(case_id: uuid.UUID, grant_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    grant = load_grant(case, grant_id)
    if not may_edit(grant, may_approve=allowed(current_user, Permission.support_approve)):
        return _refuse(case, _("A rejected or paid grant cannot be changed."), grant=grant)
    form = _grant_form(case)
    if not form.is_submitted():
        form.fill_from(grant)
    elif form.validate_on_submit():
        try:
            update_grant(
                grant, by=current_user, expected_version=form.version.data, details=form.details()
            )
        except SupportRuleError as error:
            form.form_errors.append(str(error))
        else:
            return _commit_and_show(grant, _("The grant is saved."))
    page = render_template("support/grant_form.html", case=case, form=form, grant=grant)
    return page, form_status()


@bp.get("/cases/<uuid:case_id>/support/<uuid:grant_id>")
@requires_permission(*ON_A_CASE)
def grant_detail(case_id: uuid.UUID, grant_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    grant = load_grant(case, grant_id)
    return _show_grant(case, grant)


def _show_grant(case: Case, grant: SupportGrant, **forms: Any):
    may_approve = allowed(current_user, Permission.support_approve)
    funds = active_funds(organisation_id=case.organisation_id) if may_approve else []
    defaults = {"formdata": None, "version": grant.version}
    forms.setdefault(
        "approve_form",
        ApproveForm(funds=funds, fund=str(grant.fund_id or ""), **defaults),
    )
    forms.setdefault("reject_form", RejectForm(**defaults))
    forms.setdefault("pay_form", PayForm(**defaults))
    return render_template(
        "support/grant_detail.html",
        case=case,
        grant=grant,
        may_approve=may_approve,
        may_edit=may_edit(grant, may_approve=may_approve),
        **forms,
    )


@bp.post("/cases/<uuid:case_id>/support/<uuid:grant_id>/approve")
@requires_permission(Permission.support_approve)
def approve(case_id: uuid.UUID, grant_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    grant = load_grant(case, grant_id)
    form = ApproveForm(funds=active_funds(organisation_id=case.organisation_id))
    if not form.validate_on_submit():
        return _show_grant(case, grant, approve_form=form)
    try:
        approve_grant(
            grant,
            by=current_user,
            expected_version=form.version.data,
            fund_id=form.fund_id(),
            override=form.override.data,
            override_reason=form.override_reason.data,
        )
    except FundOverdrawn as error:
        form.override.errors = [*form.override.errors, str(error)]
        return _show_grant(case, grant, approve_form=form)
    except SupportRuleError as error:
        return _refuse(case, str(error), grant=grant)
    return _commit_and_show(grant, _("The grant is approved."))


@bp.post("/cases/<uuid:case_id>/support/<uuid:grant_id>/reject")
@requires_permission(Permission.support_approve)
def reject(case_id: uuid.UUID, grant_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    grant = load_grant(case, grant_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _show_grant(case, grant, reject_form=form)
    try:
        reject_grant(
            grant, by=current_user, expected_version=form.version.data, reason=form.reason.data
        )
    except SupportRuleError as error:
        return _refuse(case, str(error), grant=grant)
    return _commit_and_show(grant, _("The request is rejected."))


@bp.post("/cases/<uuid:case_id>/support/<uuid:grant_id>/pay")
@requires_permission(Permission.support_approve)
def pay(case_id: uuid.UUID, grant_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    grant = load_grant(case, grant_id)
    form = PayForm()
    if not form.validate_on_submit():
        return _show_grant(case, grant, pay_form=form)
    try:
        mark_paid(
            grant,
            by=current_user,
            expected_version=form.version.data,
            payment_reference=form.payment_reference.data,
        )
    except SupportRuleError as error:
        return _refuse(case, str(error), grant=grant)
    return _commit_and_show(grant, _("The grant is marked as paid."))


def _grant_url(grant: SupportGrant) -> str:
    return url_for("support.grant_detail", case_id=grant.case_id, grant_id=grant.id)


def _refuse(case: Case, message: str, *, grant: SupportGrant | None = None):
    # Services refuse before they change anything; only the audit of the read is kept.
    flash(message, "warning")
    if grant is not None:
        return redirect(_grant_url(grant))
    return redirect(url_for("support.case_support", case_id=case.id))


def _commit_and_show(grant: SupportGrant, message: str):
    """Commit once; a concurrent change to the same grant is reported, never overwritten."""
    flash(message, "success")
    return redirect(_grant_url(grant))
