"""The case list's search box and sortable columns in a real browser, by keyboard, with axe."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from guide.database import utcnow
from guide.extensions import db
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, LiveServer
from tests.browser.test_dashboard_axe import AXE, _sign_in

pytestmark = pytest.mark.browser


def _coordinator_with_children(live_server: LiveServer, email: str) -> str:
    secret = pyotp.random_base32(length=32)
    with live_server.app.app_context():
        org = factories.organisation()
        for first, last, status in (
            ("Øystein", "Berg", "accepted"),
            ("Amina", "Hansen", "referred"),
            ("Åse", "Lund", "closed"),
        ):
            factories.child_case(org, first_name=first, last_name=last, status=status)
        coordinator = factories.user(org, "coordinator", email=email, second_factor=False)
        coordinator.totp_secret = secret
        coordinator.totp_enrolled_at = utcnow()
        db.session.commit()
        db.session.remove()
    return secret


def _axe_violations(page: Page) -> list:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(" "))
            }));
        }"""
    )


def test_a_coordinator_searches_by_keyboard_and_sorts_the_results(
    browser: Browser, live_server: LiveServer
):
    email = "case-search@example.com"
    secret = _coordinator_with_children(live_server, email)
    context = browser.new_context(
        base_url=live_server.url, locale="nb-NO", timezone_id="Europe/Oslo", bypass_csp=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        _sign_in(page, email, secret)
        page.goto("/cases")
        page.locator("#q").fill("OYST")
        page.keyboard.press("Enter")
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Øystein Berg")
        assert "oyst" not in page.url.lower()
        assert _axe_violations(page) == []

        page.locator("#q").fill("e")  # Øystein Berg, Amina Hansen, Åse Lund
        page.keyboard.press("Enter")
        expect(rows).to_have_count(3)
        status_header = page.locator("th", has=page.locator("button[name=resort]")).nth(0)
        status_header.locator("button").focus()
        page.keyboard.press("Enter")
        expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Status")
        expect(rows.nth(0)).to_contain_text("Amina")  # referred comes first in a case's course
        expect(rows.nth(2)).to_contain_text("Åse")  # closed last
        expect(page.locator("#q")).to_have_value("e")
        page.locator("th[aria-sort=ascending] button").click()
        expect(page.locator("th[aria-sort=descending]")).to_contain_text("Status")
        expect(rows.nth(0)).to_contain_text("Åse")
        assert re.fullmatch(r".*/cases", page.url)
        assert _axe_violations(page) == []
    finally:
        context.close()
