"""A coordinator's first visit: from the landing page to the dashboard, then the case list."""

import re

import pytest
from flask import url_for
from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleErrors, LiveServer

pytestmark = pytest.mark.browser


def test_coordinator_signs_in_and_sees_the_case_list(
    page: Page, live_server: LiveServer, demo_accounts: list, console_errors: ConsoleErrors
):
    coordinator = next(account for account in demo_accounts if account.role == "coordinator")
    with live_server.app.test_request_context():
        sign_in_path = url_for("accounts.sign_in")
        case_list_path = url_for("cases.case_list")
        dashboard_path = url_for("dashboard.dashboard")

    page.goto("/")
    page.locator(f'a[href="{sign_in_path}"]').first.click()
    expect(page).to_have_url(re.compile(re.escape(sign_in_path) + r"(\?.*)?$"))

    page.locator("#email").fill(coordinator.email)
    page.locator("#password").fill(coordinator.password)
    page.locator("form:has(#password) [type=submit]").click()

    expect(page).to_have_url(re.compile(re.escape(dashboard_path) + r"$"))
    expect(page.locator("h1")).to_have_text("Oversikt")
    page.locator(f'nav a[href="{case_list_path}"]').first.click()
    expect(page).to_have_url(re.compile(re.escape(case_list_path) + r"(\?.*)?$"))
    expect(page.locator("h1")).to_have_text("Saker")
    expect(page.locator("table tbody tr").first).to_be_visible()
    assert page.locator("table tbody tr").count() >= 1
    assert console_errors.messages == []
