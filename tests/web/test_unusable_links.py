"""A single-use link that another request used up while this one was being answered.

The page found the link usable, but by the time the answer is saved the service cannot use
it any more (two tabs, two devices): the service raises ``LinkNotValid`` and the unit of
work answers with the same page an unknown link gets, for the link's audience and in its
language, keeping nothing the request wrote, not even the form's submission claim.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from guide.accounts.models import User
from guide.accounts.passwords import verify_password
from guide.audit.models import AuditEvent
from guide.consents.links import create_link
from guide.consents.models import Consent, FamilyAnswer
from guide.submissions import Submission
from tests import factories
from tests.sharing_helpers import scene
from tests.web.helpers import PASSWORD, csrf_token

NEW_PASSWORD = "kanel fjelltopp sykkelbjelle 1987"
UNKNOWN_TOKEN = "A" * 43
HIDDEN = re.compile(r'<input[^>]*name="(text_version|submission)"[^>]*value="([^"]*)"')


@dataclasses.dataclass(frozen=True)
class Link:
    """A usable link, the answer its page sends, and what must hold when nothing was kept."""

    address: Callable[[str], str]
    token: str
    answer: dict[str, object]
    nothing_kept: Callable[[], None]


def invitation(app, db) -> Link:
    token = factories.invitation_token(factories.organisation(), "ny.guide@example.org")
    answer = {"full_name": "Nora Ny", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}

    def nothing_kept() -> None:
        assert db.session.scalar(select(User).where(User.email == "ny.guide@example.org")) is None

    return Link(lambda token: f"/invitation/{token}", token, answer, nothing_kept)


def password_reset(app, db) -> Link:
    account = factories.user(factories.organisation(), "coordinator")
    token = factories.reset_token(account)
    answer = {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}

    def nothing_kept() -> None:
        db.session.expire_all()
        assert verify_password(db.session.get(User, account.id).password_hash, PASSWORD)

    return Link(lambda token: f"/password/reset/{token}", token, answer, nothing_kept)


def family(app, db) -> Link:
    s = scene()
    with app.test_request_context():
        _link, token = create_link(
            child=s.child, guardian=s.guardian, purpose="give", by=s.coordinator
        )
    answer = {"consent": [f"{s.club.id}:identity", "scheme:identity"], "child_heard": "yes"}

    def nothing_kept() -> None:
        for model in (Consent, FamilyAnswer, Submission):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
        used = select(AuditEvent).where(AuditEvent.action == "consent_link_used")
        assert db.session.scalars(used).all() == []

    return Link(lambda token: f"/samtykke/{token}", token, answer, nothing_kept)


LINKS = [invitation, password_reset, family]


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.parametrize("prepare", LINKS, ids=[prepare.__name__ for prepare in LINKS])
def test_a_link_used_up_meanwhile_gets_the_unknown_links_page_and_keeps_nothing(
    app, db, client, monkeypatch, prepare
):
    link = prepare(app, db)
    db.session.commit()
    address = link.address(link.token)
    headers = {"Accept-Language": "ar"} if prepare is family else {}
    page = client.get(address, headers=headers)
    assert page.status_code == 200
    answer = {**link.answer, "csrf_token": csrf_token(page.text), **dict(HIDDEN.findall(page.text))}
    # Another request uses the link up between this page and its answer.
    for module in ("guide.accounts.account_tokens", "guide.consents.links"):
        monkeypatch.setattr(f"{module}.mark_used", lambda row: False)

    response = client.post(address, data=answer, headers=headers)

    unknown = client.get(link.address(UNKNOWN_TOKEN), headers=headers)
    assert unknown.status_code == response.status_code == 404
    assert _main(response.text) == _main(unknown.text)
    link.nothing_kept()


def test_the_familys_page_for_a_link_used_up_meanwhile_is_in_the_browsers_language(
    app, db, client, monkeypatch
):
    link = family(app, db)
    db.session.commit()
    address = link.address(link.token)
    page = client.get(address)  # the link's own language, bokmål
    answer = {**link.answer, "csrf_token": csrf_token(page.text), **dict(HIDDEN.findall(page.text))}
    monkeypatch.setattr("guide.consents.links.mark_used", lambda row: False)

    response = client.post(address, data=answer, headers={"Accept-Language": "uk"})

    assert response.status_code == 404
    assert '<html lang="uk" dir="ltr">' in response.text
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
