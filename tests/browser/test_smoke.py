"""The browser harness itself works: Chromium reaches the live server and errors are seen."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleErrors

pytestmark = pytest.mark.browser


def test_browser_reaches_the_health_check(page: Page):
    # A JSON document has no <link rel="icon">, so Chromium's own /favicon.ico request
    # fails here: console errors are checked on real pages below, not on this one.
    response = page.goto("/healthz")

    assert response is not None
    assert response.status == 200
    assert response.json() == {"status": "ok"}


def test_landing_page_loads_without_console_errors(page: Page, console_errors: ConsoleErrors):
    response = page.goto("/")

    assert response is not None
    assert response.status == 200
    expect(page.locator("main#main")).to_be_visible()
    assert page.evaluate("document.styleSheets.length") >= 1
    assert console_errors.messages == []


def test_console_errors_are_collected(page: Page, console_errors: ConsoleErrors):
    page.goto("/no-such-page-for-the-harness")

    assert any("404" in message for message in console_errors.messages)
