"""The case page: notes only for those who may edit, and a cost that does not grow with the case."""

from __future__ import annotations

import datetime as dt

from guide.cases.followups import schedule_follow_ups
from guide.cases.models import Guardian, Visit
from guide.cases.workflow import change_status
from tests import factories
from tests.db.test_case_list_queries import statements_for
from tests.web.helpers import signed_in_as
from tests.web.test_guide_pages import add_referral

NOTE = "Familien er på ferie til august"


def test_status_change_notes_are_shown_to_the_coordinator_but_not_to_the_guide(app, client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    coordinator_client = app.test_client()
    coordinator = signed_in_as(coordinator_client, org, "coordinator", preferred_locale="en")
    case = factories.child_case(org, guide=guide, status="in_progress")
    change_status(case, "paused", by=coordinator, note=NOTE)
    db.session.commit()

    guide_page = client.get(f"/cases/{case.id}").text
    coordinator_page = coordinator_client.get(f"/cases/{case.id}").text

    assert "Paused" in guide_page.split("History", 1)[1]
    assert NOTE not in guide_page
    assert f"Note: {NOTE}" in coordinator_page


def test_a_long_case_costs_as_many_statements_as_a_new_one(app, client, db):
    org = factories.organisation()
    signed_in_as(client, org, "coordinator", preferred_locale="en")
    new_case = factories.child_case(org, guide=factories.user(org, "guide"), status="in_progress")
    long_case = factories.child_case(org, guide=factories.user(org, "guide"), status="in_progress")
    add_a_years_work(db, org, long_case)
    db.session.commit()

    long_page = client.get(f"/cases/{long_case.id}").text
    assert long_page.count("Logged by") == 6
    assert "Second guardian 5" in long_page
    assert statements_for(app, client, f"/cases/{new_case.id}") == statements_for(
        app, client, f"/cases/{long_case.id}"
    )


def add_a_years_work(db, org, case) -> None:
    """Visits, status changes, guardians and referrals, each by or for someone new."""
    referrer = factories.user(org, "referrer", second_factor=False)
    for number in range(6):
        someone = factories.user(org, "guide", second_factor=False)
        case.visits.append(
            Visit(author=someone, kind="home_visit", occurred_on=dt.date(2025, 1, 1 + number))
        )
        change_status(case, "paused" if number % 2 == 0 else "in_progress", by=someone)
        case.child.guardians.append(
            Guardian(
                organisation_id=org.id,
                full_name=f"Second guardian {number}",
                relation="other_guardian",
                preferred_language="nb",
            )
        )
        add_referral(db, case, referrer)
    schedule_follow_ups(case, start=dt.date(2025, 1, 1))
