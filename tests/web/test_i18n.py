"""Choosing the language: browser preference, the switcher, and the user's own setting."""

from __future__ import annotations

import pytest
from flask import g, session

from guide.i18n import SESSION_LOCALE_KEY, select_locale
from guide.web.redirects import safe_next_path
from tests import factories
from tests.web.helpers import csrf_token, sign_in


def switch_language(client, locale: str, next_path: str = "/"):
    token = csrf_token(client.get("/").text)
    return client.post("/language", data={"locale": locale, "next": next_path, "csrf_token": token})


def test_english_browser_gets_english(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    assert '<html lang="en" dir="ltr">' in html
    assert "Welcome to Fritidsguide" in html
    assert "Skip to main content" in html


def test_nynorsk_browser_gets_nynorsk(client):
    html = client.get("/", headers={"Accept-Language": "nn-NO,nn;q=0.9,nb;q=0.8"}).text
    assert '<html lang="nn"' in html
    assert "Velkomen til Fritidsguide" in html


def test_unsupported_browser_language_falls_back_to_bokmal(client):
    html = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}).text
    assert '<html lang="nb"' in html


def test_switcher_offers_every_language_in_its_own_name(client):
    html = client.get("/").text
    for code, name in (("nb", "Bokmål"), ("nn", "Nynorsk"), ("en", "English")):
        assert f'value="{code}" lang="{code}"' in html
        assert name in html


def test_switching_language_sticks_for_the_session(client):
    response = switch_language(client, "en", next_path="/no-such-page?page=2")
    assert response.status_code == 302
    assert response.headers["Location"] == "/no-such-page?page=2"
    html = client.get("/", headers={"Accept-Language": "nb"}).text
    assert '<html lang="en"' in html
    assert "Welcome to Fritidsguide" in html


def test_switching_language_without_csrf_token_is_refused(client):
    response = client.post("/language", data={"locale": "en", "next": "/"})
    assert response.status_code == 400
    assert '<html lang="nb"' in client.get("/").text


def test_switching_to_a_language_that_is_not_offered_is_refused(client):
    assert switch_language(client, "xx").status_code == 400
    assert '<html lang="nb"' in client.get("/").text


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example/path",
        "/\\evil.example",
        "https:evil.example",
        "/\tx/../evil",
        "javascript:alert(1)",
        "",
    ],
)
def test_switcher_never_redirects_off_site(client, target):
    response = switch_language(client, "en", next_path=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/cases?page=2", "/cases?page=2"),
        ("/", "/"),
        ("https://evil.example/", "/fallback"),
        ("//evil.example", "/fallback"),
        ("/\\\\evil.example", "/fallback"),
        ("cases", "/fallback"),
        (None, "/fallback"),
    ],
)
def test_safe_next_path_keeps_only_local_paths(target, expected):
    assert safe_next_path(target, fallback="/fallback") == expected


def test_signed_in_user_sees_pages_in_their_preferred_language(client, db):
    account = factories.user(factories.organisation(), "referrer", preferred_locale="nn")
    db.session.commit()
    assert sign_in(client, account.email).status_code == 302
    html = client.get("/no-such-page", headers={"Accept-Language": "en"}).text
    assert '<html lang="nn"' in html
    assert "Fann ikkje sida" in html
    assert "Logg ut" in html and account.full_name in html


class SignedInUser:
    """Stands in for the accounts' User: the locale rules need only these attributes."""

    is_authenticated = True

    def __init__(self, **attributes: str) -> None:
        self.__dict__.update(attributes)


def test_signed_in_users_preferred_language_beats_the_browser(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        g._login_user = SignedInUser(preferred_locale="nn")
        assert select_locale() == "nn"


def test_session_choice_beats_the_users_preferred_language(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        session[SESSION_LOCALE_KEY] = "nb"
        g._login_user = SignedInUser(preferred_locale="nn")
        assert select_locale() == "nb"


def test_user_without_a_preference_gets_the_browser_language(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        g._login_user = SignedInUser()
        assert select_locale() == "en"


def test_users_preference_outside_the_enabled_languages_is_ignored(app):
    with app.test_request_context(headers={"Accept-Language": "nn"}):
        g._login_user = SignedInUser(preferred_locale="de")
        assert select_locale() == "nn"
