"""What makes a password acceptable: long enough and hard to guess, with no composition rules.

Following NIST SP 800-63B and OWASP ASVS 2.1: at least 12 characters, at most
1024, any characters (spaces and pasting welcome), no "one digit and one symbol"
rules. Guessability is estimated with zxcvbn, which knows common passwords,
names, words, keyboard patterns, dates and the person's own name and address.
Its English feedback is mapped to our own translated messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, ValidationError

MIN_LENGTH = 12
MAX_LENGTH = 1024
#: zxcvbn scores 0-4; 3 means "safely unguessable" for an online attack with throttling.
MIN_SCORE = 3
#: zxcvbn's run time grows quickly with length; the first 72 characters decide the score.
#: (A password this long is only weak if those characters already are.)
ESTIMATE_LENGTH = 72
#: Words that say nothing about a person but that an attacker would try first.
APP_WORDS = ("fritidsguide", "fritid", "guide", "frivilligsentral")

ADD_WORDS = _l("Add another word or two; uncommon words are better.")
TOO_EASY = _l("This password is too easy to guess.")
PERSONAL = _l("Do not use your name or e-mail address in the password.")

#: zxcvbn's warnings (English, fixed strings in the library) -> our message.
WARNINGS = {
    "Straight rows of keys are easy to guess.": _l("Keyboard patterns are easy to guess."),
    "Short keyboard patterns are easy to guess.": _l("Keyboard patterns are easy to guess."),
    'Repeats like "aaa" are easy to guess.': _l("Repeated characters and words are easy to guess."),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': _l(
        "Repeated characters and words are easy to guess."
    ),
    'Sequences like "abc" or "6543" are easy to guess.': _l(
        "Sequences such as “abc” or “6543” are easy to guess."
    ),
    "Recent years are easy to guess.": _l("Dates and years are easy to guess."),
    "Dates are often easy to guess.": _l("Dates and years are easy to guess."),
    "This is a top-10 common password.": _l("This is one of the most common passwords."),
    "This is a top-100 common password.": _l("This is one of the most common passwords."),
    "This is a very common password.": _l("This is one of the most common passwords."),
    "This is similar to a commonly used password.": _l("This is close to a common password."),
    "A word by itself is easy to guess.": _l("A single word on its own is easy to guess."),
    "Names and surnames by themselves are easy to guess.": _l("Names are easy to guess."),
    "Common names and surnames are easy to guess.": _l("Names are easy to guess."),
}

#: zxcvbn's suggestions worth passing on; the others repeat a warning above.
SUGGESTIONS = {
    "Capitalization doesn't help very much.": _l("Capital letters do not help much."),
    "All-uppercase is almost as easy to guess as all-lowercase.": _l(
        "Capital letters do not help much."
    ),
    "Reversed words aren't much harder to guess.": _l(
        "Words spelt backwards are not much harder to guess."
    ),
    "Predictable substitutions like '@' instead of 'a' don't help very much.": _l(
        "Swapping letters for look-alike symbols, such as @ for a, does not help much."
    ),
}


def password_problems(password: str, *, user_inputs: Iterable[str | None] = ()) -> list[str]:
    """Translated reasons why ``password`` is refused; an empty list means it is accepted."""
    if len(password) < MIN_LENGTH:
        return [str(_l("Use at least %(count)d characters.", count=MIN_LENGTH))]
    if len(password) > MAX_LENGTH:
        return [str(_l("Use at most %(count)d characters.", count=MAX_LENGTH))]
    # Imported here: its dictionaries cost every web worker ~12 MB, used only on password pages.
    from zxcvbn import zxcvbn

    estimated = password[:ESTIMATE_LENGTH]
    result = zxcvbn(estimated, user_inputs=personal_words(user_inputs))
    if result["score"] >= MIN_SCORE and not _mostly_personal(result, len(estimated)):
        return []
    return _feedback(result)


def personal_words(values: Iterable[str | None]) -> list[str]:
    """The person's name and address, whole and in parts, plus the app's own words."""
    words: list[str] = list(APP_WORDS)
    for value in values:
        if not value:
            continue
        value = value.strip().lower()
        words.append(value)
        words.extend(part for part in re.split(r"[\s@._+-]+", value) if len(part) >= 3)
    return list(dict.fromkeys(words))


def _personal_length(result: dict[str, Any]) -> int:
    return sum(
        len(match["token"])
        for match in result["sequence"]
        if match.get("dictionary_name") == "user_inputs"
    )


def _mostly_personal(result: dict[str, Any], length: int) -> bool:
    # zxcvbn may still score "karinordmann2024" 3, but anyone who knows the person guesses it.
    return _personal_length(result) * 2 >= length


def _feedback(result: dict[str, Any]) -> list[str]:
    messages = [TOO_EASY]
    if _personal_length(result):
        messages.append(PERSONAL)
    feedback = result["feedback"]
    if feedback.get("warning") in WARNINGS:
        messages.append(WARNINGS[feedback["warning"]])
    messages.append(ADD_WORDS)
    messages.extend(SUGGESTIONS[text] for text in feedback["suggestions"] if text in SUGGESTIONS)
    # The same message can come from two sources; show it once, in order.
    return list(dict.fromkeys(str(message) for message in messages))


class StrongPassword:
    """WTForms validator applying the policy.

    The person's own words come from ``user_inputs(form)``, or else from the form's
    ``password_user_inputs()`` method when it has one.
    """

    def __init__(self, user_inputs: Callable[[Form], Iterable[str | None]] | None = None) -> None:
        self.user_inputs = user_inputs

    def __call__(self, form: Form, field: Field) -> None:
        inputs: Iterable[str | None] = ()
        if self.user_inputs is not None:
            inputs = self.user_inputs(form)
        elif hasattr(form, "password_user_inputs"):
            inputs = form.password_user_inputs()
        problems = password_problems(field.data or "", user_inputs=inputs)
        if problems:
            # One message per line beside the field: all but the last go straight into the
            # field's error list (WTForms keeps one list per validation run).
            field.errors.extend(problems[:-1])
            raise ValidationError(problems[-1])
