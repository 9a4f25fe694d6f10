"""Consent pages of a case: the overview, recording a consent or a withdrawal, the scan,
and the printable form. There is deliberately no route that edits or deletes a consent."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from consent import CHILD_OWN_CONSENT_AGE, may_consent_alone
from guide.access import requires_permission
from guide.audit.services import record_event
from guide.cases.models import Case, Child
from guide.cases.services import load_case
from guide.consents.answers import answers_of_child, may_send_consent_link
from guide.consents.forms import (
    CHILD_CONSENTS,
    ConsentForm,
    PrintableConsentForm,
    WithdrawalForm,
)
from guide.consents.labels import template_helpers
from guide.consents.models import ConsentBasis
from guide.consents.pdf import consent_form_pdf
from guide.consents.services import (
    ConsentRefused,
    chosen_recipient,
    consent_overview,
    load_consent,
    organisation_clubs,
    record_consent,
    withdraw_consent,
)
from guide.consents.uploads import download_name
from guide.dates import local_date
from guide.policy import Permission, allowed

bp = Blueprint("consents", __name__)
bp.context_processor(template_helpers)


@bp.route("/cases/<uuid:case_id>/consents")
@requires_permission(Permission.case_view)
def overview(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    child = _child_of(case)
    summary = consent_overview(case=case, viewer=current_user)
    return render_template(
        "consents/overview.html",
        case=case,
        child=child,
        summary=summary,
        family_answers=answers_of_child(child.id),
        may_send_link=may_send_consent_link(case, viewer=current_user),
        may_record=allowed(current_user, Permission.consent_record),
        may_download=allowed(current_user, Permission.consent_scan_download),
    )


@bp.route("/cases/<uuid:case_id>/consents/new", methods=["GET", "POST"])
@requires_permission(Permission.consent_record)
def record(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    child = _child_of(case)
    chosen = chosen_recipient(request.args.get("recipient"), organisation_id=case.organisation_id)
    if chosen is None:
        return _choose_recipient(case, "consents.record", _("Record a consent"))
    recipient, club = chosen
    form = ConsentForm(recipient=recipient, consenters=_consenters(child), today=local_date())
    if form.validate_on_submit():
        try:
            record_consent(**_consent_arguments(form, child, club))
        except ConsentRefused as refusal:
            form.form_errors.append(str(refusal))
        else:
            flash(_("The consent is recorded."), "success")
            return redirect(url_for("consents.overview", case_id=case.id))
    return render_template(
        "consents/record.html", case=case, form=form, recipient=recipient, club=club
    )


@bp.route("/cases/<uuid:case_id>/consents/<uuid:consent_id>/withdraw", methods=["GET", "POST"])
@requires_permission(Permission.consent_record)
def withdraw(case_id: uuid.UUID, consent_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    consent = load_consent(case=case, consent_id=consent_id)
    form = WithdrawalForm(data=None if request.method == "POST" else _withdrawal_defaults(consent))
    if consent.withdrawal is None and form.validate_on_submit():
        try:
            withdraw_consent(
                consent,
                by=current_user,
                channel=form.channel.data,
                withdrawn_by_name=form.withdrawn_by_name.data,
            )
        except ConsentRefused as refusal:
            form.form_errors.append(str(refusal))
        else:
            flash(_("The consent is withdrawn. It stopped counting at once."), "success")
            return redirect(url_for("consents.overview", case_id=case.id))
    return render_template("consents/withdraw.html", case=case, consent=consent, form=form)


@bp.route("/cases/<uuid:case_id>/consents/<uuid:consent_id>/scan")
@requires_permission(Permission.consent_scan_download)
def download_scan(case_id: uuid.UUID, consent_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    consent = load_consent(case=case, consent_id=consent_id)
    if consent.scan_content_type is None:
        abort(404)
    record_event("consent_scan_downloaded", actor=current_user, obj=consent)
    name = download_name(consent.scan_content_type, case.reference)
    return Response(
        consent.scan,
        mimetype=consent.scan_content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


@bp.route("/cases/<uuid:case_id>/consents/printable")
@requires_permission(Permission.consent_record)
def printable(case_id: uuid.UUID):
    case = load_case(viewer=current_user, case_id=case_id)
    child = _child_of(case)
    chosen = chosen_recipient(request.args.get("recipient"), organisation_id=case.organisation_id)
    if chosen is None:
        return _choose_recipient(case, "consents.printable", _("Print a consent form"))
    recipient, club = chosen
    form = PrintableConsentForm(request.args, recipient=recipient)
    if "language" not in request.args or not form.validate():
        if "language" not in request.args:
            form.language.data = _guardian_language(child)
        return render_template(
            "consents/printable.html", case=case, form=form, recipient=recipient, club=club
        )
    pdf = consent_form_pdf(
        organisation_name=case.organisation.name,
        child_first_name=child.first_name,
        club_name=club.name if club is not None else None,
        purpose=form.purpose.data,
        categories=form.categories.data,
        language=form.language.data,
    )
    record_event(
        "consent_form_printed",
        actor=current_user,
        obj=case,
        details={
            "language": form.language.data,
            "club_id": recipient.club_id,
            "categories": sorted(form.categories.data),
        },
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="consent-{case.reference}.pdf"',
            "Cache-Control": "no-store",
        },
    )


def _child_of(case: Case) -> Child:
    if case.child is None:  # erased: nothing to consent to any more
        abort(404)
    return case.child


def _choose_recipient(case: Case, endpoint: str, title: str):
    return render_template(
        "consents/choose_recipient.html",
        case=case,
        endpoint=endpoint,
        title=title,
        clubs=organisation_clubs(case.organisation_id),
    )


def _consenters(child: Child) -> list[SelectChoice]:
    """Guardians with parental responsibility, and the child itself from its consent age."""
    choices = [
        SelectChoice(str(guardian.id), guardian.full_name)
        for guardian in child.guardians
        if guardian.has_parental_responsibility
    ]
    if may_consent_alone(child.born_on, local_date()):
        label = _("The child (%(age)d or older)", age=CHILD_OWN_CONSENT_AGE)
        choices.append(SelectChoice(CHILD_CONSENTS, label))
    return choices


def _consent_arguments(form: ConsentForm, child: Child, club) -> dict:
    by_child = form.consenter.data == CHILD_CONSENTS
    guardian = next((g for g in child.guardians if str(g.id) == form.consenter.data), None)
    return {
        "child": child,
        "by": current_user,
        "guardian": None if by_child else guardian,
        "basis": ConsentBasis.child_own if by_child else ConsentBasis.parental_responsibility,
        "child_heard": None if by_child else form.child_heard.data == "yes",
        "child_view": form.child_view.data,
        "purpose": form.purpose.data,
        "categories": form.categories.data,
        "club": club,
        "method": form.method.data,
        "text_version": form.text_version.data,
        "text_language": form.text_language.data,
        "given_at": form.given_at,
        "valid_until": form.valid_until_at,
        "scan": form.checked_scan,
    }


def _withdrawal_defaults(consent) -> dict:
    return {"withdrawn_by_name": consent.given_by_name}


def _guardian_language(child: Child) -> str:
    languages = [guardian.preferred_language for guardian in child.guardians]
    return next(iter(languages), "nb")
