"""Password rules: long enough, hard to guess, no composition rules, feedback in our words."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from guide.accounts.password_forms import AcceptInvitationForm
from guide.accounts.password_policy import MAX_LENGTH, WARNINGS, password_problems

GOOD_PASSPHRASE = "kanel fjelltopp sykkelbjelle 1987"


def test_a_passphrase_of_plain_words_is_accepted(app):
    with app.test_request_context():
        assert password_problems(GOOD_PASSPHRASE) == []
        # Lower case only, spaces, no digits or symbols: still fine when long and uncommon.
        assert password_problems("gule ender svømmer forbi lysthuset") == []


def test_eleven_characters_are_too_few(app):
    with app.test_request_context(), force_locale("en"):
        assert password_problems("x7#Qp!2zL9@") == ["Use at least 12 characters."]
        assert password_problems("x7#Qp!2zL9@w") == []


def test_more_than_1024_characters_are_refused(app):
    with app.test_request_context(), force_locale("en"):
        assert password_problems("abcdefgh" * 129) == ["Use at most 1024 characters."]


def test_a_very_long_password_is_judged_quickly_and_accepted(app):
    import time

    long_password = (GOOD_PASSPHRASE + " ") * 30
    assert len(long_password) <= MAX_LENGTH
    with app.test_request_context():
        started = time.perf_counter()
        assert password_problems(long_password) == []
        assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    "password",
    ["password1234", "passwordpassword", "qwertyuiopasdf", "123456789012", "aaaaaaaaaaaaaaaa"],
)
def test_common_and_patterned_passwords_are_refused(app, password):
    with app.test_request_context(), force_locale("en"):
        problems = password_problems(password)
    assert problems[0] == "This password is too easy to guess."
    assert "Add another word or two; uncommon words are better." in problems


def test_the_persons_own_name_and_address_make_a_password_weak(app):
    password = "karinordmann2024"
    with app.test_request_context(), force_locale("en"):
        problems = password_problems(
            password, user_inputs=["kari.nordmann@example.test", "Kari Nordmann"]
        )
    assert "Do not use your name or e-mail address in the password." in problems


def test_feedback_is_our_own_norwegian_text(app):
    with app.test_request_context(), force_locale("nb"):
        problems = password_problems("password1234")
    assert problems[0] == "Dette passordet er for lett å gjette."
    assert "Legg til et ord eller to til; uvanlige ord er best." in problems
    assert "Dette er et av de vanligste passordene." in problems
    # zxcvbn's own English never reaches a Norwegian reader.
    assert not any(english in " ".join(problems) for english in WARNINGS)


def test_every_message_has_a_norwegian_translation(app):
    from guide.accounts import password_policy

    messages = [
        *password_policy.WARNINGS.values(),
        *password_policy.SUGGESTIONS.values(),
        password_policy.ADD_WORDS,
        password_policy.TOO_EASY,
        password_policy.PERSONAL,
    ]
    with app.test_request_context():
        with force_locale("en"):
            english = [str(message) for message in messages]
        with force_locale("nb"):
            norwegian = [str(message) for message in messages]
    untranslated = [text for text, nb in zip(english, norwegian, strict=True) if text == nb]
    assert untranslated == []


def test_form_validator_uses_the_invited_address_and_typed_name(app):
    data = MultiDict(
        {
            "full_name": "Kari Nordmann",
            "password": "nordmann kari nordmann",
            "password_confirm": "nordmann kari nordmann",
        }
    )
    with app.test_request_context(method="POST"), force_locale("en"):
        form = AcceptInvitationForm(
            formdata=data, meta={"csrf": False}, known_words=["kari.nordmann@example.test"]
        )
        assert not form.validate()
        assert "Do not use your name or e-mail address in the password." in form.password.errors

        good = MultiDict(
            {"full_name": "Kari Nordmann", "password": GOOD_PASSPHRASE, "password_confirm": "x"}
        )
        form = AcceptInvitationForm(formdata=good, meta={"csrf": False}, known_words=[])
        assert not form.validate()
        assert form.password.errors == []
        assert form.password_confirm.errors == ["The two passwords are not the same."]
