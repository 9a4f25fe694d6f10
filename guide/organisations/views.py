"""The administrator's page for the organisation's own settings (/organisation/settings).

There is no organisation id in the address: the page always shows the signed-in
administrator's own organisation, so another organisation's settings have no URL to reach.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from guide.access import requires_permission
from guide.extensions import db
from guide.organisations.forms import OrganisationSettingsForm, months_in_words
from guide.organisations.services import LIMITS, update_organisation_settings
from guide.policy import Permission
from guide.tenant import Organisation
from guide.web.responses import form_status

bp = Blueprint("organisations", __name__)


@bp.route("/organisation/settings", methods=["GET", "POST"])
@requires_permission(Permission.organisation_settings)
def settings_page():
    organisation = db.session.get(Organisation, current_user.organisation_id)
    if organisation is None:
        abort(404)
    form = OrganisationSettingsForm.for_organisation(organisation)
    if form.validate_on_submit():
        changed = update_organisation_settings(
            organisation, values=form.settings_values(), by=current_user
        )
        flash(_("The settings are saved.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("organisations.settings_page"))
    page = render_template(
        "organisations/settings.html",
        form=form,
        limits=LIMITS,
        follow_ups_now=months_in_words(organisation.follow_up_months or []),
    )
    return page, form_status()
