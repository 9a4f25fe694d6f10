"""Forgotten password: ask for a link (/password/forgot), then choose a new password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from guide.access import public
from guide.accounts.account_tokens import find_usable_token
from guide.accounts.models import TokenPurpose
from guide.accounts.password_forms import PASSWORD_HINT, ForgotPasswordForm, ResetPasswordForm
from guide.accounts.password_reset import request_password_reset, reset_password, reset_user
from guide.accounts.sessions import sign_out_this_browser
from guide.accounts.throttling import PASSWORD_RESET_LIMIT
from guide.extensions import limiter
from guide.i18n import current_locale
from guide.unit_of_work import LinkAudience, LinkNotValid
from guide.web.responses import form_status

bp = Blueprint("passwords", __name__)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(PASSWORD_RESET_LIMIT, methods=["POST"])
@public
def forgot():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(email=form.email.data, locale=current_locale())
        # The same answer whether or not the address has an account.
        return redirect(url_for("passwords.forgot_sent"))
    return render_template("accounts/password_forgot.html", form=form), form_status()


@bp.get("/password/forgot/sent")
@public
def forgot_sent():
    return render_template("accounts/password_forgot_sent.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(PASSWORD_RESET_LIMIT, methods=["POST"])
@public
def reset(token: str):
    row = find_usable_token(token, TokenPurpose.password_reset)
    user = reset_user(row) if row is not None else None
    if row is None or user is None:
        raise LinkNotValid(LinkAudience.password_reset)
    form = ResetPasswordForm(known_words=[user.email, user.full_name])
    if form.validate_on_submit():
        reset_password(row, password=form.password.data)
        # The service ended every session; forget this browser's too.
        sign_out_this_browser("password_reset")
        flash(_("Your password has been changed. Sign in with the new password."), "success")
        return redirect(url_for("accounts.sign_in"))
    return render_template(
        "accounts/password_reset.html",
        form=form,
        token=token,
        email=user.email,
        password_hint=PASSWORD_HINT,
    ), form_status()
