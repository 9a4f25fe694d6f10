"""A minimal HTTP client for the bench: real sign-in (password + TOTP) and CSRF tokens.

Cookies are kept by hand: the app runs with production settings, so its session cookie is
``__Host-session`` with the Secure flag, which a browser-like cookie jar would not send over
plain http on loopback. The server is unchanged; only the client is lenient.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.parse
from dataclasses import dataclass, field

import pyotp

CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TOTP_STEP = 30


class BenchClientError(RuntimeError):
    """A page did not answer as a signed-in browser would expect."""


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: str

    @property
    def location(self) -> str:
        return next((value for name, value in self.headers if name.lower() == "location"), "")


@dataclass
class Browser:
    """One browser's cookies against one server."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Accept-Language": "nb"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.getheaders(), raw.read().decode("utf-8", "replace"))
        finally:
            connection.close()
        for name, value in response.headers:
            if name.lower() == "set-cookie":
                cookie_name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if "expires=thu, 01 jan 1970" in value.lower() or not cookie_value:
                    self.cookies.pop(cookie_name, None)
                else:
                    self.cookies[cookie_name] = cookie_value
        return response

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def csrf_token(self, path: str) -> str:
        """Open a form page and return its CSRF token (the session cookie now holds its pair)."""
        page = self.request("GET", path)
        match = CSRF_PATTERN.search(page.body)
        if page.status != 200 or match is None:
            raise BenchClientError(f"GET {path} gave {page.status} without a CSRF token")
        return match.group(1)

    def sign_in(self, *, email: str, password: str, totp_secret: str) -> None:
        """Sign in through the real pages: password, then a TOTP code."""
        token = self.csrf_token("/sign-in")
        answer = self.request(
            "POST", "/sign-in", {"csrf_token": token, "email": email, "password": password}
        )
        if answer.status != 302 or "/sign-in/code" not in answer.location:
            raise BenchClientError(f"password step for {email} gave {answer.status}")
        authenticator = pyotp.TOTP(totp_secret, interval=TOTP_STEP)
        # Each code works once: if this step's code was used (an earlier sign-in), the next
        # step's code is within the drift the server allows.
        # When both were used too, wait one step for a fresh one.
        for wait, offset in ((0, 0), (0, TOTP_STEP), (TOTP_STEP, TOTP_STEP)):
            time.sleep(wait)
            code = authenticator.at(time.time() + offset)
            token = self.csrf_token("/sign-in/code")
            answer = self.request("POST", "/sign-in/code", {"csrf_token": token, "code": code})
            if answer.status == 302:
                return
        raise BenchClientError(f"code step for {email} gave {answer.status}")
