"""Keyboard-only steps for browser journeys: Tab to a field, type, tick with Space, choose
with type-ahead or the arrow keys. No clicks and no focusing from the test; every stop Tab
reaches must show where the focus is."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

#: More Tab presses than any page here has stops before the field a step looks for.
MAX_TABS = 120

FOCUS_IS_VISIBLE = """() => {
  const style = getComputedStyle(document.activeElement);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return outlined || (Boolean(style.boxShadow) && style.boxShadow !== "none");
}"""


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the first element matching ``selector`` has the focus, and shows it."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            assert page.evaluate(FOCUS_IS_VISIBLE), f"{selector} hides its focus on {page.url}"
            return
    raise AssertionError(f"Tab never reaches {selector} on {page.url}")


def type_in(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)
    expect(page.locator(selector)).to_have_value(text)


def choose_by_typing(page: Page, selector: str, value: str) -> None:
    """A closed select chooses the option whose name is typed (the browser's type-ahead)."""
    tab_to(page, selector)
    page.keyboard.type(page.locator(f"{selector} option[value='{value}']").inner_text().strip())
    expect(page.locator(selector)).to_have_value(value)


def tick(page: Page, selector: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Space")
    expect(page.locator(selector)).to_be_checked()


def choose_radio(page: Page, name: str, value: str) -> None:
    """Tab into the radio group, then arrow keys until ``value`` is chosen."""
    tab_to(page, f"input[name={name}]")
    page.keyboard.press("Space")
    target = page.locator(f"input[name={name}][value={value}]")
    for _ in range(10):
        if target.is_checked():
            return
        page.keyboard.press("ArrowDown")
    expect(target).to_be_checked()


def type_date(page: Page, selector: str, day: dt.date) -> None:
    """A date field, typed part by part in the order this Chromium shows the parts."""
    parts = {"d": f"{day.day:02d}", "m": f"{day.month:02d}", "y": f"{day.year:04d}"}
    tab_to(page, selector)
    page.keyboard.type("".join(parts[part] for part in _date_order(page)))
    expect(page.locator(selector)).to_have_value(day.isoformat())


def _date_order(page: Page) -> str:
    """ "dmy" or "mdy": Chromium orders a date field's parts after its own language, not
    the page's. Learnt by typing into a date field on a blank page of the same browser."""
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
    assert value in orders, f"a date field of an unknown order ({value!r})"
    return orders[value]
