"""After loading demo data, no child's or guardian's name, birth date or phone is in plain text."""

from __future__ import annotations

from guide.demo.data import DEMO_CHILDREN
from tests.conftest import uses_postgresql
from tests.stored import database_bytes


def _needles() -> list[bytes]:
    values: list[str] = []
    for first, last, born, _a, _w, _t, _s, guardian, phone, _l in DEMO_CHILDREN:
        values += [first, last, born, guardian, phone, phone[3:]]
    return [value.encode("utf-8") for value in values]


def test_demo_data_leaves_no_plaintext_in_the_database(db):
    from guide.demo.data import load_demo_data

    assert load_demo_data()
    raw = database_bytes(db)
    assert len(raw) > 10_000
    found = [needle for needle in _needles() if needle in raw]
    assert found == []


def test_scan_finds_plaintext_when_it_is_there(db):
    """The scan itself works: a value written unencrypted is found."""
    from guide.tenant import Organisation, OrganisationKind

    db.session.add(Organisation(name="Plaintext Canary 7731", kind=OrganisationKind.municipality))
    db.session.commit()
    assert b"Plaintext Canary 7731" in database_bytes(db)


def test_loading_demo_data_twice_changes_nothing(db):
    from guide.cases.models import Case
    from guide.dates import local_date
    from guide.demo.data import history_span, load_demo_data

    assert load_demo_data()
    count = db.session.query(Case).count()
    assert load_demo_data() == []
    _days, history_cases = history_span(local_date())
    assert db.session.query(Case).count() == count == len(DEMO_CHILDREN) + history_cases


def test_postgres_flag_matches_engine(db):
    assert (db.engine.dialect.name == "postgresql") == uses_postgresql()
