"""Categories and recipients: clubs are never offered health or economy data."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from consent import NEVER_TO_CLUBS, Category, Recipient, categories_offered_to


def test_scheme_is_offered_every_category():
    assert categories_offered_to(Recipient.scheme()) == frozenset(Category)


def test_club_is_never_offered_health_or_economy():
    offered = categories_offered_to(Recipient.club("club-a"))

    assert offered == {Category.IDENTITY, Category.CONTACT, Category.PRACTICAL_NEEDS}
    assert not offered & NEVER_TO_CLUBS


def test_never_to_clubs_is_health_and_economy():
    assert {Category.HEALTH_RELATED, Category.ECONOMY} == NEVER_TO_CLUBS


def test_category_values_are_the_stored_names():
    assert [category.value for category in Category] == [
        "identity",
        "contact",
        "practical_needs",
        "health_related",
        "economy",
    ]


def test_recipients_compare_by_kind_and_club():
    assert Recipient.club("club-a") == Recipient.club("club-a")
    assert Recipient.club("club-a") != Recipient.club("club-b")
    assert Recipient.scheme() != Recipient.club("scheme")
    assert Recipient.scheme().is_club is False
    assert Recipient.club("club-a").is_club is True


@pytest.mark.parametrize(
    ("kind", "club_id"),
    [("scheme", "club-a"), ("club", None), ("club", ""), ("school", None)],
)
def test_inconsistent_recipient_is_rejected(kind, club_id):
    with pytest.raises(ValueError):
        Recipient(kind=kind, club_id=club_id)


def enum_values_by_class(path: Path) -> dict[str, set[str]]:
    """Each class in ``path`` with the string constants assigned in its body."""
    found = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            found[node.name] = {
                statement.value.value
                for statement in node.body
                if isinstance(statement, ast.Assign)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            }
    return found


def test_the_app_keeps_no_copy_of_the_categories():
    guide = Path(__file__).resolve().parents[3] / "guide"
    stored_names = {category.value for category in Category}

    copies = [
        f"{path.relative_to(guide)}: {name}"
        for path in sorted(guide.rglob("*.py"))
        for name, values in enum_values_by_class(path).items()
        if values == stored_names
    ]

    assert copies == []
