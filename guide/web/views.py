"""The landing page, the language switch and the health check."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from guide.access import public
from guide.crypto.binding import keyring_problems
from guide.crypto.checks import refusal
from guide.crypto.fields import field_cipher
from guide.extensions import db, limiter
from guide.i18n import SESSION_LOCALE_KEY
from guide.unit_of_work import read_and_forget
from guide.web.redirects import safe_next_path
from guide.web.templating import TEMPLATE_GLOBALS, TEMPLATE_TESTS, frame_context

bp = Blueprint("web", __name__)
bp.app_context_processor(frame_context)
for _name, _function in TEMPLATE_GLOBALS.items():
    bp.add_app_template_global(_function, _name)
for _name, _function in TEMPLATE_TESTS.items():
    bp.add_app_template_test(_function, _name)

log = logging.getLogger(__name__)

#: Where each role lands after sign-in.
ROLE_HOME_ENDPOINTS = {
    "coordinator": "dashboard.dashboard",
    "guide": "cases.my_cases",
    "referrer": "referrals.my_referrals",
    "admin": "admin.user_list",
    "club_contact": "club_portal.children",
}


@bp.get("/")
@public
def index():
    home = _role_home_endpoint()
    if home is not None:
        return redirect(url_for(home))
    return render_template("web/index.html")


def _role_home_endpoint() -> str | None:
    if not current_user.is_authenticated:
        return None
    return ROLE_HOME_ENDPOINTS.get(str(getattr(current_user, "role", "")))


@bp.post("/language")
@public
def change_language():
    """Remember the chosen language for this session and go back to a page on this site."""
    settings = current_app.extensions["fritidsguide.settings"]
    chosen = request.form.get("locale", "")
    if chosen not in settings.locales:
        abort(400)
    session[SESSION_LOCALE_KEY] = chosen
    return redirect(safe_next_path(request.form.get("next"), fallback=url_for("web.index")))


@bp.get("/healthz")
@limiter.exempt
@public
def healthz():
    """200 when the database answers and the keyring matches its check values, else 503.

    For load balancers and monitors. The check values are read on every call (one small
    query), so a keyring swapped under a running app shows at once.
    """
    try:
        with read_and_forget():
            db.session.execute(text("SELECT 1"))
            problems = keyring_problems(db.session, field_cipher().keyring)
    except SQLAlchemyError:
        log.warning("Health check failed: the database did not answer")
        return jsonify(status="unavailable"), 503
    if problems:
        log.warning("Health check failed: %s", refusal(problems))
        shown = [{"check": problem.mismatch, "key_id": problem.key_id} for problem in problems]
        return jsonify(status="keyring_mismatch", problems=shown), 503
    return jsonify(status="ok")
