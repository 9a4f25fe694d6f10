"""Second-factor pages: enrollment, the sign-in code step, new recovery codes.

The ``before_app_request`` hook here keeps a signed-in user who has not enrolled
away from every page except the public ones, enrollment and sign-out.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from guide.access import PUBLIC, public, requires_permission
from guide.accounts import second_factor, totp
from guide.accounts.second_factor import (
    SecondFactorMethod,
    check_second_factor,
    complete_sign_in,
    has_second_factor_or_exemption,
    is_enrolled,
    replace_recovery_codes,
    unused_recovery_codes,
)
from guide.accounts.sessions import clear_pending_sign_in, pending_sign_in_user
from guide.accounts.throttling import (
    SECOND_FACTOR_LIMIT,
    AccountThrottled,
    is_throttled,
    refuse_if_throttled,
    throttled_message,
)
from guide.accounts.twofactor_forms import (
    AuthenticatorCodeForm,
    SignInCodeForm,
    StartEnrollmentForm,
)
from guide.audit.services import record_event
from guide.extensions import limiter
from guide.policy import Permission
from guide.web.responses import form_status

bp = Blueprint("twofactor", __name__)

#: What a signed-in user without a second factor may still open (besides public pages).
OPEN_BEFORE_ENROLLMENT = frozenset(
    {"twofactor.enroll", "twofactor.start_enrollment", "twofactor.confirm_enrollment"}
    | {"accounts.sign_out", "static"}
)


@bp.before_app_request
def require_second_factor():
    """Send a signed-in user who has no second factor yet to enrollment from any non-public page."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in OPEN_BEFORE_ENROLLMENT or endpoint.endswith(".static"):
        return None
    roles = getattr(current_app.view_functions.get(endpoint), "required_roles", frozenset())
    if PUBLIC in roles:
        return None
    # Endpoints with roles, and any that forgot to declare them, need the second factor.
    if not current_user.is_authenticated or has_second_factor_or_exemption(current_user):
        return None
    return redirect(url_for("twofactor.enroll"))


@bp.route("/sign-in/code", methods=["GET", "POST"])
@limiter.limit(SECOND_FACTOR_LIMIT, methods=["POST"])
@public
def sign_in_code():
    user = pending_sign_in_user()
    if user is None:
        flash(_("Your sign-in has expired. Sign in again."), "info")
        return redirect(url_for("accounts.sign_in"))
    form = SignInCodeForm()
    if form.validate_on_submit():
        try:
            refuse_if_throttled(user)
        except AccountThrottled as throttled:
            return _back_to_sign_in(throttled.until)
        method = check_second_factor(user, form.code.data)
        if method is None and is_throttled(user):  # this failure was one too many
            return _back_to_sign_in(user.throttled_until)
        if method is not None:
            complete_sign_in(user, method=method)
            if method is SecondFactorMethod.recovery_code:
                _warn_about_recovery_codes_left(unused_recovery_codes(user))
            return redirect(url_for("web.index"))
        flash(_("The code is wrong or has already been used."), "error")
    return render_template("accounts/twofactor_sign_in.html", form=form), form_status()


def _back_to_sign_in(throttled_until):
    # A throttled account starts again from the password once the wait is over.
    clear_pending_sign_in()
    flash(throttled_message(throttled_until), "error")
    return redirect(url_for("accounts.sign_in"))


def _warn_about_recovery_codes_left(count: int) -> None:
    flash(
        _(
            "You signed in with a recovery code. You have %(count)s left. "
            "Make new recovery codes if you are running out.",
            count=count,
        ),
        "warning",
    )


@bp.get("/account/second-factor")
@requires_permission(Permission.account_own)
def enroll():
    if is_enrolled(current_user):
        flash(_("Two-step verification is already set up for your account."), "info")
        return redirect(url_for("web.index"))
    return _enrollment_page(AuthenticatorCodeForm(), 200)


@bp.post("/account/second-factor/start")
@requires_permission(Permission.account_own)
def start_enrollment():
    if is_enrolled(current_user):
        return redirect(url_for("web.index"))
    if StartEnrollmentForm().validate_on_submit():
        second_factor.start_enrollment(current_user)
    return redirect(url_for("twofactor.enroll"))


@bp.post("/account/second-factor")
@limiter.limit(SECOND_FACTOR_LIMIT)
@requires_permission(Permission.account_own)
def confirm_enrollment():
    if is_enrolled(current_user):
        return redirect(url_for("web.index"))
    if not current_user.totp_secret:
        return redirect(url_for("twofactor.enroll"))
    form = AuthenticatorCodeForm()
    if form.validate_on_submit():
        codes = second_factor.confirm_enrollment(current_user, form.code.data)
        if codes is not None:
            # Shown in this response only: the codes are stored hashed and never again readable.
            return render_template("accounts/twofactor_recovery_codes.html", codes=codes)
        form.code.errors.append(_("The code did not match. Check the clock on your phone."))
    return _enrollment_page(form, 400)


def _enrollment_page(form: AuthenticatorCodeForm, status: int):
    secret = current_user.totp_secret
    qr_code = grouped = None
    if secret:
        uri = totp.provisioning_uri(secret, account_name=current_user.email)
        qr_code = totp.qr_code_svg(uri, title=_("QR code for your authenticator app"))
        grouped = totp.grouped_secret(secret)
    page = render_template(
        "accounts/twofactor_enroll.html",
        form=form,
        start_form=StartEnrollmentForm(),
        qr_code=qr_code,
        grouped_secret=grouped,
    )
    return page, status


@bp.route("/account/recovery-codes", methods=["GET", "POST"])
@limiter.limit(SECOND_FACTOR_LIMIT, methods=["POST"])
@requires_permission(Permission.account_own)
def new_recovery_codes():
    """Replace the recovery codes after the user proves they still have the app."""
    if not is_enrolled(current_user):
        return redirect(url_for("twofactor.enroll"))
    form = AuthenticatorCodeForm()
    if form.validate_on_submit():
        if _matches_authenticator(current_user, form.code.data):
            codes = replace_recovery_codes(current_user)
            record_event("recovery_codes_replaced", actor=current_user, obj=current_user)
            return render_template("accounts/twofactor_recovery_codes.html", codes=codes)
        form.code.errors.append(_("The code is wrong or has already been used."))
    status = form_status()
    page = render_template(
        "accounts/twofactor_new_recovery_codes.html",
        form=form,
        codes_left=unused_recovery_codes(current_user),
    )
    return page, status


def _matches_authenticator(user, code: str) -> bool:
    # Only the app counts here: a recovery code must not mint ten new ones.
    if not totp.looks_like_totp_code(code):
        return False
    return check_second_factor(user, code) is SecondFactorMethod.totp
