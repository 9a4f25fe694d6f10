"""Small things seen in the browser (issue 14, item 11), in Chromium.

/figures reflows at 320 px: the page never scrolls sideways, a wide table scrolls inside its
own labelled, focusable box. After a form is sent, focus is on the error summary or on the
confirmation. Every stop inside a date field shows a focus ring.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import TIMEOUT_MS, ConsoleErrors, LiveServer
from tests.browser.helpers import coordinator_with_figures, sign_in

pytestmark = pytest.mark.browser

FIGURES = "/figures?period=custom&start=2026-01-01&end=2026-12-31"
NARROW = {"width": 320, "height": 640}


def _focused(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            const style = getComputedStyle(element);
            return {
                id: element.id, classes: element.className, tag: element.tagName,
                outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
            };
        }"""
    )


def test_figures_reflow_at_320_px_with_wide_tables_scrolling_in_their_own_box(
    page: Page, live_server: LiveServer, console_errors: ConsoleErrors
):
    email = "reflow@example.com"
    page.set_viewport_size(NARROW)
    sign_in(page, email, coordinator_with_figures(live_server, email))
    page.goto(FIGURES)
    expect(page.locator("svg.app-chart").first).to_be_visible()

    assert page.evaluate("document.scrollingElement.scrollWidth") <= NARROW["width"]
    # The control: some tables are wider than the screen, and scroll inside their box.
    boxes = page.locator(".app-table-scroll")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('.app-table-scroll')]
            .filter(box => box.scrollWidth > box.clientWidth)
            .map(box => box.getAttribute('aria-label'))"""
    )
    assert wide, "no table is wider than 320 px: the check above proves nothing"
    assert boxes.count() >= len(wide)

    # A keyboard user reaches the wide box, hears its name and scrolls it.
    region = page.get_by_role("region", name=wide[0], exact=True)
    expect(region).to_have_attribute("class", "app-table-scroll")
    region.focus()
    assert _focused(page)["classes"] == "app-table-scroll"
    assert _focused(page)["outline"] != "none"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "box => box.scrollLeft > 0", arg=region.element_handle(), timeout=TIMEOUT_MS
    )
    assert page.evaluate("document.scrollingElement.scrollWidth") <= NARROW["width"]
    assert console_errors.messages == []


def test_focus_goes_to_the_error_summary_then_to_the_confirmation(
    page: Page, live_server: LiveServer, console_errors: ConsoleErrors
):
    email = "focus@example.com"
    sign_in(page, email, coordinator_with_figures(live_server, email))

    page.goto("/catalogue/clubs/new")
    page.locator("form:has(#name) [type=submit]").click()
    expect(page.locator(".app-error-summary")).to_be_focused()

    page.locator("#name").fill("Fokus IL")
    page.locator("form:has(#name) [type=submit]").click()
    expect(page.locator(".app-flash")).to_contain_text("Fokus IL")
    expect(page.locator(".app-flash")).to_be_focused()
    # A page reached without sending anything keeps the focus where the browser puts it.
    page.goto("/dashboard")
    assert _focused(page)["tag"] == "BODY"
    # The refused form is answered 400, which the console notes; nothing else may show there.
    assert [line for line in console_errors.messages if "status of 400" not in line] == []


def test_every_stop_inside_a_date_field_shows_a_focus_ring(
    page: Page, live_server: LiveServer, console_errors: ConsoleErrors
):
    email = "date-ring@example.com"
    sign_in(page, email, coordinator_with_figures(live_server, email))
    page.goto(FIGURES)
    start = page.locator("#start")
    expect(start).to_be_visible()
    # Into the field's first stop (the day), then on through the month and the year.
    start.focus()
    stops = [_focused(page)]
    for _ in range(3):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["id"] != "start":
            break
        stops.append(focused)
    assert len(stops) >= 3, f"expected day, month and year stops, got {stops}"
    for stop in stops:
        assert stop["outline"] != "none" and stop["width"] >= 2, stop
    assert console_errors.messages == []
