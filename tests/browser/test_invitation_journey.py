"""From an invitation e-mail to a signed-in coordinator, through a real browser and real SMTP.

An admin (with an authenticator app) invites a coordinator; the outbox worker runs in this
process against the live server's database and delivers to a local SMTP server; the
invitee follows the link, chooses a password, sets up TOTP, sees the recovery codes, signs
out and signs in again with password and code.
"""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from guide.database import utcnow
from guide.extensions import db
from guide.outbox.sender import SmtpSender
from guide.outbox.worker import send_due
from tests import factories
from tests.browser.conftest import ConsoleErrors, LiveServer
from tests.smtp import HOST, SmtpCapture

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "journey-admin@example.com"
INVITEE_EMAIL = "journey-coordinator@example.com"
INVITEE_NAME = "Kari Journeysen"
INVITEE_PASSWORD = "sommerfugl kanelbolle togstasjon"
#: Seconds per TOTP time step.
STEP = 30


def _step(moment: float) -> int:
    return int(moment // STEP)


def _create_admin(live_server: LiveServer, secret: str) -> tuple[str, str]:
    with live_server.app.app_context():
        org = factories.organisation("Frivilligsentralen i Reiseby")
        admin = factories.user(org, "admin", email=ADMIN_EMAIL, second_factor=False)
        admin.full_name = "Astrid Adminsen"
        admin.totp_secret = secret
        admin.totp_enrolled_at = utcnow()
        db.session.commit()
        names = (admin.full_name, org.name)
        db.session.remove()
    return names


def _deliver_outbox(live_server: LiveServer, smtp: SmtpCapture) -> None:
    sender = SmtpSender(host=HOST, port=smtp.port, mail_from="Fritidsguide <ikke-svar@example.com>")
    with live_server.app.app_context():
        report = send_due(sender=sender)
        db.session.remove()
    assert report.sent >= 1


def _sign_in(page: Page, email: str, password: str, code: str) -> None:
    page.goto("/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form:has(#password) [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/sign-in/code$"))
    page.locator("#code").fill(code)
    page.locator("form:has(#code) [type=submit]").click()


def _sign_out(page: Page) -> None:
    page.locator("form[action$='/sign-out'] [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))


def test_invited_coordinator_sets_password_enrolls_totp_and_signs_in(
    page: Page, live_server: LiveServer, console_errors: ConsoleErrors
):
    admin_secret = pyotp.random_base32(length=32)
    admin_name, organisation_name = _create_admin(live_server, admin_secret)

    # The admin signs in with password and authenticator code, and sends the invitation.
    _sign_in(page, ADMIN_EMAIL, factories.PASSWORD, pyotp.TOTP(admin_secret).now())
    page.goto("/users/invite")
    page.locator("#email").fill(INVITEE_EMAIL)
    page.locator("#role").select_option("coordinator")
    page.locator("form:has(#role) [type=submit]").click()
    expect(page.locator(".app-flash")).to_contain_text(INVITEE_EMAIL)
    _sign_out(page)

    # The outbox worker delivers the mail to a real SMTP server.
    with SmtpCapture() as smtp:
        _deliver_outbox(live_server, smtp)
    mails = [mail for mail in smtp.messages if mail["To"] == INVITEE_EMAIL]
    assert len(mails) == 1
    mail = mails[0]
    assert mail["Subject"] == "Du er invitert til Fritidsguide"
    body = mail.get_content()
    raw = mail.as_string()
    for personal in (admin_name, ADMIN_EMAIL, INVITEE_NAME, "Astrid", "Adminsen"):
        assert personal not in raw
    assert raw.count(INVITEE_EMAIL) == 1  # the To header only, never in the text
    base_url = live_server.app.extensions["fritidsguide.settings"].base_url
    link = re.search(re.escape(base_url) + r"(/invitation/[A-Za-z0-9_-]{43})\s", body)
    assert link, "the mail holds the invitation link"

    # The invitee opens the link (on the live server's address) and chooses a password.
    page.goto(link.group(1))
    expect(page.locator("#invited-email")).to_have_value(INVITEE_EMAIL)
    page.locator("#full_name").fill(INVITEE_NAME)
    page.locator("#password").fill(INVITEE_PASSWORD)
    page.locator("#password_confirm").fill(INVITEE_PASSWORD)
    page.locator("form:has(#password_confirm) [type=submit]").click()

    # Straight on to setting up the authenticator app.
    expect(page).to_have_url(re.compile(r"/account/second-factor$"))
    page.locator("form[action$='/account/second-factor/start'] [type=submit]").first.click()
    secret = page.locator("code.app-secret").inner_text().replace(" ", "")
    authenticator = pyotp.TOTP(secret)
    enrollment_step = _step(time.time())
    page.locator("#code").fill(authenticator.at(enrollment_step * STEP))
    page.locator("form:has(#code) [type=submit]").click()

    codes = page.locator("ol.app-recovery-codes li")
    expect(codes).to_have_count(10)
    _sign_out(page)

    # Back again: password and a later code than the one used (each code works only once);
    # the next step's code is within the one step of clock drift the server allows.
    sign_in_step = max(_step(time.time()), enrollment_step + 1)
    _sign_in(page, INVITEE_EMAIL, INVITEE_PASSWORD, authenticator.at(sign_in_step * STEP))
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.locator(".app-account__name")).to_have_text(INVITEE_NAME)
    assert organisation_name  # the organisation may be named in the mail; people may not
    assert console_errors.messages == []
