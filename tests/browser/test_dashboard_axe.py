"""The figures pages in a real browser: charts under the strict CSP, and the annual report.

A coordinator signs in with password and authenticator code; the page keeps the CSP and
the test watches the console. axe-core and the W3C checker run on every page a test is served
(tests/browser/conftest.py), so opening the figures and the annual report checks them too.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleErrors, LiveServer
from tests.browser.helpers import coordinator_with_figures, sign_in

pytestmark = pytest.mark.browser

FIGURES = "/figures?period=custom&start=2026-01-01&end=2026-12-31"


def test_figures_page_draws_its_charts_under_the_csp_without_console_errors(
    page: Page, live_server: LiveServer, console_errors: ConsoleErrors
):
    email = "figures-csp@example.com"
    sign_in(page, email, coordinator_with_figures(live_server, email))
    response = page.goto(FIGURES)
    assert response is not None and response.ok
    assert "script-src 'self'" in response.headers["content-security-policy"]
    charts = page.locator("svg.app-chart")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 8
    box = page.locator("#chart-referrals_by_month-title").locator("..").bounding_box()
    assert box is not None and box["height"] > 100
    expect(page.locator("#table-referrals_by_kind tr[data-key=total] td")).to_have_text("31")

    # The annual report is checked by axe and the HTML checker after the test, like all pages.
    response = page.goto("/figures/annual-report?year=2026")
    assert response is not None and response.ok
    expect(page.locator(".app-annual-report")).to_be_visible()
    assert console_errors.messages == []
