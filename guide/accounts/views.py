"""Sign-in and sign-out pages."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from guide.access import public, requires_permission
from guide.accounts.forms import SignInForm
from guide.accounts.second_factor import (
    SecondFactorMethod,
    complete_sign_in,
    may_skip_second_factor,
    needs_code_at_sign_in,
)
from guide.accounts.services import authenticate
from guide.accounts.sessions import begin_pending_sign_in, end_current_session
from guide.accounts.throttling import (
    SIGN_IN_LIMIT,
    AccountThrottled,
    seconds_until,
    throttled_message,
)
from guide.audit.services import record_event
from guide.extensions import limiter
from guide.policy import Permission
from guide.roles import Role
from guide.web.responses import form_status

bp = Blueprint("accounts", __name__)

ALL_ROLES = tuple(role.value for role in Role)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
@public
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = authenticate(email=form.email.data, password=form.password.data)
        except AccountThrottled as throttled:
            flash(throttled_message(throttled.until), "error")
            page, status = _sign_in_page(form, 429)
            return page, status, {"Retry-After": str(seconds_until(throttled.until))}
        if user is None:
            flash(_("The e-mail address or password is wrong."), "error")
            return _sign_in_page(form, 400)
        if needs_code_at_sign_in(user):
            begin_pending_sign_in(user)
            return redirect(url_for("twofactor.sign_in_code"))
        skips = may_skip_second_factor(user)
        complete_sign_in(
            user, method=SecondFactorMethod.demo_skip if skips else SecondFactorMethod.not_enrolled
        )
        # Without a second factor the session can only enroll (see twofactor_views).
        return redirect(url_for("web.index" if skips else "twofactor.enroll"))
    return _sign_in_page(form, form_status())


def _sign_in_page(form: SignInForm, status: int):
    return render_template("accounts/sign_in.html", form=form), status


@bp.route("/sign-out", methods=["POST"])
@requires_permission(Permission.account_own)
def sign_out():
    from flask_login import current_user

    record_event("signed_out", actor=current_user)
    end_current_session("signed_out")
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.sign_in"))
