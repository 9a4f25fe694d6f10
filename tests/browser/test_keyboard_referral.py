"""A school nurse signs in and sends a referral with the keyboard alone.

Every field is reached with Tab (no clicks, no focusing from the test), filled by typing,
ticked with Space, chosen with the arrow keys, and the form is sent with Enter. Each stop
must show where the focus is. The referral that arrives holds what was typed.
"""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from guide.extensions import db
from guide.referrals.models import Referral
from tests.browser.conftest import LiveServer
from tests.browser.test_referral_journey import BORN, CHILD_FIRST, CHILD_LAST, GUARDIAN, _world
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

#: More Tab presses than any page here has stops before the field it looks for.
MAX_TABS = 120

FOCUSED_IS_VISIBLE = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadowed = style.boxShadow && style.boxShadow !== "none";
  return outlined || Boolean(shadowed);
}"""


def _tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element matching ``selector`` has the focus; it must show it."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            assert page.evaluate(FOCUSED_IS_VISIBLE), f"{selector} hides its focus"
            return
    raise AssertionError(f"Tab never reaches {selector} on {page.url}")


def _type_into(page: Page, selector: str, text: str) -> None:
    _tab_to(page, selector)
    page.keyboard.type(text)


def _choose(page: Page, selector: str, *, value: str | None = None, label: str | None = None):
    """Move through a select's options (or a radio group) with the arrow keys until the one
    with this value (or visible label) is chosen."""
    _tab_to(page, selector)
    for _ in range(40):
        chosen = page.evaluate(
            """() => { const e = document.activeElement;
              if (e.type === 'radio') return e.checked ? [e.value, ''] : ['', ''];
              const option = e.selectedOptions[0];
              return [e.value, option ? option.text.trim() : '']; }"""
        )
        if (value is not None and chosen[0] == value) or (label is not None and chosen[1] == label):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys never choose {value or label!r} in {selector}")


def _tick(page: Page, selector: str) -> None:
    _tab_to(page, selector)
    page.keyboard.press("Space")
    assert page.evaluate("() => document.activeElement.checked")


def _date_order(page: Page) -> str:
    """The order this Chromium shows a date field's parts in ("dmy" or "mdy"): it follows
    the browser's own language, not the page's. Learnt on a blank page of the same browser."""
    probe = page.context.new_page()
    try:
        probe.set_content("<input id=before><input type=date id=probe>")
        probe.focus("#before")
        probe.keyboard.press("Tab")
        probe.keyboard.type("01022003")
        value = probe.eval_on_selector("#probe", "element => element.value")
    finally:
        probe.close()
    orders = {"2003-02-01": "dmy", "2003-01-02": "mdy"}
    assert value in orders, f"unexpected date field order ({value!r})"
    return orders[value]


def _date(page: Page, selector: str, day: dt.date) -> None:
    """A date field, typed part by part in the order the field shows them."""
    parts = {"d": f"{day.day:02d}", "m": f"{day.month:02d}", "y": f"{day.year:04d}"}
    _type_into(page, selector, "".join(parts[part] for part in _date_order(page)))


def _sign_in_by_keyboard(page: Page, email: str, secret: str) -> None:
    page.goto("/sign-in")
    _type_into(page, "#email", email)
    _type_into(page, "#password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/sign-in/code$"))
    _type_into(page, "#code", pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/referrals$"))


def test_a_nurse_refers_a_child_with_the_keyboard_alone(page: Page, live_server: LiveServer):
    world = _world(live_server)
    _sign_in_by_keyboard(page, world.nurse.email, world.nurse.secret)

    _tab_to(page, "a[href$='/referrals/new']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Henvis et barn")

    _type_into(page, "#child_first_name", CHILD_FIRST)
    _type_into(page, "#child_last_name", CHILD_LAST)
    _date(page, "#birth_date", dt.date.fromisoformat(BORN))
    _type_into(page, "#school", "Nordby skole")
    _type_into(page, "#school_class", "4B")
    _choose(page, "#area", label="Nord")
    _tick(page, "input[name=languages][value=ar]")
    _type_into(page, "#guardian-full_name", GUARDIAN)
    _choose(page, "#guardian-relation", value="mother")
    _type_into(page, "#guardian-phone", "912 34 567")
    _choose(page, "#guardian-preferred_language", value="ar")
    _tick(page, "#guardian-needs_interpreter")
    _type_into(page, "#interests_in_own_words", "Jeg vil spille fotball")
    _tick(page, "input[name=barriers][value=economy]")
    _choose(page, "input[name=help_level]", value="follow_first_times")
    _type_into(page, "#reason", "Fiktiv grunn: står utenfor etter skoletid.")
    _type_into(page, "#consent_given_by", GUARDIAN)
    _choose(page, "#consent_relation", value="mother")
    _choose(page, "input[name=consent_method]", value="verbal_documented")
    _date(page, "#consent_given_on", dt.date.today() - dt.timedelta(days=1))
    _tab_to(page, "form:has(#reason) button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.locator(".app-flash")).to_contain_text("Henvisningen er sendt.")
    # After the submit the focus is on the confirmation, where a screen reader starts.
    assert page.evaluate("() => document.activeElement.closest('.app-flash') !== null")
    reference = page.locator(".ds-card .ds-heading").inner_text().strip()
    with live_server.app.app_context():
        referral = db.session.scalar(select(Referral).where(Referral.reference == reference))
        assert referral is not None
        assert referral.help_level == "follow_first_times"
        assert referral.consent_method == "verbal_documented"
        assert referral.case.child.first_name == CHILD_FIRST
        assert referral.case.child.birth_date == BORN
        assert referral.case.child.languages == ["ar"]
        assert referral.barriers == ["economy"]
        assert referral.case.child.area == "Nord"
        db.session.remove()
