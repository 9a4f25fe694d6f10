"""Every page the app serves is valid HTML: the W3C Nu HTML checker finds no error.

The pages are crawled with the test client, as each role and as an anonymous visitor:

- every GET address the role may open, with the objects of the authorisation matrix
  (tests/web/test_authorisation_matrix.py) in the address, so a new page is checked as soon
  as it has a route;
- every form the role may send, sent with nothing filled in: the page comes back with its
  error messages, which is where ids and ``aria-describedby`` go wrong;
- the family's consent link pages (in Arabic, right to left) and the invitation and
  password links, which need a real token.

All pages go through one checker process (tests/html_checker.py) at the end. The browser
journeys (tests/browser) check every page they see in the same way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask import Flask

from guide.accounts.account_tokens import issue_token
from guide.accounts.models import TokenPurpose
from guide.consents.links import create_link
from guide.roles import Role
from tests.html_checker import report
from tests.sharing_helpers import scene
from tests.web.helpers import csrf_token, sign_in
from tests.web.test_authorisation_matrix import (
    ENDS_SESSION,
    ROLES,
    build_targets,
    build_world,
    endpoint_rules,
    probes_for,
)

#: What the crawler may open for a role; a refusal or a sign-in page is no page of that role.
OPENED = ("public", "allowed")


def _is_page(response) -> bool:
    return response.mimetype == "text/html" and not 300 <= response.status_code < 400


def _crawl(app: Flask, db, client, role: Role | None) -> Iterator[tuple[str, str]]:
    """(name, html) of every page ``role`` can reach, then of every form sent empty."""
    world = build_world(db, role)
    if world.visitor is not None:
        assert sign_in(client, world.visitor.email).status_code == 302
    token = csrf_token(client.get("/sign-in").text)
    targets = build_targets(db, world)
    who = role.value if role is not None else "anonymous"
    rules = [rule for rule in endpoint_rules(app) if rule.endpoint not in ENDS_SESSION]
    forms, typed = [], []
    for rule in rules:
        for probe in probes_for(app, rule, role, targets):
            if probe.expectation not in OPENED:
                continue
            if probe.method != "GET":
                forms.append(probe)
                continue
            response = client.get(probe.url)
            assert response.status_code < 500, probe.description
            if _is_page(response):
                yield f"{who}: GET {probe.url}", response.text
                typed += _forms_with_typed_boxes(probe.url, response.text)
    for probe in forms:
        response = client.open(probe.url, method=probe.method, data={"csrf_token": token})
        assert response.status_code < 500, probe.description
        if _is_page(response):
            yield f"{who}: {probe.method} {probe.url} (sent empty)", response.text
    for form in {form.action: form for form in typed}.values():
        data = {**form.values, "csrf_token": token, **dict.fromkeys(form.typed, "31.02.2026")}
        response = client.post(form.action, data=data)
        assert response.status_code < 500, form.action
        if _is_page(response):
            yield (
                f"{who}: POST {form.action} (from {form.page}, no real date or number)",
                response.text,
            )


@dataclasses.dataclass
class _Form:
    page: str
    action: str
    values: dict[str, str] = dataclasses.field(default_factory=dict)
    #: Names of the date and number boxes.
    typed: list[str] = dataclasses.field(default_factory=list)


class _FormReader(HTMLParser):
    """The POST forms of a page, with what each sends untouched (its first choices)."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[_Form] = []
        self.form: _Form | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.form = _Form(self.page, urlsplit(a.get("action") or self.page).path)
            self.forms.append(self.form)
        if self.form is None:
            return
        name = a.get("name", "")
        kind = a.get("type", "text").lower()
        if tag == "input" and name and kind not in ("submit", "button", "file"):
            if kind in ("date", "number"):
                self.form.typed.append(name)
            if kind not in ("checkbox", "radio") or "checked" in a:
                self.form.values.setdefault(name, a.get("value", ""))
        elif tag == "select":
            self.select = name
        elif (
            tag == "option"
            and self.select
            and ("selected" in a or self.select not in self.form.values)
        ):
            self.form.values[self.select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


def _forms_with_typed_boxes(page: str, html: str) -> list[_Form]:
    reader = _FormReader(page)
    reader.feed(html)
    return [form for form in reader.forms if form.typed]


def _link_pages(app: Flask, db, client) -> Iterator[tuple[str, str]]:
    """The pages behind the links sent by e-mail or shown as a QR code, with real tokens."""
    s = scene(guardian_language="ar")
    with app.test_request_context():
        _, give = create_link(child=s.child, guardian=s.guardian, purpose="give", by=s.coordinator)
        _, withdraw = create_link(
            child=s.child, guardian=s.guardian, purpose="withdraw", by=s.coordinator
        )
    _, invitation = issue_token(
        purpose=TokenPurpose.invitation,
        email="ny.person@example.com",
        organisation_id=s.org.id,
        valid_for=dt.timedelta(days=1),
        created_by_id=s.coordinator.id,
        role=Role.guide,
    )
    _, reset = issue_token(
        purpose=TokenPurpose.password_reset,
        email=s.coordinator.email,
        organisation_id=s.org.id,
        valid_for=dt.timedelta(hours=1),
        user_id=s.coordinator.id,
    )
    db.session.commit()
    for url in (
        f"/samtykke/{give}",
        f"/samtykke/{withdraw}",
        f"/invitation/{invitation}",
        f"/password/reset/{reset}",
        "/samtykke/not-a-real-token",
    ):
        response = client.get(url)
        assert response.status_code == 200 or response.status_code == 404, url
        yield f"family and links: GET {url}", response.text
    page = client.get(f"/samtykke/{give}")
    text_version = re.search(r'name="text_version"[^>]*value="([^"]*)"', page.text)[1]
    sent = {"csrf_token": csrf_token(page.text), "text_version": text_version}
    response = client.post(f"/samtykke/{give}", data=sent, follow_redirects=True)
    yield f"family and links: POST /samtykke/{give} (nothing ticked)", response.text


def _every_page(app: Flask, db) -> Iterator[tuple[str, str]]:
    yield from _link_pages(app, db, app.test_client())
    for role in (None, *ROLES):
        yield from _crawl(app, db, app.test_client(), role)


def test_every_page_of_every_role_is_valid_html(app, db, html_checker):
    seen = []
    # Java checks each page while the crawl goes on.
    problems = html_checker.check_all(seen.append(page) or page for page in _every_page(app, db))

    assert len(seen) > 200, "the crawl reached too few pages to say much"
    assert problems == [], "\n" + report(problems)


def test_the_checker_finds_what_the_crawl_must_not_contain(html_checker):
    """The checker really runs: duplicate ids and a required select without a placeholder."""
    page = (
        '<!doctype html><html lang="nb"><head><title>Skjema</title></head><body><main>'
        '<form><input type="hidden" id="csrf_token" name="csrf_token" value="a"></form>'
        '<form><input type="hidden" id="csrf_token" name="csrf_token" value="b">'
        '<label for="s">Velg</label><select id="s" name="s" required>'
        '<option value="x">X</option></select></form></main></body></html>'
    )

    problems = html_checker.check("/made-up-page", page)

    assert [problem.line for problem in problems] == [1, 1]
    messages = " ".join(problem.message for problem in problems)
    assert "Duplicate ID “csrf_token”" in messages
    assert "first “option” element in a “select” element with a “required” attribute" in messages
    assert str(problems[0]).startswith("/made-up-page, line 1: ")
