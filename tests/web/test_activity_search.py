"""Searching the catalogue: total cost with extras (inclusive at the limit), filters, sorting."""

from __future__ import annotations

import datetime as dt

import pytest

from consent import age_on
from guide.activities.search import (
    ActivityFilters,
    SortOrder,
    filter_options,
    search_activities,
)
from guide.dates import local_date
from guide.i18n import format_money
from tests import factories
from tests.web.helpers import signed_in_as

LIMIT = 150_000  # 1 500 kr


def names(page) -> list[str]:
    return [result.activity.name for result in page.results]


def search(org, **filters):
    sort = filters.pop("sort", SortOrder.total_cost)
    home_area = filters.pop("home_area", None)
    return search_activities(
        organisation_id=org.id,
        filters=ActivityFilters(**filters),
        sort=sort,
        home_area=home_area,
    )


@pytest.fixture
def org(db):
    return factories.organisation()


def test_total_cost_limit_counts_extra_costs_and_includes_the_exact_limit(db, org):
    factories.activity(
        org, name="Exactly at the limit", fee_per_season=100_000, extra_costs=(("cups", 50_000),)
    )
    factories.activity(
        org,
        name="One øre over",
        fee_per_season=100_000,
        extra_costs=(("cups", 40_000), ("trips", 10_001)),
    )
    factories.activity(
        org, name="Cheap fee, dear extras", fee_per_season=10_000, extra_costs=(("camps", 200_000),)
    )
    factories.activity(org, name="No extras", fee_per_season=LIMIT)
    db.session.commit()

    at_limit = search(org, max_total=LIMIT)
    assert sorted(names(at_limit)) == ["Exactly at the limit", "No extras"]
    assert {result.total_cost for result in at_limit.results} == {LIMIT}

    one_ore_less = search(org, max_total=LIMIT - 1)
    assert names(one_ore_less) == []

    everything = search(org)
    totals = {result.activity.name: result.total_cost for result in everything.results}
    assert totals == {
        "Exactly at the limit": LIMIT,
        "One øre over": LIMIT + 1,
        "Cheap fee, dear extras": 210_000,
        "No extras": LIMIT,
    }


def test_search_page_filters_on_total_cost_typed_in_kroner(client, db, org):
    factories.activity(
        org, name="Gitargruppe", fee_per_season=120_000, extra_costs=(("uniforms", 30_000),)
    )
    factories.activity(
        org,
        name="Dyr fotball",
        category_key="sport",
        fee_per_season=120_000,
        extra_costs=(("cups", 30_001),),
    )
    signed_in_as(client, org, "guide", preferred_locale="nb")

    html = client.get("/activities/search", query_string={"max_total": "1 500"}).text
    assert "Gitargruppe" in html
    assert "Dyr fotball" not in html
    # The whole price, and what it is made of.
    assert format_money(LIMIT, locale="nb") in html
    assert format_money(120_000, locale="nb") in html
    assert format_money(30_000, locale="nb") in html

    html = client.get("/activities/search", query_string={"max_total": "1499,99"}).text
    assert "Gitargruppe" not in html


def test_an_unreadable_price_limit_is_explained_and_does_not_filter(client, db, org):
    factories.activity(org, name="Gitargruppe")
    signed_in_as(client, org, "guide", preferred_locale="en")
    html = client.get("/activities/search", query_string={"max_total": "lots"}).text
    assert "Write the amount in kroner with digits" in html
    assert "Gitargruppe" in html


def test_age_fits_with_open_bounds(db, org):
    factories.activity(org, name="9 to 12", min_age=9, max_age=12)
    factories.activity(org, name="From 12", min_age=12)
    factories.activity(org, name="Up to 8", max_age=8)
    factories.activity(org, name="Any age")
    db.session.commit()
    assert sorted(names(search(org, age=12))) == ["9 to 12", "Any age", "From 12"]
    assert sorted(names(search(org, age=8))) == ["Any age", "Up to 8"]
    assert sorted(names(search(org, age=9))) == ["9 to 12", "Any age"]


def test_category_area_weekday_language_and_free_trial_filters(db, org):
    factories.activity(
        org,
        name="Match",
        category_key="music",
        area="Nord",
        weekday=1,
        leader_languages=["nb", "ar"],
        has_free_trial=True,
    )
    factories.activity(
        org,
        name="Other category",
        category_key="sport",
        area="Nord",
        weekday=1,
        leader_languages=["ar"],
        has_free_trial=True,
    )
    factories.activity(
        org, name="Other area", area="Sør", weekday=1, leader_languages=["ar"], has_free_trial=True
    )
    factories.activity(
        org, name="Other day", area="Nord", weekday=3, leader_languages=["ar"], has_free_trial=True
    )
    factories.activity(
        org,
        name="Other language",
        area="Nord",
        weekday=1,
        leader_languages=["nb", "pl"],
        has_free_trial=True,
    )
    factories.activity(org, name="No trial", area="Nord", weekday=1, leader_languages=["ar"])
    db.session.commit()
    found = search(
        org, category="music", area="Nord", weekday=1, language="ar", free_trial_only=True
    )
    assert names(found) == ["Match"]
    assert names(search(org, language="pl")) == ["Other language"]
    assert names(search(org, language="ab")) == []


