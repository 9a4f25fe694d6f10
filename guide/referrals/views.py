"""The referral form and "My referrals" (referrers), and the intake queue (coordinators)."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from guide.access import requires_permission
from guide.areas.services import area_options
from guide.cases.labels import STATUS_LABELS, template_helpers
from guide.policy import Permission
from guide.referrals.forms import (
    CONSENT_RELATION_LABELS,
    DeclineForm,
    IntakeActionForm,
    MergeForm,
    ReferralForm,
)
from guide.referrals.services import (
    INTAKE_PATH,
    IntakeItem,
    ReferralStage,
    accept_referral,
    decline_referral,
    intake_queue,
    list_my_referrals,
    load_intake_item,
    load_merge_target,
    load_own_referral,
    merge_referral,
    submit_referral,
)

bp = Blueprint("referrals", __name__)

STAGE_LABELS = {
    ReferralStage.received: _l("Received"),
    ReferralStage.accepted: _l("Accepted"),
    ReferralStage.declined: _l("Declined"),
    ReferralStage.guide_assigned: _l("Guide assigned"),
    ReferralStage.activity_started: _l("Activity started"),
    ReferralStage.closed: _l("Closed"),
}


@bp.context_processor
def _labels() -> dict[str, object]:
    return {
        **template_helpers(),
        "stage_label": lambda stage: STAGE_LABELS[ReferralStage(stage)],
        "consent_relation_label": lambda value: CONSENT_RELATION_LABELS.get(value, value),
    }


# --- Referrers ---------------------------------------------------------------------------


@bp.route("/referrals/new", methods=["GET", "POST"])
@requires_permission(Permission.referral_create)
def new_referral():
    form = ReferralForm()
    form.area.set_areas(area_options(current_user.organisation_id))
    if form.validate_on_submit():
        referral = submit_referral(details=form.details(), referrer=current_user)
        flash(_("The referral is sent. The coordinator will look at it soon."), "success")
        return redirect(url_for("referrals.referral_status", referral_id=referral.id))
    status = 400 if request.method == "POST" else 200
    return render_template("referrals/new.html", form=form), status


@bp.route("/referrals")
@requires_permission(Permission.referral_view_status_own)
def my_referrals():
    referrals = list_my_referrals(referrer=current_user)
    return render_template("referrals/mine.html", referrals=referrals)


@bp.route("/referrals/<uuid:referral_id>")
@requires_permission(Permission.referral_view_status_own)
def referral_status(referral_id: uuid.UUID):
    progress = load_own_referral(referrer=current_user, referral_id=referral_id)
    return render_template("referrals/status.html", progress=progress)


# --- Coordinators ------------------------------------------------------------------------


@bp.route(INTAKE_PATH)
@requires_permission(Permission.referral_triage)
def intake():
    items = intake_queue(coordinator=current_user)
    return render_template("referrals/intake.html", items=items)


@bp.route(f"{INTAKE_PATH}/<uuid:referral_id>")
@requires_permission(Permission.referral_triage)
def intake_referral(referral_id: uuid.UUID):
    item = load_intake_item(coordinator=current_user, referral_id=referral_id)
    return _decision_page(item)


@bp.post(f"{INTAKE_PATH}/<uuid:referral_id>/accept")
@requires_permission(Permission.referral_triage)
def accept(referral_id: uuid.UUID):
    item = load_intake_item(coordinator=current_user, referral_id=referral_id)
    form = IntakeActionForm()
    if not form.validate_on_submit():
        return _decision_page(item, accept_form=form, status=400)
    case = accept_referral(item.referral, by=current_user, seen_version=form.version.data)
    # One step on: the accepted case's next need is a guide, so the coordinator lands there.
    flash(_("The referral is accepted. Choose a guide for the child now, or later."), "success")
    return redirect(url_for("assignment.assign", case_id=case.id))


@bp.post(f"{INTAKE_PATH}/<uuid:referral_id>/decline")
@requires_permission(Permission.referral_triage)
def decline(referral_id: uuid.UUID):
    item = load_intake_item(coordinator=current_user, referral_id=referral_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _decision_page(item, decline_form=form, status=400)
    decline_referral(
        item.referral,
        by=current_user,
        reason=form.decline_reason.data,
        seen_version=form.version.data,
    )
    return _decided(_("The referral is declined."))


@bp.post(f"{INTAKE_PATH}/<uuid:referral_id>/merge")
@requires_permission(Permission.referral_triage)
def merge(referral_id: uuid.UUID):
    item = load_intake_item(coordinator=current_user, referral_id=referral_id)
    form = _merge_form(item)
    if not form.validate_on_submit():
        return _decision_page(item, merge_form=form, status=400)
    target = load_merge_target(coordinator=current_user, case_id=form.into_case.data)
    merge_referral(item.referral, into=target, by=current_user, seen_version=form.version.data)
    return _decided(_("The referral is merged into the existing case."))


def _decided(done: str):
    flash(done, "success")
    return redirect(url_for("referrals.intake"))


def _merge_form(item: IntakeItem, form: MergeForm | None = None) -> MergeForm:
    form = form or MergeForm()
    form.into_case.choices = [
        SelectChoice(str(case.id), f"{case.reference} – {STATUS_LABELS[case.status]}")
        for case in item.merge_targets
    ]
    return form


def _decision_page(
    item: IntakeItem,
    *,
    accept_form: IntakeActionForm | None = None,
    decline_form: DeclineForm | None = None,
    merge_form: MergeForm | None = None,
    status: int = 200,
):
    version = item.referral.case.version if item.referral.case is not None else None
    accept_form = accept_form or IntakeActionForm(formdata=None, data={"version": version})
    decline_form = decline_form or DeclineForm(formdata=None, data={"version": version})
    merge_form = _merge_form(
        item, merge_form or MergeForm(formdata=None, data={"version": version})
    )
    return render_template(
        "referrals/intake_referral.html",
        item=item,
        accept_form=accept_form,
        decline_form=decline_form,
        merge_form=merge_form,
    ), status
