"""Consent from link to club and back: a coordinator, a guardian in Arabic and a club contact.

The coordinator creates a consent link and reads it off the page; the guardian opens it in
Arabic (right to left) and consents to the football club for identity and contact; the
coordinator shares; the club contact signs in with password and code, sees only the first
name, age and the guardian's phone, and confirms the start; the guardian withdraws through
a second link; the club contact no longer sees the child. Each person has a browser context
of their own, as they would have a device of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from guide.activities.models import Club, Enrollment
from guide.database import utcnow
from guide.extensions import db
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, ConsoleErrors, LiveServer
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser

CHILD_FIRST_NAME = "Yasmin"
CHILD_LAST_NAME = "Reiseruten"
BIRTH_DATE = "2015-06-15"
GUARDIAN_NAME = "Huda Reiseruten"
GUARDIAN_PHONE = "+4798765432"
CLUB_NAME = "Reiseby Fotballklubb"


@dataclass
class People:
    coordinator_email: str
    coordinator_secret: str
    contact_email: str
    contact_secret: str
    case_id: str
    club_id: str
    child_id: str


def _people(live_server: LiveServer) -> People:
    with live_server.app.app_context():
        org = factories.organisation("Frivilligsentralen i Samtykkeby")
        coordinator = factories.user(org, "coordinator", email="samtykke-koord@example.com")
        case = factories.child_case(
            org,
            first_name=CHILD_FIRST_NAME,
            last_name=CHILD_LAST_NAME,
            birth_date=BIRTH_DATE,
            guardian_name=GUARDIAN_NAME,
            guardian_phone=GUARDIAN_PHONE,
            guide=factories.user(org, "guide"),
            status="in_progress",
        )
        case.child.guardians[0].preferred_language = "ar"
        club = Club(organisation_id=org.id, name=CLUB_NAME, is_active=True)
        db.session.add(club)
        activity = factories.activity(org, name="Fotball J10", category_key="sport", club=club)
        db.session.add(Enrollment(case_id=case.id, activity_id=activity.id))
        contact = factories.user(
            org, "club_contact", email="samtykke-klubb@example.com", club_id=club.id
        )
        contact.totp_enrolled_at = utcnow()
        db.session.commit()
        people = People(
            coordinator.email,
            coordinator.totp_secret,
            contact.email,
            contact.totp_secret,
            str(case.id),
            str(club.id),
            str(case.child_id),
        )
        db.session.remove()
    return people


def _context_page(browser: Browser, live_server: LiveServer, console_errors: ConsoleErrors):
    context = browser.new_context(
        base_url=live_server.url, locale="nb-NO", timezone_id="Europe/Oslo"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", console_errors.on_console)
    page.on("pageerror", console_errors.on_page_error)
    return context, page


def _create_link(page: Page, people: People, purpose: str) -> str:
    page.goto(f"/cases/{people.case_id}/consent-link")
    page.locator(f"input[name=purpose][value={purpose}]").check()
    page.locator("input[name=delivery][value=show]").check()
    page.locator("form:has(#guardian) [type=submit]").click()
    expect(page.locator("svg").first).to_be_visible()
    address = page.locator("#consent-link").inner_text()
    return "/samtykke/" + address.rsplit("/samtykke/", 1)[1]


def test_consent_from_link_to_club_and_withdrawn_again(
    page: Page, browser: Browser, live_server: LiveServer, console_errors: ConsoleErrors
):
    people = _people(live_server)
    coordinator = page
    guardian_context, guardian = _context_page(browser, live_server, console_errors)
    contact_context, contact = _context_page(browser, live_server, console_errors)
    try:
        # The coordinator makes a link for the guardian and reads it off the page.
        sign_in(coordinator, people.coordinator_email, people.coordinator_secret)
        give_link = _create_link(coordinator, people, "give")

        # The guardian opens it: the page is in Arabic, right to left.
        guardian.goto(give_link)
        expect(guardian.locator("html")).to_have_attribute("dir", "rtl")
        expect(guardian.locator("html")).to_have_attribute("lang", "ar")
        expect(guardian.locator("h1")).to_contain_text(CHILD_FIRST_NAME)
        expect(guardian.locator(f"#offer-{people.club_id}")).to_contain_text(CLUB_NAME)
        guardian.locator(f"#consent-{people.club_id}-identity").check()
        guardian.locator(f"#consent-{people.club_id}-contact").check()
        guardian.locator("form [type=submit]").click()
        expect(guardian.locator("html")).to_have_attribute("dir", "rtl")
        expect(guardian.locator("h1")).not_to_contain_text(CHILD_FIRST_NAME)

        # The coordinator shares identity and contact with the football club.
        coordinator.goto(f"/cases/{people.case_id}/share")
        coordinator.locator("#club").select_option(people.club_id)
        coordinator.locator("input[name=categories][value=identity]").check()
        coordinator.locator("input[name=categories][value=contact]").check()
        coordinator.locator("form:has(#club) [type=submit]").click()
        expect(coordinator).to_have_url(re.compile(rf"/cases/{people.case_id}$"))

        # The club contact sees the first name, the age and the guardian's phone: no more.
        sign_in(contact, people.contact_email, people.contact_secret)
        expect(contact).to_have_url(re.compile(r"/klubb$"))
        contact.get_by_role("link", name=CHILD_FIRST_NAME).click()
        facts = contact.locator(".app-shared-facts")
        expect(facts).to_contain_text(GUARDIAN_PHONE)
        expect(facts).to_contain_text(re.compile(r"\d+ år"))
        body = contact.locator("main").inner_text()
        for hidden in (CHILD_LAST_NAME, GUARDIAN_NAME, "15.06.2015", BIRTH_DATE):
            assert hidden not in body
        child_url = contact.url
        contact.locator(f"a[href$='/klubb/barn/{people.child_id}/started']").click()
        contact.locator("#note").fill("Kom på første trening")
        contact.locator(
            f"form[action$='/klubb/barn/{people.child_id}/started'] [type=submit]"
        ).click()
        expect(contact.locator(".app-flash")).to_be_visible()
        expect(contact.locator(".app-club-report-sent")).to_be_visible()

        # Later the club reports that the child has stopped coming, with a note; the
        # coordinator reads it in the case's history.
        absence_note = "Har ikke vært på trening de siste tre ukene"
        contact.locator(f"a[href$='/klubb/barn/{people.child_id}/absent']").click()
        contact.locator("#note").fill(absence_note)
        contact.locator(
            f"form[action$='/klubb/barn/{people.child_id}/absent'] [type=submit]"
        ).click()
        expect(contact.locator("#report-absent")).to_contain_text(absence_note)
        coordinator.goto(f"/cases/{people.case_id}")
        expect(coordinator.locator(".app-club-report-history").last).to_contain_text(absence_note)

        # The guardian withdraws through a second link.
        withdraw_link = _create_link(coordinator, people, "withdraw")
        guardian.goto(withdraw_link)
        expect(guardian.locator("html")).to_have_attribute("dir", "rtl")
        guardian.locator("input[name=withdraw]").first.check()
        guardian.locator("form [type=submit]").click()
        expect(guardian.locator("h1")).to_be_visible()

        # The club contact no longer sees the child, not even at its address.
        contact.goto("/klubb")
        expect(contact.locator("main")).not_to_contain_text(CHILD_FIRST_NAME)
        expect(contact.locator(".app-withdrawal-notice")).to_be_visible()
        assert contact.goto(child_url).status == 404
        expect(contact.locator("main")).not_to_contain_text(CHILD_FIRST_NAME)
        # The browser logs the 404 just asked for; anything else would be a fault.
        assert [m for m in console_errors.messages if child_url not in m] == []
    finally:
        guardian_context.close()
        contact_context.close()
