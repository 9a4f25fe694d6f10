"""What each line of the coordinator's dashboard says about a case, its child and its guide."""

from __future__ import annotations

import datetime as dt

from guide.cases.closing import close_case, reopen_case
from guide.cases.followups import schedule_follow_ups
from guide.cases.models import Case, VisitKind
from guide.cases.visits import log_visit
from guide.dashboard.services import cases_without_recent_visit
from guide.dates import add_months
from tests import factories
from tests.web.helpers import signed_in_as

#: Noon in Oslo on a fixed day, so "today" is the same date in UTC and locally.
NOON = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)


def line_for(html: str, list_id: str, reference: str) -> str:
    """The text of the ``<li>`` in list ``list_id`` that links to case ``reference``."""
    items = html.split(f'id="{list_id}"', 1)[1].split("</ul>", 1)[0].split("<li>")
    [line] = [item for item in items if reference in item]
    return " ".join(line.split())


def test_dashboard_lines_name_the_child_area_and_guide_or_say_what_is_missing(
    client, db, monkeypatch
):
    org = factories.organisation()
    signed_in_as(client, org, "coordinator", preferred_locale="en")
    guide = factories.user(org, "guide")
    started = add_months(NOON.date(), -2)
    with_guide = factories.child_case(org, first_name="Mira", status="active", guide=guide)
    without_guide = factories.child_case(org, first_name="Noah", status="active")
    for case in (with_guide, without_guide):
        schedule_follow_ups(case, start=started)
    in_area = factories.child_case(org, first_name="Ada", status="accepted", referred_at=NOON)
    factories.place_child(in_area, "Nord")
    erased = factories.child_case(org, first_name="Glemt", status="accepted", referred_at=NOON)
    erased.child = None
    db.session.commit()
    monkeypatch.setattr("guide.dates.utcnow", lambda: NOON)

    html = client.get("/dashboard").text

    named = line_for(html, "overdue-follow-ups", with_guide.reference)
    assert "Mira" in named
    assert guide.full_name in named
    unassigned = line_for(html, "overdue-follow-ups", without_guide.reference)
    assert "Noah" in unassigned
    assert "No guide" in unassigned
    assert "Ada (Nord)" in line_for(html, "waiting-for-guide", in_area.reference)
    nameless = line_for(html, "waiting-for-guide", erased.reference)
    assert "Glemt" not in nameless
    assert "None" not in nameless
    assert f'href="/cases/{erased.id}"' in nameless


def test_quiet_cases_come_never_visited_first_then_longest_since_a_visit(db, monkeypatch):
    org = factories.organisation()
    guide = factories.user(org, "guide")
    today = NOON.date()

    def weeks_ago(weeks: int) -> dt.date:
        return today - dt.timedelta(weeks=weeks)

    def assigned(weeks: int, *visits_weeks_ago: int) -> Case:
        case = factories.child_case(org, status="guide_assigned", guide=guide)
        case.guide_assigned_at = NOON - dt.timedelta(weeks=weeks)
        for visit in visits_weeks_ago:
            log_visit(case, by=guide, kind=VisitKind.home_visit, occurred_on=weeks_ago(visit))
        return case

    nine_weeks = assigned(20, 9, 16)  # the newest visit counts, logged first or not
    never_since_four = assigned(4)
    never_since_eight = assigned(8)
    recent = assigned(20, 12, 1)
    five_weeks = assigned(20, 5)
    db.session.commit()

    def quiet() -> list[tuple]:
        rows = cases_without_recent_visit(organisation_id=org.id, today=today, weeks=3)
        return [(row.case.id, row.last_visit_on) for row in rows]

    assert quiet() == [
        (never_since_eight.id, None),
        (never_since_four.id, None),
        (nine_weeks.id, weeks_ago(9)),
        (five_weeks.id, weeks_ago(5)),
    ]
    assert recent.id not in dict(quiet())
    # A shorter list still starts with the cases never visited.
    monkeypatch.setattr("guide.dashboard.services.LIST_LIMIT", 3)
    assert [case_id for case_id, _ in quiet()] == [
        never_since_eight.id,
        never_since_four.id,
        nine_weeks.id,
    ]


def test_a_reopened_case_shows_its_overdue_follow_ups_again(client, db, monkeypatch):
    org = factories.organisation()
    coordinator = signed_in_as(client, org, "coordinator", preferred_locale="en")
    case = factories.child_case(org, status="active", guide=factories.user(org, "guide"))
    schedule_follow_ups(case, start=add_months(NOON.date(), -4))
    db.session.commit()
    monkeypatch.setattr("guide.dates.utcnow", lambda: NOON)

    def overdue() -> str:
        return (
            client.get("/dashboard").text.split('id="overdue-heading"', 1)[1].split("</section>")[0]
        )

    assert case.reference in overdue()
    close_case(case, by=coordinator, reason="moved")
    assert case.reference not in overdue()
    reopen_case(db.session.get(Case, case.id), by=coordinator)
    assert case.reference in overdue()
