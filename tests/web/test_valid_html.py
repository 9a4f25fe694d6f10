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

import datetime as dt
import re
from collections.abc import Iterator

import pytest
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
    forms = []
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
    for probe in forms:
        response = client.open(probe.url, method=probe.method, data={"csrf_token": token})
        assert response.status_code < 500, probe.description
        if _is_page(response):
            yield f"{who}: {probe.method} {probe.url} (sent empty)", response.text


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


@pytest.fixture
def pages(app, db, client) -> dict[str, str]:
    found: dict[str, str] = dict(_link_pages(app, db, client))
    for role in (None, *ROLES):
        found.update(_crawl(app, db, app.test_client(), role))
    return found


def test_every_page_of_every_role_is_valid_html(pages, html_checker):
    problems = html_checker.check_all(pages.items())

    assert len(pages) > 100, "the crawl reached too few pages to say much"
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
