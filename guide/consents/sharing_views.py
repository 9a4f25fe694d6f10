"""Staff pages on a case: send the guardian a consent link, and share the child with a club."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from guide.access import requires_permission
from guide.cases.models import Case
from guide.cases.services import load_case
from guide.consents.labels import template_helpers
from guide.consents.links import (
    VALID_FOR,
    LinkRefused,
    check_mailable,
    create_link,
    guardian_link_language,
    link_address,
    load_guardian,
    qr_code_svg,
    send_link,
)
from guide.consents.services import organisation_clubs
from guide.consents.sharing import ShareRefused, share_with_club
from guide.consents.sharing_forms import DELIVERY_EMAIL, CreateLinkForm, ShareForm
from guide.enrollments.services import current_club_id
from guide.policy import Permission
from guide.submissions import remember_result
from guide.web.responses import form_status

bp = Blueprint("sharing", __name__)
bp.context_processor(template_helpers)


@bp.route("/cases/<uuid:case_id>/consent-link", methods=["GET", "POST"])
@requires_permission(Permission.consent_record)
def consent_link(case_id: uuid.UUID):
    case = _case_with_child(case_id)
    form = CreateLinkForm()
    form.guardian.choices = [
        SelectChoice(str(guardian.id), guardian.full_name) for guardian in case.child.guardians
    ]
    if not form.is_submitted() and case.child.guardians:
        form.language.data = guardian_link_language(case.child.guardians[0])
    if form.validate_on_submit():
        guardian = load_guardian(case.child, form.guardian.data)
        try:
            if guardian is None:
                raise LinkRefused(_("Choose one of the child's guardians."))
            if form.delivery.data == DELIVERY_EMAIL:
                check_mailable(guardian)
            link, token = create_link(
                child=case.child,
                guardian=guardian,
                purpose=form.purpose.data,
                by=current_user,
                language=form.chosen_language,
            )
            if form.delivery.data == DELIVERY_EMAIL:
                send_link(link, token, guardian=guardian, by=current_user)
        except LinkRefused as error:
            form.form_errors.append(str(error))
        else:
            # The token is shown only now; a repeat of this submission lands on the case.
            remember_result(url_for("cases.case_detail", case_id=case.id))
            address = link_address(token)
            return render_template(
                "consents/link_created.html",
                case=case,
                link=link,
                address=address,
                qr_svg=qr_code_svg(address),
                emailed=form.delivery.data == DELIVERY_EMAIL,
                days=VALID_FOR.days,
            )
    return render_template("consents/link_form.html", case=case, form=form), form_status()


@bp.route("/cases/<uuid:case_id>/share", methods=["GET", "POST"])
@requires_permission(Permission.club_share)
def share(case_id: uuid.UUID):
    case = _case_with_child(case_id)
    clubs = {str(club.id): club for club in organisation_clubs(case.organisation_id)}
    form = ShareForm()
    form.club.choices = [SelectChoice("", _("Choose a club"))] + [
        SelectChoice(key, club.name) for key, club in clubs.items()
    ]
    if not form.is_submitted():
        # The club the child goes to (or is about to try) is nearly always the one meant.
        club_id = current_club_id(case)
        form.club.data = str(club_id) if club_id is not None else None
    refusals: list[str] = []
    if form.validate_on_submit():
        try:
            share_with_club(
                child=case.child,
                club=clubs[form.club.data],
                categories=form.chosen_categories(),
                by=current_user,
            )
        except ShareRefused as error:
            refusals = error.messages()
        else:
            flash(_("The club can now see what you shared."), "success")
            return redirect(url_for("cases.case_detail", case_id=case.id))
    status = 400 if refusals or form.errors else 200
    return render_template(
        "consents/share_form.html", case=case, form=form, refusals=refusals
    ), status


def _case_with_child(case_id: uuid.UUID) -> Case:
    case = load_case(viewer=current_user, case_id=case_id)
    if case.child is None:  # erased: nothing left to ask about or share
        abort(404)
    return case
