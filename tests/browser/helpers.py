"""Shared steps of the browser tests: an account with an authenticator, and signing in.

Axe-core and the W3C checker need no code in a test: conftest.py checks every page a
test is served.
"""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import Page, expect

from guide.accounts.models import User
from guide.database import utcnow
from guide.extensions import db
from tests import factories
from tests.browser.conftest import LiveServer
from tests.db.test_figures import build_data_set


def with_authenticator(user: User) -> str:
    """Give ``user`` a fresh authenticator; returns its TOTP secret."""
    secret = pyotp.random_base32(length=32)
    user.totp_secret = secret
    user.totp_enrolled_at = utcnow()
    return secret


def coordinator_with_figures(live_server: LiveServer, email: str) -> str:
    """A coordinator of an organisation with the known figures; returns the TOTP secret."""
    with live_server.app.app_context():
        org = build_data_set(db)
        secret = with_authenticator(
            factories.user(org, "coordinator", email=email, second_factor=False)
        )
        db.session.commit()
        db.session.remove()
    return secret


def sign_in(page: Page, email: str, secret: str) -> None:
    """Sign in with password and the authenticator's current code; lands past /sign-in."""
    page.goto("/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(factories.PASSWORD)
    page.locator("form:has(#password) [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/sign-in/code$"))
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("form:has(#code) [type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/sign-in"))


def sign_in_landing_on(page: Page, person, landing: str) -> None:
    """Sign ``person`` (email, secret, full_name) in; they land on ``landing``, named."""
    sign_in(page, person.email, person.secret)
    expect(page).to_have_url(re.compile(re.escape(landing) + "$"))
    expect(page.locator(".app-account__name")).to_have_text(person.full_name)
