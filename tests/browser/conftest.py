"""Browser-test harness: a live server on its own database, and Debian's Chromium.

The live server is a separate app (not the suite's ``app`` fixture), served by werkzeug in
a background thread, so the browser sees exactly what a user would. Playwright drives the
system Chromium at /usr/bin/chromium; ``playwright install`` is never needed.

Every page a test is served is checked after the test, whatever the test does with it: the
live server keeps each HTML page it sends (``PageLog``), and ``_every_page_is_checked``
hands them to the W3C Nu HTML checker (tests/html_checker.py) and to axe-core. axe runs in
a context of its own, the only one with ``bypass_csp``, where each page is written again
exactly as the test's browser got it, with the app's style sheets; the test's own pages
keep the strict CSP. A failure names the page, and the checker's line and message or axe's
rule and elements. The run's summary says how many pages were checked and how long it took.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    sync_playwright,
)
from werkzeug.serving import make_server

from guide import create_app
from guide.extensions import db
from tests.conftest import TemporaryPostgresDatabase, settings_for_tests, uses_postgresql
from tests.html_checker import NuChecker, report, without_tokens

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
#: Short enough that a missing element fails the test quickly, long enough for a slow CI box.
TIMEOUT_MS = 10_000

call_report_key = pytest.StashKey[pytest.TestReport]()


@dataclass(frozen=True)
class ServedPage:
    """One HTML page the live server sent, as the browser got it."""

    method: str
    url: str
    status: int
    html: str

    @property
    def name(self) -> str:
        return f"{self.method} {self.url}" + (f" ({self.status})" if self.status != 200 else "")


class PageLog:
    """WSGI middleware that keeps every HTML page the app sends as a page (not redirects)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.pages: list[ServedPage] = []
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        answer: dict[str, object] = {}

        def keep_status(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.app(environ, keep_status)
        if environ.get("HTTP_SEC_FETCH_DEST", "document") != "document":
            return body  # the browser's own look for /favicon.ico, an iframe, ...
        status = int(str(answer.get("status", "0")).split()[0])
        types = [v for k, v in answer.get("headers", ()) if k.lower() == "content-type"]  # type: ignore[union-attr]
        if not (types and types[0].startswith("text/html")) or 300 <= status < 400:
            return body
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        query = environ.get("QUERY_STRING", "")
        path = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
        host = environ.get("HTTP_HOST", "")
        page = ServedPage(
            environ["REQUEST_METHOD"], f"http://{host}{path}", status, content.decode("utf-8")
        )
        with self._lock:
            self.pages.append(page)
        return [content]

    def since(self, mark: int) -> list[ServedPage]:
        with self._lock:
            return self.pages[mark:]


@dataclass
class LiveServer:
    url: str
    app: Flask
    page_log: PageLog


@dataclass
class ConsoleErrors:
    """Errors the page logged to the console or threw, as readable lines."""

    messages: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.messages.append(f"console: {message.text} ({message.location.get('url')})")

    def on_page_error(self, error: Error) -> None:
        self.messages.append(f"uncaught: {error.message}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep the call-phase report so the ``page`` fixture knows whether the test failed."""
    report = yield
    if report.when == "call":
        item.stash[call_report_key] = report
    return report


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app served on a random local port, on a database of its own."""
    with ExitStack() as cleanup:
        if uses_postgresql():
            database_url = cleanup.enter_context(TemporaryPostgresDatabase())
        else:
            folder = tmp_path_factory.mktemp("live-server")
            database_url = f"sqlite:///{folder / 'live.sqlite3'}"
        # Demo mode, as `make run`: the printed demo accounts sign in with the password alone.
        app = create_app(settings_for_tests(database_url, demo_mode=True))
        with app.app_context():
            from guide.schema import upgrade

            upgrade()
        cleanup.callback(_dispose_engine, app)

        page_log = PageLog(app)
        server = make_server("127.0.0.1", 0, page_log, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
        thread.start()
        cleanup.callback(server.server_close)
        cleanup.callback(thread.join, 10)
        cleanup.callback(server.shutdown)
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, page_log=page_log)


def _dispose_engine(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, without network chatter of its own."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def console_errors() -> ConsoleErrors:
    return ConsoleErrors()


@pytest.fixture
def page(
    browser: Browser,
    live_server: LiveServer,
    console_errors: ConsoleErrors,
    request: pytest.FixtureRequest,
) -> Iterator[Page]:
    """A page in a fresh context (no cookies from other tests), speaking Norwegian bokmål."""
    context = browser.new_context(
        base_url=live_server.url, locale="nb-NO", timezone_id="Europe/Oslo"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", console_errors.on_console)
    page.on("pageerror", console_errors.on_page_error)
    yield page
    report = request.node.stash.get(call_report_key, None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture(scope="session")
def demo_accounts(live_server: LiveServer) -> list:
    """The demo organisation, loaded once into the live server's database."""
    from guide.demo.data import load_demo_data

    with live_server.app.app_context():
        try:
            return load_demo_data()
        finally:
            db.session.remove()


# --- every page is checked ------------------------------------------------------------------

#: axe-core's findings on each page, as readable lines; default rules, as in the axe tests.
AXE_RUN = """async () => {
    const results = await axe.run(document, {resultTypes: ["violations"]});
    return results.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ` +
        v.nodes.slice(0, 5).map(n => `${n.target.join(" ")} ${n.html.slice(0, 120)}`).join("; "));
}"""


class AxeChecker:
    """axe-core on pages the live server sent, each written again into one page of its own.

    The page is written from what the server sent (no second request reaches the app);
    its style sheets and images come from the live server. axe is loaded once: writing a
    new document into the page keeps its scripts' globals. Pages with the same content
    (tokens aside) are checked once per run.
    """

    def __init__(self, context: BrowserContext, url: str) -> None:
        self.page = context.new_page()
        self.page.route(url, lambda route: route.fulfill(content_type="text/html", body=BLANK))
        self.page.goto(url)
        self.page.add_script_tag(path=AXE)
        self._seen: dict[str, list[str]] = {}

    def check(self, served: ServedPage) -> list[str]:
        key = without_tokens(served.html)
        if key not in self._seen:
            self._seen[key] = self._violations(served)
        return [f"{served.name}: {violation}" for violation in self._seen[key]]

    def _violations(self, served: ServedPage) -> list[str]:
        self.page.set_content(served.html, wait_until="load")
        if not self.page.evaluate("typeof axe === 'object'"):
            self.page.add_script_tag(path=AXE)  # the page went somewhere else on its own
        return self.page.evaluate(AXE_RUN)


#: The page axe is loaded into, at an address of the live server that the app never sees.
BLANK = "<!doctype html><html lang=en><title>axe</title></html>"


@pytest.fixture(scope="session")
def axe_checker(browser: Browser, live_server: LiveServer) -> Iterator[AxeChecker]:
    """The one context with ``bypass_csp``: the strict CSP would block the injected axe."""
    assert AXE.exists(), "run `npm ci` to install axe-core"
    context = browser.new_context(
        base_url=live_server.url, locale="nb-NO", timezone_id="Europe/Oslo", bypass_csp=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield AxeChecker(context, f"{live_server.url}/axe-core-checks-pages-here")
    context.close()


@dataclass
class CheckTimes:
    """How long the checks after each test took, for the run's summary."""

    seconds: float = 0.0
    pages: int = 0


check_times = CheckTimes()


@pytest.fixture(autouse=True)
def _every_page_is_checked(
    request: pytest.FixtureRequest, html_checker: NuChecker
) -> Iterator[None]:
    """After a test that used the live server: each page it was served is valid and passes axe."""
    if "live_server" not in request.fixturenames:
        yield
        return
    log = request.getfixturevalue("live_server").page_log
    axe = request.getfixturevalue("axe_checker")
    mark = len(log.pages)
    yield
    started = time.monotonic()
    served = log.since(mark)
    problems = check_pages(served, html_checker, axe)
    check_times.seconds += time.monotonic() - started
    check_times.pages += len(served)
    if problems:
        pytest.fail(
            "pages of this test are not valid or not accessible:\n" + problems, pytrace=False
        )


def check_pages(pages: Iterable[ServedPage], html: NuChecker, axe: AxeChecker) -> str:
    """The HTML checker's errors and axe's violations on ``pages``, as a report ('' if none)."""
    pages = list(pages)
    pending = [html.submit(page.name, page.html) for page in pages]  # Java works meanwhile
    violations = [line for page in pages for line in axe.check(page)]
    errors = [problem for answer in pending for problem in answer()]
    parts = []
    if errors:
        parts.append("W3C Nu HTML checker:\n" + report(errors))
    if violations:
        parts.append("axe-core:\n" + "\n".join(violations))
    return "\n".join(parts)


def pytest_terminal_summary(terminalreporter) -> None:
    if check_times.pages:
        terminalreporter.write_line(
            f"browser pages checked (Nu HTML checker and axe-core): {check_times.pages} "
            f"in {check_times.seconds:.1f} s"
        )


@pytest.fixture
def open_page(
    browser: Browser, live_server: LiveServer, console_errors: ConsoleErrors
) -> Iterator[Callable[..., Page]]:
    """Opens a page in a browser context of its own (each person has their own device),
    speaking bokmål unless ``locale`` says otherwise, watched for console errors."""
    with ExitStack() as contexts:

        def open_(**options) -> Page:
            options = {"locale": "nb-NO", "timezone_id": "Europe/Oslo", **options}
            context = browser.new_context(base_url=live_server.url, **options)
            contexts.callback(context.close)
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.on("console", console_errors.on_console)
            page.on("pageerror", console_errors.on_page_error)
            return page

        yield open_
