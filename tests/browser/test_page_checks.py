"""The checks after every browser test see the pages a test was served, and fail on faults.

tests/browser/conftest.py keeps each HTML page the live server sends and, after each test,
gives it to the W3C Nu HTML checker and to axe-core. These tests show that the log holds
what the browser was shown (not the browser's own look for a favicon), and that both
checks report a faulty page by its address, with the checker's line and axe's rule.
"""

from __future__ import annotations

import dataclasses

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import AxeChecker, LiveServer, ServedPage, check_pages
from tests.html_checker import NuChecker

pytestmark = pytest.mark.browser

FAULTY = """<!doctype html>
<html lang="nb">
<head><title>Feil med vilje</title></head>
<body><main>
<h1>Feil med vilje</h1>
<form method="post"><input type="hidden" id="csrf_token" name="csrf_token" value="a"></form>
<form method="post"><input type="hidden" id="csrf_token" name="csrf_token" value="b"></form>
<img src="/static/favicon.svg">
<p style="color: #ddd; background: #fff">Lys grå tekst på hvitt</p>
</main></body>
</html>
"""


def test_the_log_keeps_the_pages_the_browser_was_shown(page: Page, live_server: LiveServer):
    mark = len(live_server.page_log.pages)

    page.goto("/sign-in")
    page.goto("/healthz")  # JSON, and Chromium then asks for /favicon.ico (a 404 page)
    page.goto("/no-such-page")

    served = [(p.method, p.url, p.status) for p in live_server.page_log.since(mark)]
    assert served == [
        ("GET", f"{live_server.url}/sign-in", 200),
        ("GET", f"{live_server.url}/no-such-page", 404),
    ]


def test_a_faulty_page_is_reported_by_both_checks(
    live_server: LiveServer, html_checker: NuChecker, axe_checker: AxeChecker
):
    faulty = ServedPage("POST", f"{live_server.url}/made-up-page", 400, FAULTY)

    found = check_pages([faulty], html_checker, axe_checker)

    address = f"POST {live_server.url}/made-up-page (400)"
    assert f"{address}, line 7: Duplicate ID “csrf_token”." in found
    assert f"{address}: image-alt (critical)" in found
    assert "/static/favicon.svg" in found
    assert f"{address}: color-contrast (serious)" in found


def test_axe_sees_the_pages_with_the_apps_style_sheets(
    page: Page, live_server: LiveServer, axe_checker: AxeChecker
):
    mark = len(live_server.page_log.pages)
    page.goto("/sign-in")
    [sign_in] = live_server.page_log.since(mark)
    # Not the same content as any page checked before, so axe writes it again.
    html = sign_in.html.replace("</body>", "<!-- written again --></body>")

    assert axe_checker.check(dataclasses.replace(sign_in, html=html)) == []
    sheets = axe_checker.page.evaluate(
        "[...document.styleSheets].filter(sheet => sheet.cssRules.length > 0).length"
    )
    assert sheets == 3
    assert axe_checker.page.evaluate("document.documentElement.lang") == "nb"
