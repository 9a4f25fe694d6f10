"""The W3C Nu HTML checker (npm ``vnu-jar``), run once per test session as a local service.

One Java process serves the whole run: ``java -cp vnu.jar nu.validator.servlet.Main PORT``
on 127.0.0.1. Starting it takes a few seconds, checking a page then tens of milliseconds, so
the browser journeys can check every page they see and the crawler a few hundred pages
without starting Java again. The process starts when first asked for and waits for the
first check to be ready, so Chromium and the live server start meanwhile.

Only errors count (``type`` ``error`` or ``non-document-error``); the checker's warnings
(``info``) do not. Each problem names the page, the line and the checker's message.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

VNU_JAR = Path(__file__).resolve().parents[1] / "node_modules/vnu-jar/build/dist/vnu.jar"
JAVA = "java"
#: A slow, shared CI machine needs a while for the first start of the JVM.
START_TIMEOUT_S = 120
CHECK_TIMEOUT_S = 60
#: Documents checked at the same time: the checker answers each on a thread of its own.
WORKERS = 2
COUNTED = frozenset({"error", "non-document-error"})


@dataclasses.dataclass(frozen=True)
class HtmlProblem:
    """One error the checker found on one page."""

    page: str
    line: int | None
    message: str
    extract: str = ""

    def __str__(self) -> str:
        where = f"{self.page}, line {self.line}" if self.line else self.page
        extract = " ".join(self.extract.split())
        return f"{where}: {self.message}" + (f"  [{extract}]" if extract else "")


class NuChecker:
    """The checker's HTTP service; ``check(page, html)`` lists the errors on one document."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._url = ""
        self._ready = False
        #: Pages already checked in this run, by their content with tokens left out.
        self._seen: dict[str, Future[list[dict]]] = {}
        #: What Java says (a pipe nobody reads could fill up and stop it).
        self._log = tempfile.TemporaryFile()  # noqa: SIM115  (closed in stop())
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="nu-checker")

    def start(self) -> None:
        """Start Java in the background; ``check`` waits for it to answer."""
        if self._process is not None:
            return
        assert VNU_JAR.exists(), f"{VNU_JAR} is missing: run `npm ci`"
        port = _free_port()
        self._url = f"http://127.0.0.1:{port}/?out=json"
        try:
            self._process = self._popen(port)
        except FileNotFoundError:
            raise RuntimeError(
                "Java 11 or newer is needed for the Nu HTML checker: run scripts/ensure_java.sh"
            ) from None

    def _popen(self, port: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                JAVA,
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(VNU_JAR),
                "nu.validator.servlet.Main",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )

    def stop(self) -> None:
        self._pool.shutdown(cancel_futures=True)
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        self._ready = False
        self._log.close()

    def check(self, page: str, html: str) -> list[HtmlProblem]:
        """The errors in one HTML document; ``page`` names it in each problem."""
        return self.submit(page, html)()

    def check_all(self, pages: Iterable[tuple[str, str]]) -> list[HtmlProblem]:
        """The errors in many documents, given as (name, html) pairs, checked while they come."""
        futures = [self.submit(page, html) for page, html in pages]
        return [problem for future in futures for problem in future()]

    def submit(self, page: str, html: str) -> Callable[[], list[HtmlProblem]]:
        """Check one document in the background; call the answer to wait for its problems."""
        key = without_tokens(html)
        if key not in self._seen:
            self._seen[key] = self._pool.submit(self._messages, html)
        return functools.partial(_problems, page, self._seen[key])

    def _messages(self, html: str) -> list[dict]:
        self._wait_until_ready()
        request = urllib.request.Request(  # noqa: S310  (our own http://127.0.0.1 address)
            self._url,
            data=html.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=CHECK_TIMEOUT_S) as response:  # noqa: S310
            answer = json.load(response)
        return [message for message in answer["messages"] if message["type"] in COUNTED]

    def _wait_until_ready(self) -> None:
        if self._ready:
            return
        self.start()
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._log.seek(0)
                error = self._log.read().decode(errors="replace")
                raise RuntimeError(f"the Nu HTML checker stopped: {error[-2000:]}")
            try:
                with urllib.request.urlopen(self._url.split("?")[0], timeout=5):  # noqa: S310
                    self._ready = True
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError(f"the Nu HTML checker did not answer within {START_TIMEOUT_S} s")


def _problems(page: str, messages: Future[list[dict]]) -> list[HtmlProblem]:
    return [
        HtmlProblem(page, message.get("lastLine"), message["message"], message.get("extract", ""))
        for message in messages.result()
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


#: Values that differ on every rendering of the same page (CSRF and submission tokens).
_TOKEN = re.compile(r'(name="(?:csrf_token|submission)"[^>]*value=")[^"]*"')


def without_tokens(html: str) -> str:
    """The page with its one-time tokens blanked, so that a page seen twice is checked once."""
    return _TOKEN.sub(r'\1"', html)


def report(problems: list[HtmlProblem], *, limit: int = 40) -> str:
    """A readable list of problems for an assertion message."""
    lines = [str(problem) for problem in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more")
    return "\n".join(lines)
