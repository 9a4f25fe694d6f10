"""A child's age, and the age from which a child consents for itself: one rule for the app."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from consent import CHILD_OWN_CONSENT_AGE, age_on, may_consent_alone

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("born_on", "day", "age"),
    [
        (dt.date(2015, 4, 1), dt.date(2026, 3, 31), 10),
        (dt.date(2015, 4, 1), dt.date(2026, 4, 1), 11),
        (dt.date(2015, 4, 1), dt.date(2015, 4, 1), 0),
        (dt.date(2015, 12, 31), dt.date(2016, 1, 1), 0),
        # Born on 29 February: a year older on 1 March when there is no 29th.
        (dt.date(2012, 2, 29), dt.date(2027, 2, 28), 14),
        (dt.date(2012, 2, 29), dt.date(2027, 3, 1), 15),
        (dt.date(2012, 2, 29), dt.date(2028, 2, 29), 16),
    ],
)
def test_age_counts_whole_years_from_the_birthday_itself(born_on, day, age):
    assert age_on(born_on, day) == age


def test_a_child_consents_alone_from_the_fifteenth_birthday():
    assert CHILD_OWN_CONSENT_AGE == 15
    born_on = dt.date(2011, 6, 15)

    assert not may_consent_alone(born_on, dt.date(2026, 6, 14))
    assert may_consent_alone(born_on, dt.date(2026, 6, 15))


def functions_and_constants(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def test_the_app_has_no_age_rule_of_its_own():
    copies = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "guide").rglob("*.py"))
        for name in functions_and_constants(path)
        if re.fullmatch(r"_?age_on|\w*CONSENT_AGE\w*", name)
    ]

    assert copies == []


def test_no_text_a_user_reads_writes_the_consent_age_as_a_number():
    pattern = re.compile(r"\b15 or older|under 15\b|age of 15\b|from 15\b")
    texts = [*(ROOT / "guide").rglob("*.py"), *(ROOT / "templates").rglob("*.html")]

    assert [str(p.relative_to(ROOT)) for p in texts if pattern.search(p.read_text("utf-8"))] == []
