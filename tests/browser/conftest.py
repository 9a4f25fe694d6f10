"""Browser-test harness: a live server on its own database, and Debian's Chromium.

The live server is a separate app (not the suite's ``app`` fixture), served by werkzeug in
a background thread, so the browser sees exactly what a user would. Playwright drives the
system Chromium at /usr/bin/chromium; ``playwright install`` is never needed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, sync_playwright
from werkzeug.serving import make_server

from guide import create_app
from guide.extensions import db
from tests.conftest import TemporaryPostgresDatabase, settings_for_tests, uses_postgresql

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
#: Short enough that a missing element fails the test quickly, long enough for a slow CI box.
TIMEOUT_MS = 10_000

call_report_key = pytest.StashKey[pytest.TestReport]()


@dataclass
class LiveServer:
    url: str
    app: Flask


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

        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
        thread.start()
        cleanup.callback(server.server_close)
        cleanup.callback(thread.join, 10)
        cleanup.callback(server.shutdown)
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)


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
