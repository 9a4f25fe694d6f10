"""From a school nurse's referral to the guide's first home visit, through a real browser.

A helsesykepleier refers a child; a teacher refers the same child again, the name written
with other capitals and spaces. The coordinator, led there by the e-mail, sees both in the
intake queue with a duplicate warning, accepts the first and merges the second into it,
then assigns the best suggested guide. The guide, on a 390 px wide phone, opens "My
children", opens the case and logs a home visit; the case is then in progress, and the
nurse's "My referrals" says a guide is assigned. The outbox worker delivers the e-mails to
a local SMTP server; none of them names the child or a guardian.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from guide.cases.models import Case, CaseStatus, Visit
from guide.dates import local_date
from guide.extensions import db
from guide.outbox.sender import SmtpSender
from guide.outbox.worker import send_due
from guide.referrals.models import Referral, ReferralStatus
from tests import factories
from tests.browser.conftest import ConsoleErrors, LiveServer
from tests.browser.helpers import sign_in_landing_on
from tests.smtp import HOST, SmtpCapture

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
CHILD_FIRST, CHILD_LAST = "Amirah", "Reisedottir"
BORN = "2016-05-17"
GUARDIAN = "Leyla Reisedottir"
SECOND_GUARDIAN = "Omar Reisedottir"
PHONES = {GUARDIAN: "912 34 567", SECOND_GUARDIAN: "934 56 789"}
REASON = "Fiktiv grunn: barnet står utenfor det meste etter skoletid."
VISIT_NOTES = "Hjemmebesøk med tolk. Moren vil gjerne at Amirah prøver fotball."
CHILD_WORDS = "Jeg vil spille fotball på lag med Sara"
#: Everything in the referral that identifies the child or the family.
PERSONAL = (
    CHILD_FIRST,
    CHILD_LAST,
    GUARDIAN,
    SECOND_GUARDIAN,
    BORN,
    "17.05.2016",
    "91234567",
    "93456789",
)


@dataclass(frozen=True)
class Person:
    email: str
    secret: str
    full_name: str


@dataclass(frozen=True)
class World:
    nurse: Person
    teacher: Person
    coordinator: Person
    guide: Person
    #: A second, uncleared guide: listed as unavailable, never suggested.
    uncleared_guide_name: str


def _person(account) -> Person:
    return Person(email=account.email, secret=account.totp_secret, full_name=account.full_name)


def _world(live_server: LiveServer) -> World:
    """One organisation with a nurse, a teacher, a coordinator and two guides."""
    suffix = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        org = factories.organisation(f"Frivilligsentralen i Henvisningsby {suffix}")

        def account(role: str, name: str, **fields):
            handle = name.split()[0].casefold()
            made = factories.user(org, role, email=f"{handle}-{suffix}@example.com", **fields)
            made.full_name = name
            return made

        nurse = account("referrer", "Hanne Helsesøster", referrer_kind="school_nurse")
        teacher = account("referrer", "Lars Lærer", referrer_kind="teacher")
        coordinator = account("coordinator", "Kari Koordinator")
        guide = account("guide", "Gunnhild Guide")
        guide.guide_profile.languages = ["nb", "ar"]
        guide.guide_profile.interests = ["football", "drawing"]
        uncleared = account("guide", "Ulrik Uten Attest")
        uncleared.guide_profile.police_certificate_checked_on = None
        db.session.commit()
        world = World(
            nurse=_person(nurse),
            teacher=_person(teacher),
            coordinator=_person(coordinator),
            guide=_person(guide),
            uncleared_guide_name=uncleared.full_name,
        )
        db.session.remove()
    return world


def _refer(page: Page, *, first: str, last: str, guardian: str, relation: str) -> str:
    """Fill in and send the referral form as a referrer would; returns the reference shown."""
    page.get_by_role("link", name="Henvis et barn").first.click()
    expect(page.locator("h1")).to_have_text("Henvis et barn")
    page.locator("#child_first_name").fill(first)
    page.locator("#child_last_name").fill(last)
    page.locator("#birth_date").fill(BORN)
    page.locator("#school").fill("Nordby skole")
    page.locator("#school_class").fill("4B")
    page.locator("#area").select_option(label="Nord")
    page.locator("input[name=languages][value=ar]").check()
    page.locator("#guardian-full_name").fill(guardian)
    page.locator("#guardian-relation").select_option(relation)
    page.locator("#guardian-phone").fill(PHONES[guardian])
    page.locator("#guardian-preferred_language").select_option("ar")
    page.locator("#guardian-needs_interpreter").check()
    page.locator("#interests_in_own_words").fill("Jeg vil spille fotball med vennene mine")
    page.locator("input[name=barriers][value=economy]").check()
    page.locator("input[name=barriers][value=language]").check()
    page.locator("input[name=help_level][value=follow_first_times]").check()
    page.locator("#reason").fill(REASON)
    page.locator("#consent_given_by").fill(guardian)
    page.locator("#consent_relation").select_option(relation)
    page.locator("input[name=consent_method][value=verbal_documented]").check()
    # Yesterday: "today" must not be in the future for a server on another clock.
    page.locator("#consent_given_on").fill((dt.date.today() - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Send henvisning").click()

    expect(page.locator(".app-flash")).to_contain_text("Henvisningen er sendt.")
    expect(page).to_have_url(re.compile(r"/referrals/[0-9a-f-]{36}$"))
    reference = page.locator(".ds-card .ds-heading").inner_text().strip()
    assert re.fullmatch(r"HV-[2-9A-HJ-NP-Z]{6}", reference)
    return reference


def _deliver_outbox(live_server: LiveServer, recipients: set[str]) -> list[EmailMessage]:
    """Run the outbox worker against a local SMTP server; the mails sent to ``recipients``."""
    with SmtpCapture() as smtp:
        sender = SmtpSender(
            host=HOST, port=smtp.port, mail_from="Fritidsguide <ikke-svar@example.com>"
        )
        with live_server.app.app_context():
            report = send_due(sender=sender)
            db.session.remove()
    assert report.sent >= 1
    assert report.failed == 0
    return [mail for mail in smtp.messages if mail["To"] in recipients]


def _assert_nothing_personal(mail: EmailMessage) -> None:
    """Neither the raw message (headers included) nor its decoded text names the family."""
    texts = [mail.as_string(), mail.get_content(), *(str(value) for _, value in mail.items())]
    for text in texts:
        folded = text.casefold()
        for personal in PERSONAL:
            assert personal.casefold() not in folded, f"{personal!r} is in a mail"
    assert REASON not in mail.as_string()


def _link_path(live_server: LiveServer, mail: EmailMessage) -> str:
    base_url = live_server.app.extensions["fritidsguide.settings"].base_url
    found = re.search(re.escape(base_url) + r"(/\S*)", mail.get_content())
    assert found, "the mail links to the app"
    return found.group(1)


def _assert_fits_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways ({width} px)"


def _load_case(live_server: LiveServer, referral_reference: str) -> tuple[uuid.UUID, str]:
    with live_server.app.app_context():
        referral = db.session.scalar(
            select(Referral).where(Referral.reference == referral_reference)
        )
        found = (referral.case.id, referral.case.reference)
        db.session.remove()
    return found


def test_nurse_refers_coordinator_assigns_and_guide_logs_a_home_visit(
    page: Page, live_server: LiveServer, console_errors: ConsoleErrors, open_page
):
    world = _world(live_server)

    # The school nurse refers the child through the form.
    nurse = page
    sign_in_landing_on(nurse, world.nurse, "/referrals")
    first_reference = _refer(
        nurse, first=CHILD_FIRST, last=CHILD_LAST, guardian=GUARDIAN, relation="mother"
    )
    assert console_errors.messages == []

    # A teacher refers the same child, the name typed with other capitals and spaces.
    teacher = open_page()
    sign_in_landing_on(teacher, world.teacher, "/referrals")
    second_reference = _refer(
        teacher,
        first=f"  {CHILD_FIRST.upper()} ",
        last=f"{CHILD_LAST.lower()}  ",
        guardian=SECOND_GUARDIAN,
        relation="father",
    )
    assert console_errors.messages == []
    case_id, case_reference = _load_case(live_server, first_reference)

    # Each coordinator gets a task and one mail per referral, naming nobody; its link leads
    # to the To do page, whose tasks lead to the referrals.
    mails = _deliver_outbox(live_server, {world.coordinator.email})
    assert len(mails) == 2
    for mail in mails:
        assert mail["Subject"] == "Du har en ny oppgave i Fritidsguide"
        _assert_nothing_personal(mail)
    coordinator = open_page()
    sign_in_landing_on(coordinator, world.coordinator, "/dashboard")
    coordinator.goto(_link_path(live_server, mails[0]))
    tasks = coordinator.locator("main .app-task")
    expect(tasks).to_have_count(2)
    expect(tasks.nth(0)).to_contain_text("En ny henvisning venter på en avgjørelse")
    expect(coordinator.locator(".app-nav__count")).to_contain_text("2")

    # The coordinator sees both, oldest first, the second with the duplicate warning.
    coordinator.goto("/intake")
    expect(coordinator.locator("h1")).to_have_text("Nye henvisninger")
    items = coordinator.locator("ul.app-intake > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(first_reference)
    expect(items.nth(1)).to_contain_text(second_reference)
    warning = items.nth(1).locator(".ds-alert[role=note]")
    expect(warning).to_contain_text("Mulig duplikat")
    expect(warning).to_contain_text(f"Sak {case_reference}")
    assert console_errors.messages == []

    # Accept the first referral.
    items.nth(0).get_by_role("link").first.click()
    expect(coordinator.locator("h1")).to_have_text(f"{CHILD_FIRST} {CHILD_LAST}")
    expect(coordinator.get_by_text(REASON)).to_be_visible()
    coordinator.get_by_role("button", name="Ta imot").click()
    expect(coordinator.locator(".app-flash")).to_contain_text("Henvisningen er tatt imot.")
    # One step on: the accepted case's guide can be chosen at once.
    expect(coordinator).to_have_url(re.compile(rf"/cases/{case_id}/assignment$"))
    expect(coordinator.locator("h1")).to_contain_text("fritidsguide", ignore_case=True)
    coordinator.goto("/intake")

    # Merge the second into the case that was just accepted.
    expect(items).to_have_count(1)
    items.first.get_by_role("link").first.click()
    expect(coordinator.locator("h1")).to_have_text(f"{CHILD_FIRST.upper()} {CHILD_LAST.lower()}")
    expect(coordinator.locator("main .ds-alert[role=note]")).to_contain_text(
        "Godtatt, venter på fritidsguide"
    )
    coordinator.locator("#into_case").select_option(str(case_id))
    coordinator.get_by_role("button", name="Slå sammen").click()
    expect(coordinator.locator(".app-flash")).to_contain_text("slått sammen")
    expect(coordinator.get_by_text("Det er ingen nye henvisninger.")).to_be_visible()
    assert console_errors.messages == []

    # The case has both guardians now; the coordinator assigns the top suggested guide.
    coordinator.goto(f"/cases/{case_id}")
    expect(coordinator.locator(".app-facts").first).to_contain_text(
        "Godtatt, venter på fritidsguide"
    )
    expect(coordinator.get_by_role("heading", name=GUARDIAN)).to_be_visible()
    expect(coordinator.get_by_role("heading", name=SECOND_GUARDIAN)).to_be_visible()
    coordinator.get_by_role("link", name="Tildel en fritidsguide").click()
    suggestions = coordinator.locator(".app-suggestion")
    expect(suggestions).to_have_count(1)
    best = suggestions.first
    expect(best).to_contain_text(world.guide.full_name)
    for reason in ("snakker arabisk", "samme område", "3 av 3 plasser ledig", "liker også"):
        expect(best).to_contain_text(reason)
    expect(coordinator.get_by_text(world.uncleared_guide_name)).to_be_visible()
    best.get_by_label(world.guide.full_name).check()
    coordinator.get_by_role("button", name="Tildel fritidsguide").click()
    expect(coordinator.locator(".app-flash")).to_contain_text("Fritidsguiden er tildelt")
    expect(coordinator.locator(".app-facts").first).to_contain_text("Fritidsguide tildelt")
    assert console_errors.messages == []

    # The guide's mail links to the To do page and says nothing about the case or family;
    # the task there gives the case's reference and leads to the case.
    (assigned_mail,) = _deliver_outbox(live_server, {world.guide.email})
    assert assigned_mail["Subject"] == "Du har en ny oppgave i Fritidsguide"
    assert case_reference not in assigned_mail.get_content()
    _assert_nothing_personal(assigned_mail)
    guide = open_page(viewport=PHONE)
    sign_in_landing_on(guide, world.guide, "/my-cases")
    guide.goto(_link_path(live_server, assigned_mail))
    task = guide.locator("main .app-task")
    expect(task).to_contain_text(case_reference)
    expect(task.get_by_role("link")).to_have_attribute("href", f"/cases/{case_id}")
    _assert_fits_phone(guide)

    # The guide, on a phone, opens "My children", the case, and logs the home visit.
    guide.goto("/my-cases")
    expect(guide.locator("h1")).to_have_text("Mine barn")
    card = guide.locator(".app-cards > li", has_text=CHILD_FIRST)
    expect(card).to_contain_text("Registrer første kontakt")
    _assert_fits_phone(guide)
    card.get_by_role("link", name=CHILD_FIRST).click()
    expect(guide).to_have_url(re.compile(rf"/cases/{case_id}$"))
    expect(guide.locator("h1")).to_have_text(f"{CHILD_FIRST} {CHILD_LAST}")
    expect(guide.get_by_role("heading", name=GUARDIAN)).to_be_visible()
    expect(guide.get_by_text(REASON)).to_have_count(0)  # for coordinators only
    _assert_fits_phone(guide)

    guide.get_by_role("link", name="Registrer besøk eller samtale").click()
    expect(guide.locator("h1")).to_have_text("Registrer besøk eller samtale")
    _assert_fits_phone(guide)
    guide.get_by_label("Hjemmebesøk").check()
    with live_server.app.app_context():
        today = local_date()
    guide.get_by_label("Dato").fill(today.isoformat())
    guide.get_by_label("Varighet i minutter").fill("45")
    guide.get_by_label("Notater").fill(VISIT_NOTES)
    guide.get_by_label("Hvordan det gikk, med barnets egne ord").fill(CHILD_WORDS)
    guide.get_by_role("button", name="Lagre besøket").click()

    expect(guide.locator(".app-flash")).to_contain_text("Besøket er registrert.")
    expect(guide.locator(".app-facts").first).to_contain_text("Under arbeid")
    expect(guide.get_by_text(VISIT_NOTES)).to_be_visible()
    _assert_fits_phone(guide)
    guide.get_by_role("link", name="Tilbake til mine barn").click()
    expect(guide.locator(".app-cards > li", has_text=CHILD_FIRST)).to_contain_text("Under arbeid")
    _assert_fits_phone(guide)
    assert console_errors.messages == []

    # Both referrers see "guide assigned", and nothing of what the guide wrote.
    for referrer, reference in ((nurse, first_reference), (teacher, second_reference)):
        referrer.get_by_role("navigation").get_by_role("link", name="Mine henvisninger").click()
        row = referrer.locator("tbody tr", has_text=reference)
        expect(row).to_contain_text("Fritidsguide tildelt")
        text = referrer.content()
        for hidden in (VISIT_NOTES, CHILD_WORDS, REASON, world.guide.full_name, GUARDIAN):
            assert hidden not in text
    assert console_errors.messages == []

    # What the pages showed is what was stored.
    with live_server.app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == CaseStatus.in_progress
        assert case.assigned_guide.user.email == world.guide.email
        (visit,) = db.session.scalars(select(Visit).where(Visit.case_id == case_id)).all()
        assert visit.kind == "home_visit"
        assert visit.occurred_on == today
        statuses = {
            referral.reference: referral.status
            for referral in db.session.scalars(select(Referral).where(Referral.case_id == case_id))
        }
        assert statuses == {
            first_reference: ReferralStatus.accepted,
            second_reference: ReferralStatus.merged,
        }
        db.session.remove()
