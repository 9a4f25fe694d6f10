"""The To do page in a real browser: the menu's count, done by keyboard, and axe-core.

A guide with two tasks signs in with password and authenticator code, sees the count in
the menu, marks one task done with the keyboard only, and the count goes down. The axe
check injects axe-core, which only a context created with ``bypass_csp=True`` lets run.
"""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from guide.database import utcnow
from guide.extensions import db
from guide.tasks import TaskKind, raise_task
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, ConsoleErrors, LiveServer
from tests.browser.test_dashboard_axe import AXE, _sign_in

pytestmark = pytest.mark.browser

CHILD = "Hemmeligbarn"


def _guide_with_tasks(live_server: LiveServer, email: str) -> str:
    """A guide with two open tasks on a case of theirs; returns the TOTP secret."""
    secret = pyotp.random_base32(length=32)
    with live_server.app.app_context():
        org = factories.organisation()
        guide = factories.user(org, "guide", email=email, second_factor=False)
        guide.totp_secret = secret
        guide.totp_enrolled_at = utcnow()
        case = factories.child_case(org, first_name=CHILD, guide=guide, status="in_progress")
        for kind in (TaskKind.CLUB_ABSENCE_REPORTED, TaskKind.SHARED_WITH_CLUB):
            raise_task(kind, case=case, link=f"/cases/{case.id}")
        db.session.commit()
        db.session.remove()
    return secret


def test_a_guide_marks_a_task_done_with_the_keyboard(
    page: Page, live_server: LiveServer, console_errors: ConsoleErrors
):
    email = "tasks-keyboard@example.com"
    _sign_in(page, email, _guide_with_tasks(live_server, email))

    menu_link = page.locator(".app-nav__list a[href='/todo']")
    expect(menu_link.locator(".app-nav__count")).to_contain_text("2")
    menu_link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/todo")
    expect(page.locator("main")).not_to_contain_text(CHILD)

    first_done = page.locator("main form button").first
    first_done.focus()
    page.keyboard.press("Enter")

    expect(page.locator(".app-flash")).to_be_visible()
    expect(menu_link.locator(".app-nav__count")).to_contain_text("1")
    assert console_errors.messages == []


def test_the_to_do_and_account_pages_have_no_axe_violations(
    browser: Browser, live_server: LiveServer
):
    assert AXE.exists(), "run `npm ci` to install axe-core"
    email = "tasks-axe@example.com"
    secret = _guide_with_tasks(live_server, email)
    context = browser.new_context(
        base_url=live_server.url, locale="nb-NO", timezone_id="Europe/Oslo", bypass_csp=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        _sign_in(page, email, secret)
        for address in ("/todo", "/account"):
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
