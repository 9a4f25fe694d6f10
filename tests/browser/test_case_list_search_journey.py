"""The case list's search box and sortable columns in a real browser, by keyboard.

axe-core and the W3C checker run on every page served (tests/browser/conftest.py): the
list after each search and each sort is a page of its own, so each is checked.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from guide.extensions import db
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.helpers import sign_in, with_authenticator

pytestmark = pytest.mark.browser


def _coordinator_with_children(live_server: LiveServer, email: str) -> str:
    with live_server.app.app_context():
        org = factories.organisation()
        for first, last, status in (
            ("Øystein", "Berg", "accepted"),
            ("Amina", "Hansen", "referred"),
            ("Åse", "Lund", "closed"),
        ):
            factories.child_case(org, first_name=first, last_name=last, status=status)
        coordinator = factories.user(org, "coordinator", email=email, second_factor=False)
        secret = with_authenticator(coordinator)
        db.session.commit()
        db.session.remove()
    return secret


def test_a_coordinator_searches_by_keyboard_and_sorts_the_results(
    page: Page, live_server: LiveServer
):
    email = "case-search@example.com"
    sign_in(page, email, _coordinator_with_children(live_server, email))
    page.goto("/cases")
    page.locator("#q").fill("OYST")
    page.keyboard.press("Enter")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Øystein Berg")
    assert "oyst" not in page.url.lower()

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
