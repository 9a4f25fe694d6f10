"""A guide finds a guitar group for the child on a phone, and the public page shows it.

The guide signs in with password and TOTP on a 390 px wide screen, opens the case, asks
for suggestions, filters to music under 1 500 kr a season in total, proposes the guitar
group, records a free trial and then that the child started of their own choice; the case
becomes active. The public catalogue shows the activity to anyone, with no child data.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from guide.activities.models import Enrollment, EnrollmentStatus
from guide.cases.models import Case, CaseStatus
from guide.extensions import db
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, ConsoleErrors, LiveServer
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
CHILD_FIRST, CHILD_LAST = "Ingeborga", "Xylofonsen"
GUARDIAN = "Ragnhildur Xylofonsen"
GUITAR = "Gitargruppe for nybegynnere"


def _world(live_server: LiveServer) -> dict[str, object]:
    """A guide with TOTP, their in-progress case, and three activities in the child's area."""
    suffix = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        org = factories.organisation(f"Frivilligsentralen i Journeyby {suffix}")
        guide = factories.user(org, "guide", email=f"journey-guide-{suffix}@example.com")
        case = factories.child_case(
            org,
            first_name=CHILD_FIRST,
            last_name=CHILD_LAST,
            guardian_name=GUARDIAN,
            birth_date="2015-04-01",
            guide=guide,
            status="in_progress",
        )
        factories.place_child(case, "Nord")
        case.interest_tags = ["guitar", "music"]
        factories.activity(
            org, name=GUITAR, area="Nord", fee_per_season=120_000, has_free_trial=True
        )
        factories.activity(
            org,
            name="Band for unge",
            area="Nord",
            fee_per_season=140_000,
            extra_costs=(("uniforms", 15_000),),
        )
        factories.activity(org, name="Fotball G10", category_key="sport", area="Nord")
        db.session.commit()
        world = {
            "email": guide.email,
            "secret": guide.totp_secret,
            "case_id": case.id,
            "org_id": org.id,
        }
        db.session.remove()
    return world


def test_guide_finds_a_guitar_group_and_the_child_starts(
    page: Page, browser: Browser, live_server: LiveServer, console_errors: ConsoleErrors
):
    world = _world(live_server)
    case_id = world["case_id"]
    page.set_viewport_size(PHONE)
    sign_in(page, world["email"], world["secret"])
    expect(page).to_have_url(re.compile(r"/my-cases$"))

    # The guide opens the case from "My children".
    page.locator(f'a[href="/cases/{case_id}"]').first.click()
    expect(page.locator("h1")).to_have_text(f"{CHILD_FIRST} {CHILD_LAST}")
    page.get_by_role("link", name="Aktiviteter og forslag").click()
    page.get_by_role("link", name="Se forslag").click()
    expect(page.locator("h1")).to_have_text("Foreslåtte aktiviteter")

    # Music, at most 1 500 kr for the whole season.
    page.get_by_label("Kategori").select_option(label="Musikk")
    page.get_by_label("Høyeste totalpris per sesong (kr)").fill("1500")
    page.get_by_role("button", name="Vis aktiviteter").click()
    expect(page.get_by_role("heading", name=GUITAR)).to_be_visible()
    expect(page.get_by_text("Band for unge")).to_have_count(0)
    expect(page.get_by_text("Fotball G10")).to_have_count(0)
    expect(page.get_by_text("passer med: Gitar, Musikk")).to_be_visible()

    page.get_by_role("button", name=f"Foreslå {GUITAR}").click()
    expect(page.get_by_text(f"{GUITAR} er foreslått.")).to_be_visible()

    page.get_by_role("button", name="Registrer gratis prøvetime").click()
    expect(page.get_by_text("Prøvetimen er registrert.")).to_be_visible()

    page.get_by_role("link", name="Barnet har begynt").click()
    page.get_by_label("Begynte").fill(dt.date.today().isoformat())
    page.get_by_label("Ja", exact=True).check()
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Barnet har begynt. Saken er nå aktiv.")).to_be_visible()

    page.get_by_role("link", name="Tilbake til saken").click()
    expect(page.locator(".app-facts").first).to_contain_text("I aktivitet")
    with live_server.app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == CaseStatus.active
        (enrollment,) = db.session.query(Enrollment).filter_by(case_id=case_id).all()
        assert enrollment.status == EnrollmentStatus.enrolled
        assert enrollment.is_own_choice is True
        db.session.remove()
    assert console_errors.messages == []

    # Anyone, signed in or not, sees the activity on the public page, and nothing about a child.
    visitor = browser.new_context(base_url=live_server.url, locale="nb-NO")
    visitor.set_default_timeout(TIMEOUT_MS)
    try:
        public = visitor.new_page()
        public.set_viewport_size(PHONE)
        public.goto(f"/aktiviteter?org={world['org_id']}")
        expect(public).to_have_url(re.compile(r"/aktiviteter\?org="))
        expect(public.get_by_role("heading", name=GUITAR)).to_be_visible()
        text = public.content()
        for personal in (CHILD_FIRST, CHILD_LAST, GUARDIAN, "2015-04-01", "99887766"):
            assert personal not in text
        assert visitor.cookies() == []
    finally:
        visitor.close()
