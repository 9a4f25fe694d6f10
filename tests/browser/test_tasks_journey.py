"""The To do page in a real browser: the menu's count, done by keyboard, and the account page.

A guide with two tasks signs in with password and authenticator code, sees the count in
the menu, marks one task done with the keyboard only, and the count goes down. axe-core and
the W3C checker run on every page served (tests/browser/conftest.py), the account page too.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from guide.extensions import db
from guide.tasks import TaskKind, raise_task
from tests import factories
from tests.browser.conftest import ConsoleErrors, LiveServer
from tests.browser.helpers import sign_in, with_authenticator

pytestmark = pytest.mark.browser

CHILD = "Hemmeligbarn"


def _guide_with_tasks(live_server: LiveServer, email: str) -> str:
    """A guide with two open tasks on a case of theirs; returns the TOTP secret."""
    with live_server.app.app_context():
        org = factories.organisation()
        guide = factories.user(org, "guide", email=email, second_factor=False)
        secret = with_authenticator(guide)
        case = factories.child_case(org, first_name=CHILD, guide=guide, status="in_progress")
        for kind in (TaskKind.CLUB_ABSENCE_REPORTED, TaskKind.SHARED_WITH_CLUB):
            raise_task(kind, case=case, link=f"/cases/{case.id}")
        db.session.commit()
        db.session.remove()
    return secret


def test_a_guide_marks_a_task_done_with_the_keyboard_and_finds_the_e_mail_choice(
    page: Page, live_server: LiveServer, console_errors: ConsoleErrors
):
    email = "tasks-keyboard@example.com"
    sign_in(page, email, _guide_with_tasks(live_server, email))

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

    # The e-mail choice is changed on the account page, linked from the To do page.
    page.locator("main a[href='/account']").click()
    expect(page.locator("form:has(#task_email) [type=submit]")).to_be_visible()
    assert console_errors.messages == []
