"""References are random, carry no personal data, and never repeat one already stored."""

from __future__ import annotations

import re

from guide.cases import identity
from guide.cases.identity import new_reference, unused_reference
from guide.cases.models import Case
from tests import factories


def test_reference_shape():
    assert re.fullmatch(r"FG-[2-9A-HJKMNP-Z]{6}", new_reference())


def test_a_reference_already_stored_is_skipped(db, monkeypatch):
    taken = factories.child_case(factories.organisation()).reference
    db.session.commit()
    offered = iter([taken, taken, "FG-NEW234"])
    monkeypatch.setattr(identity, "new_reference", lambda prefix="FG": next(offered))
    assert unused_reference(Case.reference, "FG") == "FG-NEW234"
