"""One child's course handed between five people, each in a browser of their own.

A school nurse refers the child; the coordinator accepts the referral and goes straight on
to assign a guide; the guide finds the case on the To do list, logs the first visit,
proposes a football group and records that the child started. The guardian consents in
Arabic to the football club, the guide shares, and the club contact sees the child,
confirms the start and later reports, with a note, that the child has stopped coming. The
coordinator and the guide each get a task, the case history shows the report with its note,
and none of the e-mails the outbox worker delivers to a local SMTP server names the child,
the guardian or what the club noticed. The guide proposes a chess club as well; the
guardian, through a link in Arabic (right to left), keeps the football club and refuses
the chess club; the refusal shows on the case page and on the coordinator's dashboard.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from guide.activities.models import Club, Enrollment, EnrollmentStatus
from guide.cases.models import Case, CaseStatus
from guide.consents.models import FamilyAnswer, FamilyAnswerKind
from guide.database import utcnow
from guide.dates import local_date
from guide.extensions import db
from guide.outbox.sender import SmtpSender
from guide.outbox.worker import send_due
from guide.referrals.models import Referral
from tests import factories
from tests.browser.conftest import ConsoleErrors, LiveServer
from tests.browser.helpers import sign_in_landing_on
from tests.browser.keyboard import (
    choose_by_typing,
    choose_radio,
    tab_to,
    tick,
    type_date,
    type_in,
)
from tests.smtp import HOST, SmtpCapture

pytestmark = pytest.mark.browser

CHILD_FIRST, CHILD_LAST = "Zainab", "Stafettsen"
#: Day and month alike: Chromium orders a date field's parts by its own language, not the page's.
BORN = "2016-03-03"
GUARDIAN = "Rania Stafettsen"
GUARDIAN_PHONE = "913 57 913"
REASON = "Fiktiv grunn: barnet har ingen fritidsaktivitet og er mye alene."
VISIT_NOTES = "Første hjemmebesøk med tolk. Zainab vil prøve fotball."
ABSENCE_NOTE = "Har ikke kommet på trening de siste tre ukene, virket lei seg sist"
AREA = "Nord"
FOOTBALL, FOOTBALL_CLUB = "Fotball for jenter 10 år", "Stafettby Fotballklubb"
CHESS, CHESS_CLUB = "Sjakk for nybegynnere", "Stafettby Sjakklubb"
#: Everything that identifies the family or tells what the club noticed.
PERSONAL = (
    CHILD_FIRST,
    CHILD_LAST,
    GUARDIAN,
    BORN,
    "03.03.2016",
    "3. mars 2016",
    GUARDIAN_PHONE,
    GUARDIAN_PHONE.replace(" ", ""),
    REASON,
    VISIT_NOTES,
    ABSENCE_NOTE,
)


@dataclass(frozen=True)
class Person:
    email: str
    secret: str
    full_name: str


@dataclass(frozen=True)
class World:
    nurse: Person
    coordinator: Person
    guide: Person
    club_contact: Person
    football_club_id: str
    chess_club_id: str


def _world(live_server: LiveServer) -> World:
    """The organisation, its people, and two clubs with an activity each in the child's area.

    Only this set-up goes straight to the database; everything after it is done in a browser.
    """
    suffix = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        org = factories.organisation(f"Frivilligsentralen i Stafettby {suffix}")

        def account(role: str, name: str, **fields) -> Person:
            handle = name.split()[0].casefold()
            made = factories.user(org, role, email=f"{handle}-{suffix}@example.com", **fields)
            made.full_name = name
            return made

        nurse = account("referrer", "Helga Helsesykepleier", referrer_kind="school_nurse")
        coordinator = account("coordinator", "Kristin Koordinator")
        guide = account("guide", "Gustav Guide")
        guide.guide_profile.languages = ["nb", "ar"]
        football_club = Club(organisation_id=org.id, name=FOOTBALL_CLUB, is_active=True)
        chess_club = Club(organisation_id=org.id, name=CHESS_CLUB, is_active=True)
        db.session.add_all([football_club, chess_club])
        db.session.flush()
        factories.activity(org, name=FOOTBALL, category_key="sport", area=AREA, club=football_club)
        factories.activity(org, name=CHESS, category_key="games", area=AREA, club=chess_club)
        contact = account("club_contact", "Kåre Klubbkontakt", club_id=football_club.id)
        contact.totp_enrolled_at = utcnow()
        db.session.commit()
        world = World(
            nurse=_person(nurse),
            coordinator=_person(coordinator),
            guide=_person(guide),
            club_contact=_person(contact),
            football_club_id=str(football_club.id),
            chess_club_id=str(chess_club.id),
        )
        db.session.remove()
    return world


def _person(account) -> Person:
    return Person(email=account.email, secret=account.totp_secret, full_name=account.full_name)


def _refer_by_keyboard(page: Page) -> str:
    """The nurse fills in and sends the referral form with the keyboard alone.

    Returns the referral's reference. Every field is reached with Tab, in the page's order.
    """
    tab_to(page, "main a[href$='/referrals/new']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Henvis et barn")
    type_in(page, "#child_first_name", CHILD_FIRST)
    type_in(page, "#child_last_name", CHILD_LAST)
    type_date(page, "#birth_date", dt.date.fromisoformat(BORN))
    type_in(page, "#school", "Stafettby skole")
    type_in(page, "#school_class", "5A")
    choose_by_typing(
        page, "#area", page.locator("#area option", has_text=AREA).get_attribute("value")
    )
    tick(page, "input[name=languages][value=ar]")
    type_in(page, "#guardian-full_name", GUARDIAN)
    choose_by_typing(page, "#guardian-relation", "mother")
    type_in(page, "#guardian-phone", GUARDIAN_PHONE)
    choose_by_typing(page, "#guardian-preferred_language", "ar")
    tick(page, "#guardian-needs_interpreter")
    type_in(page, "#interests_in_own_words", "Jeg vil spille fotball")
    tick(page, "input[name=barriers][value=language]")
    choose_radio(page, "help_level", "follow_first_times")
    type_in(page, "#reason", REASON)
    type_in(page, "#consent_given_by", GUARDIAN)
    choose_by_typing(page, "#consent_relation", "mother")
    choose_radio(page, "consent_method", "verbal_documented")
    # Before today: "today" must not be in the future for a server on another clock.
    type_date(page, "#consent_given_on", dt.date.today() - dt.timedelta(days=1))
    tab_to(page, "main form [type=submit]")
    page.keyboard.press("Enter")
    # The confirmation takes the focus, so a keyboard user goes on from there.
    expect(page.locator(".app-flash")).to_contain_text("Henvisningen er sendt.")
    expect(page.locator(".app-flash")).to_be_focused()
    return page.locator(".ds-card .ds-heading").inner_text().strip()


def _case_of(live_server: LiveServer, referral_reference: str) -> tuple[uuid.UUID, str]:
    with live_server.app.app_context():
        referral = db.session.scalar(
            select(Referral).where(Referral.reference == referral_reference)
        )
        found = (referral.case.id, referral.case.reference)
        db.session.remove()
    return found


def _task(page: Page, sentence: str, case_reference: str) -> Locator:
    """The person's open task with that sentence about the case, from the menu's To do."""
    page.get_by_role("navigation").get_by_role("link", name=re.compile("Gjøremål")).first.click()
    expect(page).to_have_url(re.compile(r"/todo$"))
    task = page.locator("li.app-task:not(.app-task--done)").filter(has_text=case_reference)
    task = task.filter(has_text=sentence)
    expect(task).to_have_count(1)
    return task


def _next_step(page: Page, step: str) -> Locator:
    """The child's card on the guide's "My children", whose next step says ``step``."""
    page.get_by_role("navigation").get_by_role("link", name="Mine barn").click()
    card = page.locator(".app-cards > li").filter(has_text=CHILD_FIRST)
    expect(card).to_contain_text(f"Neste steg: {step}")
    return card


def _propose(page: Page, activity: str) -> None:
    """From the case page: suggestions, then propose ``activity``."""
    page.get_by_role("link", name="Aktiviteter og forslag").click()
    page.get_by_role("link", name="Se forslag").click()
    page.get_by_role("button", name=f"Foreslå {activity}").click()
    expect(page.get_by_text(f"{activity} er foreslått.")).to_be_visible()


def _consent_link(page: Page, case_id: uuid.UUID) -> str:
    """The guide makes a consent link in Arabic and reads it off the page."""
    page.goto(f"/cases/{case_id}")
    page.locator(f"a[href$='/cases/{case_id}/consent-link']").first.click()
    page.locator("input[name=purpose][value=give]").check()
    page.locator("#language").select_option("ar")
    page.locator("input[name=delivery][value=show]").check()
    page.locator("form:has(#guardian) [type=submit]").click()
    address = page.locator("#consent-link").inner_text()
    return "/samtykke/" + address.rsplit("/samtykke/", 1)[1]


def _answer_in_arabic(
    page: Page,
    link: str,
    *,
    yes_to: list[str],
    offered: list[str],
    not_offered: tuple[str, ...] = (),
) -> None:
    """The guardian opens the link (Arabic, right to left), ticks all of ``yes_to``'s offers."""
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_contain_text(CHILD_FIRST)
    for key in offered:
        expect(page.locator(f"#offer-{key}")).to_be_visible()
    for key in not_offered:
        expect(page.locator(f"#offer-{key}")).to_have_count(0)
    for key in yes_to:
        boxes = page.locator(f"#offer-{key} input[type=checkbox]")
        for index in range(boxes.count()):
            boxes.nth(index).check()
    page.locator("form [type=submit]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).not_to_contain_text(CHILD_FIRST)


def _deliver_outbox(live_server: LiveServer) -> list[EmailMessage]:
    """Run the outbox worker against a local SMTP server; every mail it delivered."""
    with SmtpCapture() as smtp:
        sender = SmtpSender(
            host=HOST, port=smtp.port, mail_from="Fritidsguide <ikke-svar@example.com>"
        )
        with live_server.app.app_context():
            report = send_due(sender=sender)
            db.session.remove()
    assert report.failed == 0
    assert len(smtp.messages) == report.sent
    return list(smtp.messages)


def _assert_nothing_personal(mails: list[EmailMessage]) -> None:
    """Neither a raw message (headers included) nor its decoded text tells of the family."""
    for mail in mails:
        texts = [mail.as_string(), mail.get_content(), *(str(value) for _, value in mail.items())]
        for text in texts:
            folded = text.casefold()
            for personal in PERSONAL:
                assert personal.casefold() not in folded, f"{personal!r} is in {mail['Subject']!r}"


def _link_path(live_server: LiveServer, mail: EmailMessage) -> str:
    base_url = live_server.app.extensions["fritidsguide.settings"].base_url
    found = re.search(re.escape(base_url) + r"(/\S*)", mail.get_content())
    assert found, "the mail links to the app"
    return found.group(1)


def _to(mails: list[EmailMessage], person: Person) -> list[EmailMessage]:
    return [mail for mail in mails if mail["To"] == person.email]


def test_five_people_hand_a_child_course_to_each_other(
    page: Page, live_server: LiveServer, console_errors: ConsoleErrors, open_page
):
    world = _world(live_server)
    mails: list[EmailMessage] = []

    # The school nurse refers the child, with the keyboard alone.
    nurse = page
    sign_in_landing_on(nurse, world.nurse, "/referrals")
    referral_reference = _refer_by_keyboard(nurse)
    case_id, case_reference = _case_of(live_server, referral_reference)

    # The coordinator accepts the referral and goes straight on to assign a guide.
    coordinator = open_page(locale="nb-NO")
    sign_in_landing_on(coordinator, world.coordinator, "/dashboard")
    _task(coordinator, "En ny henvisning venter på en avgjørelse", case_reference).get_by_role(
        "link"
    ).click()
    expect(coordinator.locator("h1")).to_have_text(f"{CHILD_FIRST} {CHILD_LAST}")
    coordinator.get_by_role("button", name="Ta imot").click()
    expect(coordinator.locator(".app-flash")).to_contain_text("Henvisningen er tatt imot.")
    expect(coordinator).to_have_url(re.compile(rf"/cases/{case_id}/assignment$"))
    best = coordinator.locator(".app-suggestion").filter(has_text=world.guide.full_name)
    best.get_by_label(world.guide.full_name).check()
    coordinator.get_by_role("button", name="Tildel fritidsguide").click()
    expect(coordinator.locator(".app-flash")).to_contain_text("Fritidsguiden er tildelt")
    assert console_errors.messages == []

    # The guide sees the task, opens the case from it and logs the first visit.
    guide = open_page(locale="nb-NO", viewport={"width": 390, "height": 844})
    sign_in_landing_on(guide, world.guide, "/my-cases")
    _task(guide, "Du har fått en ny sak", case_reference).get_by_role("link").click()
    expect(guide).to_have_url(re.compile(rf"/cases/{case_id}$"))
    expect(guide.locator("h1")).to_have_text(f"{CHILD_FIRST} {CHILD_LAST}")
    guide.get_by_role("link", name="Registrer besøk eller samtale").click()
    guide.get_by_label("Hjemmebesøk").check()
    with live_server.app.app_context():
        today = local_date()
    expect(guide.get_by_label("Dato")).to_have_value(today.isoformat())  # until changed
    guide.get_by_label("Varighet i minutter").fill("60")
    guide.get_by_label("Notater").fill(VISIT_NOTES)
    guide.get_by_role("button", name="Lagre besøket").click()
    expect(guide.locator(".app-flash")).to_contain_text("Besøket er registrert.")
    _next_step(guide, "Finn en aktivitet").get_by_role("link", name=CHILD_FIRST).click()

    # The guide proposes the football group and records that the child started.
    _propose(guide, FOOTBALL)
    guide.get_by_role("link", name="Barnet har begynt").click()
    guide.get_by_label("Begynte").fill(today.isoformat())
    guide.get_by_label("Ja", exact=True).check()
    guide.get_by_role("button", name="Lagre").click()
    expect(guide.get_by_text("Barnet har begynt. Saken er nå aktiv.")).to_be_visible()
    card = _next_step(guide, "")
    expect(card).to_contain_text("I aktivitet")
    for earlier in ("Finn en aktivitet", "Avtal en første prøvetime", "Registrer første kontakt"):
        expect(card).not_to_contain_text(earlier)
    assert console_errors.messages == []

    # The guardian consents in Arabic to the football club; the guide shares with it.
    guardian = open_page(locale="ar")
    first_link = _consent_link(guide, case_id)
    _answer_in_arabic(
        guardian,
        first_link,
        yes_to=["scheme", world.football_club_id],
        offered=["scheme", world.football_club_id],
    )
    guide.goto(f"/cases/{case_id}/share")
    guide.locator("#club").select_option(world.football_club_id)
    guide.locator("input[name=categories][value=identity]").check()
    guide.locator("input[name=categories][value=contact]").check()
    guide.locator("form:has(#club) [type=submit]").click()
    expect(guide).to_have_url(re.compile(rf"/cases/{case_id}$"))
    assert console_errors.messages == []
    mails += _deliver_outbox(live_server)  # what the referral, the visit and the share sent

    # The club contact sees the child, confirms the start, and later reports absence.
    contact = open_page(locale="nb-NO")
    sign_in_landing_on(contact, world.club_contact, "/klubb")
    contact.get_by_role("link", name=CHILD_FIRST).click()
    body = contact.locator("main").inner_text()
    for hidden in (CHILD_LAST, GUARDIAN, BORN, "03.03.2016", REASON, VISIT_NOTES):
        assert hidden not in body
    contact.locator("a[href$='/started']").click()
    contact.locator("form[action$='/started'] [type=submit]").click()
    expect(contact.locator(".app-club-report-sent")).to_be_visible()
    contact.locator("a[href$='/absent']").click()
    contact.locator("#note").fill(ABSENCE_NOTE)
    contact.locator("form[action$='/absent'] [type=submit]").click()
    expect(contact.locator(".app-flash")).to_contain_text("Sendt.")
    expect(contact.locator("#report-absent")).to_contain_text(ABSENCE_NOTE)
    assert console_errors.messages == []

    # The coordinator and the guide each have a task; the case history shows the report.
    absence_sentence = "Klubben melder at barnet ikke har kommet på en stund"
    for person in (coordinator, guide):
        _task(person, absence_sentence, case_reference).get_by_role("link").click()
        expect(person).to_have_url(re.compile(rf"/cases/{case_id}$"))
        reports = person.locator(".app-club-report-history")
        expect(reports).to_have_count(2)  # the start it confirmed, and the absence
        expect(reports.filter(has_text=FOOTBALL_CLUB)).to_have_count(2)
        expect(reports.filter(has_text=ABSENCE_NOTE)).to_have_count(1)
    # The nurse was told that the referral was accepted; the club's report is not hers.
    _task(nurse, "Henvisningen din er tatt imot", case_reference)
    expect(nurse.locator("li.app-task").filter(has_text=absence_sentence)).to_have_count(0)
    expect(nurse.locator("main")).not_to_contain_text(ABSENCE_NOTE)
    assert console_errors.messages == []

    # Every e-mail so far goes out without a word about the family or the club's note;
    # the coordinator and the guide were told that there is something to do.
    after_club = _deliver_outbox(live_server)
    for person in (world.coordinator, world.guide):
        told = _to(after_club, person)
        assert told, f"{person.full_name} got no mail about the club's reports"
        assert all(_link_path(live_server, mail) == "/todo" for mail in told)
    assert _to(after_club, world.nurse) == []
    mails += after_club
    _assert_nothing_personal(mails)

    # The guide proposes a chess club as well; the guardian, answering a new link in
    # Arabic, is asked about the chess club alone (the football club and the scheme have
    # her consent already) and says no.
    guide.goto(f"/cases/{case_id}")
    _propose(guide, CHESS)
    second_link = _consent_link(guide, case_id)
    _answer_in_arabic(
        guardian,
        second_link,
        yes_to=[],
        offered=[world.chess_club_id],
        not_offered=("scheme", world.football_club_id),
    )
    assert console_errors.messages == []

    # The refusal shows on the case page, naming the chess club, and on the dashboard.
    coordinator.goto(f"/cases/{case_id}")
    answer = coordinator.locator("#family-answer")
    expect(answer).to_have_attribute("data-answer", "no")
    refused = re.search(r"sa nei [0-9.]+ til: (.*)", answer.inner_text())
    assert refused, answer.inner_text()
    assert CHESS_CLUB in refused[1]
    assert FOOTBALL_CLUB not in refused[1]
    coordinator.goto("/dashboard")
    # Newest first: the "no" above the first link's "yes".
    rows = coordinator.locator("#family-answers li").filter(has_text=case_reference)
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-answer", "no")
    expect(rows.last).to_have_attribute("data-answer", "yes")
    coordinator.get_by_role("link", name=re.compile("Gjøremål")).first.click()
    expect(
        coordinator.locator("li.app-task")
        .filter(has_text=case_reference)
        .filter(has_text="Familien har svart")
    ).to_have_count(2)
    assert console_errors.messages == []

    # The mails about the family's answers name nobody either.
    mails += _deliver_outbox(live_server)
    _assert_nothing_personal(mails)

    # What the pages showed is what was stored.
    with live_server.app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == CaseStatus.active
        assert case.assigned_guide.user.email == world.guide.email
        statuses = {
            enrollment.activity.name: enrollment.status
            for enrollment in db.session.scalars(
                select(Enrollment).where(Enrollment.case_id == case_id)
            )
        }
        assert statuses == {FOOTBALL: EnrollmentStatus.enrolled, CHESS: EnrollmentStatus.proposed}
        answers = db.session.scalars(
            select(FamilyAnswer)
            .where(FamilyAnswer.child_id == case.child_id)
            .order_by(FamilyAnswer.answered_at)
        ).all()
        assert [a.answer for a in answers] == [FamilyAnswerKind.yes, FamilyAnswerKind.no]
        assert {a.language for a in answers} == {"ar"}
        refused_items = set(answers[-1].offered) - set(answers[-1].accepted)
        assert {item.partition(":")[0] for item in refused_items} == {world.chess_club_id}
        db.session.remove()
