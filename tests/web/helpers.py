"""Signing in through the real sign-in forms from the test client."""

from __future__ import annotations

import re

from sqlalchemy import select

from guide.accounts import totp
from guide.accounts.models import User
from guide.extensions import db
from tests import factories
from tests.conftest import settings_for_tests
from tests.factories import PASSWORD

SECOND_FACTOR_PATH = "/sign-in/code"


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token in the form"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    """The whole sign-in: password, then a fresh code from the user's authenticator if asked."""
    response = sign_in_with_password(client, email, password)
    if response.status_code == 302 and response.headers["Location"].endswith(SECOND_FACTOR_PATH):
        return enter_code(client, authenticator_code(client.application, email))
    return response


def sign_in_with_password(client, email: str, password: str = PASSWORD):
    """Only the password step."""
    page = client.get("/sign-in")
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
    )


def enter_code(client, code: str):
    """Submit a TOTP or recovery code on the second-factor step."""
    page = client.get(SECOND_FACTOR_PATH)
    return client.post(SECOND_FACTOR_PATH, data={"code": code, "csrf_token": csrf_token(page.text)})


def authenticator_code(app, email: str) -> str:
    """The code the user's app would show that the server has not accepted yet."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        assert user is not None and user.totp_secret, f"{email} has no authenticator"
        now = totp.current_step()
        # Each code works once, so a second sign-in within 30 s takes the next step's code.
        steps = [step for step in (now, now + 1) if step > (user.totp_last_step or 0)]
        assert steps, "signed in too often within one time step for a fresh code"
        return totp.code_for_step(user.totp_secret, steps[0])


def saved_coordinator(db, **fields) -> User:
    """A committed coordinator in a new organisation (``factories.user`` options apply)."""
    account = factories.user(factories.organisation(), "coordinator", **fields)
    db.session.commit()
    return account


def same_keys(app, database_url: str, **overrides: object) -> dict[str, object]:
    """Settings for a second test app that can read what ``app`` encrypted."""
    keyring = app.extensions["fritidsguide.settings"].keyring
    return settings_for_tests(database_url, keyring=keyring, **overrides)


def signed_in_as(client, org, role: str, **fields) -> User:
    """A new user with ``role`` in ``org``, committed and signed in through the real forms."""
    from tests import factories

    account = factories.user(org, role, **fields)
    db.session.commit()
    assert sign_in(client, account.email).status_code == 302
    return account
