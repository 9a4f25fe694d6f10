"""The in-memory name index behind the case search: kept current, bounded, never at rest."""

from __future__ import annotations

import datetime as dt

import pytest

from guide.cases import name_index
from guide.cases.name_index import NameIndexes, OrganisationNames, children_named, normalise
from guide.database import utcnow
from tests import factories
from tests.stored import database_bytes


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Øystein", "oystein"),
        ("ÅSE-Marie", "ase marie"),
        ("Wiśniewska", "wisniewska"),
        ("Kjærstad", "kjaerstad"),
        ("Łukasz  O'Neill", "lukasz o neill"),
        ("Straße", "strasse"),
        ("  ", ""),
    ],
)
def test_names_are_normalised_for_searching(typed, stored):
    assert normalise(typed) == stored


def ids_named(org, text: str) -> set:
    return set(children_named(org.id, text).child_ids)


def test_the_index_follows_new_renamed_and_deleted_children(app, db, monkeypatch):
    org = factories.organisation()
    amina = factories.child_case(org, first_name="Amina", last_name="Hansen").child
    assert ids_named(org, "ami") == {amina.id}
    names = name_index.name_indexes().for_organisation(org.id)
    assert names.count == 1 and names.overlay == {}

    jamila = factories.child_case(org, first_name="Jamila", last_name="Berg").child
    db.session.flush()
    assert ids_named(org, "ami") == {amina.id, jamila.id}
    assert names.count == 2 and set(names.overlay) == {jamila.id}

    amina.first_name = "Zahra"
    db.session.flush()
    assert ids_named(org, "ami") == {jamila.id}
    assert ids_named(org, "zahra hans") == {amina.id}
    assert names.count == 2  # a rename is no new child

    # A deleted child stays in memory until the next count check rebuilds the index.
    db.session.delete(jamila.cases[0])
    db.session.delete(jamila)
    db.session.flush()
    monkeypatch.setattr(name_index, "COUNT_CHECK_SECONDS", 0.0)
    assert ids_named(org, "ami") == set()
    assert names.count == 1 and "jamila" not in names.text and names.overlay == {}


def test_an_index_is_rebuilt_when_its_changes_pile_up(app, db, monkeypatch):
    org = factories.organisation()
    factories.child_case(org, first_name="Amina", last_name="Hansen")
    assert len(ids_named(org, "ami")) == 1
    monkeypatch.setattr(name_index, "OVERLAY_LIMIT", 1)
    for number in range(2):
        factories.child_case(org, first_name=f"Amir{'a' * number}", last_name="Berg")
    db.session.flush()
    assert len(ids_named(org, "ami")) == 3
    names = name_index.name_indexes().for_organisation(org.id)
    assert len(names.overlay) == 2
    factories.child_case(org, first_name="Samira", last_name="Lie")
    db.session.flush()
    assert len(ids_named(org, "ami")) == 4
    assert names.overlay == {} and "samira lie" in names.text


def test_a_change_stamped_before_the_watermark_margin_is_still_read(app, db):
    org = factories.organisation()
    child = factories.child_case(org, first_name="Amina", last_name="Hansen").child
    assert ids_named(org, "ami") == {child.id}
    # A rename committed late: its row was stamped a minute before this refresh.
    child.first_name = "Nora"
    db.session.flush()
    child.updated_at = utcnow() - dt.timedelta(minutes=1)
    db.session.flush()
    assert ids_named(org, "nora") == {child.id}


def test_the_least_recently_searched_organisation_is_dropped_first(app, db):
    indexes = NameIndexes(budget_chars=40)
    first, second = OrganisationNames(factories.organisation().id), None
    first.text = "x" * 30
    indexes.organisations[first.organisation_id] = first
    second = indexes.for_organisation(factories.organisation().id)
    second.text = "y" * 30
    indexes.evict()
    assert list(indexes.organisations) == [second.organisation_id]


def test_a_search_answers_at_most_its_limit(app, db):
    org = factories.organisation()
    for number in range(5):
        factories.child_case(org, first_name="Amina", last_name=f"Hansen{number}")
    names = OrganisationNames(org.id)
    names.build()
    assert len(names.search(["ami"]).child_ids) == 5
    capped = names.search(["ami"], limit=3)
    assert len(capped.child_ids) == 3 and capped.too_many


def test_searching_leaves_no_name_in_the_database(app, db):
    org = factories.organisation()
    factories.child_case(org, first_name="Øysteinvik", last_name="Kvalsundberg")
    db.session.commit()
    assert ids_named(org, "oysteinvik kvalsund")
    db.session.commit()
    raw = database_bytes(db)
    for needle in ("Øysteinvik", "oysteinvik", "Kvalsundberg", "kvalsundberg", "OYSTEINVIK"):
        assert needle.encode() not in raw, needle
    # Control: the scan finds a name where one is stored in plain text.
    factories.child_case(org).child.school = "Kvalsundberg skole"
    db.session.commit()
    assert b"Kvalsundberg" in database_bytes(db)


def test_a_viewer_without_the_list_permission_gets_nothing_and_builds_no_index(app, db):
    from guide.cases.services import list_cases

    org = factories.organisation()
    guide = factories.user(org, "guide")
    factories.child_case(org, first_name="Amina", last_name="Hansen", guide=guide)
    page = list_cases(viewer=guide, search="ami")
    assert page.cases == []
    assert org.id not in name_index.name_indexes().organisations
    coordinator = factories.user(org, "coordinator")
    assert len(list_cases(viewer=coordinator, search="ami").cases) == 1
    assert org.id in name_index.name_indexes().organisations
