"""What each line of the coordinator's dashboard says about a case, its child and its guide."""

from __future__ import annotations

import datetime as dt

from guide.cases.followups import schedule_follow_ups
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
    in_area.child.area = "Nord"
    erased = factories.child_case(org, first_name="Glemt", status="accepted", referred_at=NOON)
    erased.child = None
    db.session.commit()
    monkeypatch.setattr("guide.cases.services.utcnow", lambda: NOON)

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
