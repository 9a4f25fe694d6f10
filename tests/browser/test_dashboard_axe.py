"""The figures page in a real browser: charts under the strict CSP, and an axe-core check.

A coordinator signs in with password and authenticator code. The first test keeps the CSP
and watches the console; the second injects axe-core (npm, node_modules/axe-core), which
only a context created with ``bypass_csp=True`` lets run, and expects no violations.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from guide.database import utcnow
from guide.extensions import db
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, ConsoleErrors, LiveServer
from tests.db.test_figures import build_data_set

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FIGURES = "/figures?period=custom&start=2026-01-01&end=2026-12-31"


def _coordinator(live_server: LiveServer, email: str) -> str:
    """A coordinator of an organisation with the known figures; returns the TOTP secret."""
    secret = pyotp.random_base32(length=32)
    with live_server.app.app_context():
        org = build_data_set(db)
        coordinator = factories.user(org, "coordinator", email=email, second_factor=False)
        coordinator.totp_secret = secret
        coordinator.totp_enrolled_at = utcnow()
        db.session.commit()
        db.session.remove()
    return secret


def _sign_in(page: Page, email: str, secret: str) -> None:
    page.goto("/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(factories.PASSWORD)
    page.locator("form:has(#password) [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/sign-in/code$"))
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("form:has(#code) [type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/sign-in"))


def test_figures_page_draws_its_charts_under_the_csp_without_console_errors(
    page: Page, live_server: LiveServer, console_errors: ConsoleErrors
):
    email = "figures-csp@example.com"
    _sign_in(page, email, _coordinator(live_server, email))
    response = page.goto(FIGURES)
    assert response is not None and response.ok
    assert "script-src 'self'" in response.headers["content-security-policy"]
    charts = page.locator("svg.app-chart")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 8
    box = page.locator("#chart-referrals_by_month-title").locator("..").bounding_box()
    assert box is not None and box["height"] > 100
    expect(page.locator("#table-referrals_by_kind tr[data-key=total] td")).to_have_text("31")
    assert console_errors.messages == []


def test_figures_page_has_no_axe_violations(browser: Browser, live_server: LiveServer):
    assert AXE.exists(), "run `npm ci` to install axe-core"
    email = "figures-axe@example.com"
    secret = _coordinator(live_server, email)
    # Only here: the strict CSP would block the injected axe script.
    context = browser.new_context(
        base_url=live_server.url, locale="nb-NO", timezone_id="Europe/Oslo", bypass_csp=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        _sign_in(page, email, secret)
        for address in (FIGURES, "/figures/annual-report?year=2026"):
            page.goto(address)
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                """async () => {
                    const results = await axe.run(document, {resultTypes: ["violations"]});
                    return results.violations.map(v => ({
                        id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(" "))
                    }));
                }"""
            )
            assert violations == [], f"{address}: {violations}"
    finally:
        context.close()
