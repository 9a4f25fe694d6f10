"""Support from request to payment, and the club sees no more than "settled by the scheme".

A guide asks for 1 800 kr membership fee and 650 kr for a cup for an enrolled child; the
coordinator approves the fee from a fund, rejects the cup with a reason and marks the fee
paid; the fund's overview shows the numbers; the club contact's page says only that the fee
is settled by the scheme, with no fund, amount or reason.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from consent import Category
from guide.activities.models import EnrollmentStatus
from guide.consents.sharing import share_with_club
from guide.extensions import db
from guide.support.models import GrantStatus, SupportGrant
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, ConsoleErrors, LiveServer
from tests.browser.helpers import sign_in
from tests.sharing_helpers import CHILD_FIRST_NAME, CHILD_LAST_NAME, give, scene

pytestmark = pytest.mark.browser

FUND_NAME = "Fritidsstipend Journeyby"
CUP_REASON = "Cupen dekkes av klubbens egen dugnadskasse"


def _world(live_server: LiveServer) -> dict[str, object]:
    """A child enrolled in football, shared with the club under consent, and a fund."""
    app = live_server.app
    with app.app_context(), app.test_request_context():
        s = scene()
        s.case.status = "active"
        (enrollment,) = s.case.enrollments
        enrollment.status = EnrollmentStatus.enrolled
        give(s, (Category.IDENTITY,))
        share_with_club(
            child=s.child, club=s.club, categories=[Category.IDENTITY], by=s.coordinator
        )
        fund = factories.fund(s.org, budget=2_500_000, name=FUND_NAME)
        db.session.commit()
        guide = s.case.assigned_guide.user
        world = {
            "case_id": s.case.id,
            "fund_id": fund.id,
            "guide": (guide.email, guide.totp_secret),
            "coordinator": (s.coordinator.email, s.coordinator.totp_secret),
            "contact": (s.contact.email, s.contact.totp_secret),
        }
        db.session.remove()
    return world


def _request(page: Page, kind: str, amount: str) -> None:
    page.get_by_role("link", name="Be om støtte").click()
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("Beløp (kr)").fill(amount)
    page.get_by_role("button", name="Send søknaden").click()
    expect(page.get_by_text("Søknaden er sendt til koordinatoren.")).to_be_visible()
    page.get_by_role("link", name="Tilbake til støtte").click()


def _open_from_queue(page: Page, kind: str) -> None:
    page.goto("/support")
    page.locator("tr", has_text=kind).get_by_role("link").click()


def test_fee_approved_and_paid_cup_rejected_and_the_club_sees_no_fund_or_reason(
    page: Page, browser: Browser, live_server: LiveServer, console_errors: ConsoleErrors
):
    world = _world(live_server)
    case_id = world["case_id"]

    # The guide asks for the membership fee and the cup.
    sign_in(page, *world["guide"])
    page.goto(f"/cases/{case_id}")
    page.get_by_role("link", name="Kontingent, kostnader i tillegg og utlån").click()
    _request(page, "Kontingent", "1 800")
    _request(page, "Turer, cuper og leirer", "650")
    grants = page.locator("#case-grants tbody tr")
    expect(grants).to_have_count(2)
    expect(grants.filter(has_text="Søkt")).to_have_count(2)
    page.context.clear_cookies()

    # The coordinator approves the fee from the fund, pays it, and rejects the cup.
    sign_in(page, *world["coordinator"])
    _open_from_queue(page, "Kontingent")
    page.get_by_label("Betal fra støtteordning").select_option(label=f"{FUND_NAME} (2027)")
    page.get_by_role("button", name="Godkjenn støtten").click()
    expect(page.get_by_text("Støtten er godkjent.")).to_be_visible()
    page.get_by_label("Betalingsreferanse").fill("BILAG-2027-0007")
    page.get_by_role("button", name="Merk som utbetalt").click()
    expect(page.get_by_text("Støtten er merket som utbetalt.")).to_be_visible()
    expect(page.locator("#grant-facts")).to_contain_text("BILAG-2027-0007")

    _open_from_queue(page, "Turer, cuper og leirer")
    page.get_by_label("Hvorfor søknaden avslås").fill(CUP_REASON)
    page.get_by_role("button", name="Avslå søknaden").click()
    expect(page.get_by_text("Søknaden er avslått.")).to_be_visible()
    expect(page.locator("#grant-facts")).to_contain_text(CUP_REASON)

    # The fund's overview shows the numbers.
    page.goto("/funds")
    page.get_by_role("link", name=FUND_NAME).click()
    expect(page.locator('[data-total="budget"]')).to_have_text("25\xa0000,00\xa0kr")
    expect(page.locator('[data-total="paid"]')).to_have_text("1\xa0800,00\xa0kr")
    expect(page.locator('[data-total="committed"]')).to_have_text("0,00\xa0kr")
    expect(page.locator('[data-total="remaining"]')).to_have_text("23\xa0200,00\xa0kr")
    expect(page.locator("#by-kind")).to_contain_text("Kontingent")
    expect(page.locator("#by-kind")).not_to_contain_text("Turer")
    assert console_errors.messages == []

    with live_server.app.app_context():
        stored = {
            g.kind.value: g for g in db.session.query(SupportGrant).filter_by(case_id=case_id)
        }
        assert stored["membership_fee"].status == GrantStatus.paid
        assert stored["membership_fee"].amount == 180_000
        assert stored["trips_events"].status == GrantStatus.rejected
        assert stored["trips_events"].amount == 65_000
        db.session.remove()

    # The club contact sees that the fee is settled, and no fund, amount or reason.
    club = browser.new_context(base_url=live_server.url, locale="nb-NO")
    club.set_default_timeout(TIMEOUT_MS)
    try:
        club_page = club.new_page()
        sign_in(club_page, *world["contact"])
        club_page.goto("/klubb")
        club_page.get_by_role("link", name=CHILD_FIRST_NAME).first.click()
        expect(club_page.locator("h1")).to_have_text(CHILD_FIRST_NAME)
        expect(club_page.locator("#support-note")).to_have_text(
            "Kontingenten er betalt av ordningen."
        )
        # What a person reads: ids in links and hidden fields may hold any digits.
        text = club_page.locator("body").inner_text()
        for hidden in (FUND_NAME, CUP_REASON, "1\xa0800", "650", "BILAG", CHILD_LAST_NAME):
            assert hidden not in text
    finally:
        club.close()
