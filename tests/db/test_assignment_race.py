"""Two coordinators assign the same case at once: the version column lets only one win."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from guide.cases.assignment import assign_guide
from guide.cases.models import Case, CaseStatus
from guide.guides.models import GuideProfile
from tests import factories


@pytest.fixture
def race(db):
    """A waiting case, a coordinator and two cleared guides, committed."""
    org = factories.organisation()
    coordinator = factories.user(org, "coordinator")
    first, second = factories.user(org, "guide"), factories.user(org, "guide")
    case = factories.child_case(org, status="accepted")
    db.session.commit()
    return case.id, coordinator, first.guide_profile.id, second.guide_profile.id


def test_second_of_two_concurrent_sessions_cannot_overwrite_the_first(db, race):
    case_id, _coordinator, first_guide_id, second_guide_id = race
    with Session(db.engine) as one, Session(db.engine) as two:
        mine, theirs = one.get(Case, case_id), two.get(Case, case_id)
        assert mine.version == theirs.version
        mine.assigned_guide_id, mine.status = first_guide_id, CaseStatus.guide_assigned
        theirs.assigned_guide_id, theirs.status = second_guide_id, CaseStatus.guide_assigned
        one.commit()
        with pytest.raises(StaleDataError):
            two.commit()
        two.rollback()

    db.session.expire_all()
    stored = db.session.get(Case, case_id)
    assert stored.assigned_guide_id == first_guide_id
    assert stored.version == 2


def test_the_assignment_service_loses_cleanly_against_a_committed_rival(app, db, race):
    case_id, coordinator, first_guide_id, second_guide_id = race
    case = db.session.get(Case, case_id)
    guide = db.session.get(GuideProfile, second_guide_id)
    seen_version = case.version
    with Session(db.engine) as rival:
        rivals_case = rival.get(Case, case_id)
        rivals_case.assigned_guide_id = first_guide_id
        rivals_case.status = CaseStatus.guide_assigned
        rival.commit()

    # This session still holds the case as it was loaded, so the version check passes
    # and only the UPDATE ... WHERE version = ... can tell that the case has moved on.
    with app.test_request_context(), pytest.raises(StaleDataError):
        assign_guide(case, guide, by=coordinator, expected_version=seen_version)
        db.session.commit()
    db.session.rollback()

    stored = db.session.get(Case, case_id)
    assert stored.assigned_guide_id == first_guide_id
    assert stored.version == seen_version + 1