def test_inactive_activities_clubs_and_other_organisations_are_never_found(db, org):
    factories.activity(org, name="Open")
    factories.activity(org, name="Stopped", is_active=False)
    closed = factories.activity(org, name="Club closed")
    closed.club.is_active = False
    factories.activity(factories.organisation(), name="Elsewhere")
    db.session.commit()
    assert names(search(org)) == ["Open"]


def test_sort_by_total_cost_or_own_area_first(db, org):
    factories.activity(org, name="Sør cheap", area="Sør", fee_per_season=10_000)
    factories.activity(org, name="Nord dear", area="Nord", fee_per_season=90_000)
    factories.activity(org, name="Nord cheap", area="Nord", fee_per_season=20_000)
    factories.activity(org, name="Anywhere", fee_per_season=5_000)
    db.session.commit()
    assert names(search(org)) == ["Anywhere", "Sør cheap", "Nord cheap", "Nord dear"]
    by_area = search(org, sort=SortOrder.area, home_area="Sør")
    assert names(by_area) == ["Sør cheap", "Nord cheap", "Nord dear", "Anywhere"]


def test_sorted_by_area_a_childs_own_area_comes_first_then_its_neighbours(db, org):
    nord = factories.area(org, "Nord")
    nordby = factories.area(org, "Nordby", neighbours=[nord])
    factories.activity(org, name="Aasen cheap", area="Aasen", fee_per_season=1_000)
    factories.activity(org, name="Nord", area="Nord", fee_per_season=5_000)
    factories.activity(org, name="Nordby", area="Nordby", fee_per_season=9_000)
    db.session.commit()
    page = search_activities(
        organisation_id=org.id,
        filters=ActivityFilters(),
        sort=SortOrder.area,
        nearby_areas=[nordby.id, nord.id],
    )
    assert names(page) == ["Nordby", "Nord", "Aasen cheap"]


def test_results_come_one_bounded_page_at_a_time(client, db, org):
    for number in range(25):
        factories.activity(org, name=f"Activity {number:02}", fee_per_season=number * 100)
    db.session.commit()
    first = search(org)
    assert len(first.results) == 20 and first.has_next
    second = search_activities(organisation_id=org.id, filters=ActivityFilters(), page=2)
    assert names(second) == [f"Activity {number}" for number in range(20, 25)]
    assert not second.has_next
    far = search_activities(organisation_id=org.id, filters=ActivityFilters(), page=10_000)
    assert far.page == 50 and far.results == []

    signed_in_as(client, org, "coordinator", preferred_locale="en")
    html = client.get("/activities/search", query_string={"page": "2"}).text
    assert "Activity 24" in html and "Activity 00" not in html
    assert "Previous page" in html


def test_search_for_a_case_uses_the_childs_age(client, db, org):
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, guide=guide, status="in_progress", birth_date="2015-04-01")
    age = age_on(dt.date(2015, 4, 1), local_date())
    factories.activity(org, name="Fits", min_age=age, max_age=age)
    factories.activity(org, name="Too young", max_age=age - 2)
    db.session.commit()
    html = client.get("/activities/search", query_string={"case": str(case.id)}).text
    assert "Fits" in html and "Too young" not in html
    assert f"/cases/{case.id}/activities/propose" in html


def test_guide_cannot_search_on_behalf_of_an_unassigned_case(client, db, org):
    colleague = factories.user(org, "guide")
    case = factories.child_case(org, guide=colleague, status="in_progress")
    signed_in_as(client, org, "guide")
    response = client.get("/activities/search", query_string={"case": str(case.id)})
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["referrer", "admin", "club_contact"])
def test_only_guides_and_coordinators_search(client, db, org, role):
    signed_in_as(client, org, role)
    assert client.get("/activities/search").status_code == 403


def test_filter_options_come_only_from_open_activities(db, org):
    factories.activity(org, category_key="music", area="Sør", leader_languages=["nb", "ar"])
    factories.activity(org, category_key="sport", area="Nord", leader_languages=["ar", "pl"])
    factories.activity(org, category_key="sport", area=None, leader_languages=[])
    factories.activity(
        org, category_key="arts", area="Vest", leader_languages=["so"], is_active=False
    )
    closed = factories.activity(org, category_key="scouts", area="Øst", leader_languages=["uk"])
    closed.club.is_active = False
    factories.activity(factories.organisation(), category_key="dance", area="Midt")
    db.session.commit()
    offered = filter_options(organisation_id=org.id)
    assert offered.category_keys == ["music", "sport"]
    assert offered.areas == ["Nord", "Sør"]
    assert offered.languages == ["ar", "nb", "pl"]
