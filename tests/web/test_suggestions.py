"""Suggestions for a case: fit the child's age and area, ranked by the child's interests."""

from __future__ import annotations

import pytest

from guide.activities.search import interests_of, normalised_words, rank_suggestions
from guide.i18n import format_money
from tests import factories
from tests.web.helpers import signed_in_as


@pytest.fixture
def setting(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, guide=guide, status="in_progress", birth_date="2015-04-01")
    factories.place_child(case, "Nord")
    case.interest_tags = ["guitar", "music"]
    case.interests_in_own_words = "Gitar! Jeg vil lære å spille som broren min"
    db.session.commit()
    return org, guide, case


def suggestions_page(client, case, **query) -> str:
    response = client.get(f"/cases/{case.id}/suggestions", query_string=query)
    assert response.status_code == 200
    return response.text


def test_best_match_first_with_the_reason_shown(client, db, setting):
    org, _guide, case = setting
    factories.activity(
        org, name="Orienteering", category_key="sport", area="Nord", fee_per_season=10_000
    )
    factories.activity(
        org,
        name="Gitargruppe",
        category_key="music",
        area="Nord",
        fee_per_season=120_000,
        has_free_trial=True,
    )
    factories.activity(
        org, name="Skolekorps", category_key="music", area="Nord", fee_per_season=50_000
    )
    db.session.commit()

    html = suggestions_page(client, case)
    order = [html.index(name) for name in ("Gitargruppe", "Skolekorps", "Orienteering")]
    assert order == sorted(order), "guitar and music first, then music, then the cheapest"
    assert (
        f"matches: Guitar, Music · free trial · {format_money(120_000, locale='en')} per season"
    ) in html


def test_only_activities_that_fit_the_childs_age_and_area(client, db, setting):
    org, _guide, case = setting
    factories.activity(org, name="Fits", area="Nord", min_age=6, max_age=16)
    factories.activity(org, name="Anywhere", min_age=6, max_age=16)
    factories.activity(org, name="Other area", area="Sør")
    factories.activity(org, name="Too old", area="Nord", max_age=6)
    factories.activity(factories.organisation(), name="Other organisation", area="Nord")
    db.session.commit()
    html = suggestions_page(client, case)
    assert "Fits" in html and "Anywhere" in html
    for absent in ("Other area", "Too old", "Other organisation"):
        assert absent not in html


def test_filters_narrow_the_suggestions(client, db, setting):
    org, _guide, case = setting
    factories.activity(org, name="Gitargruppe", area="Nord", fee_per_season=140_000)
    factories.activity(
        org, name="Band", area="Nord", fee_per_season=140_000, extra_costs=(("trips", 10_001),)
    )
    factories.activity(org, name="Fotball", category_key="sport", area="Nord")
    db.session.commit()
    html = suggestions_page(client, case, category="music", max_total="1500")
    assert "Gitargruppe" in html
    assert "Band" not in html and "Fotball" not in html


def test_guide_cannot_see_suggestions_for_an_unassigned_case(client, db, setting):
    org, _guide, _case = setting
    other = factories.child_case(org, guide=factories.user(org, "guide"), status="in_progress")
    db.session.commit()
    assert client.get(f"/cases/{other.id}/suggestions").status_code == 404


def test_coordinator_sees_suggestions_for_any_case_of_the_organisation(client, db):
    org = factories.organisation()
    case = factories.child_case(org, guide=factories.user(org, "guide"), status="in_progress")
    factories.activity(org, name="Gitargruppe")
    signed_in_as(client, org, "coordinator", preferred_locale="en")
    assert "Gitargruppe" in suggestions_page(client, case)


def test_keyword_matching_is_simple_and_normalised():
    assert normalised_words("Jeg vil SPILLE Gitar, og dans!") == ["gitar", "dans"]
    interests = interests_of(["Football", "football"], "Fotball og tegne med vennene mine")
    assert [interest.label for interest in interests] == ["football", "tegne"]


def test_ranking_prefers_more_matches_then_home_area_then_neighbours_then_price(db):
    import uuid

    from guide.activities.models import Activity
    from guide.activities.search import ActivityResult

    nord, nordby, sor = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def result(name, area_id, total, category="music"):
        return ActivityResult(Activity(name=name, area_id=area_id, category_key=category), total)

    ranked = rank_suggestions(
        [
            result("Piano", sor, 100),
            result("Gitar og sang", sor, 900),
            result("Gitarkurs billig", sor, 300),
            result("Gitarkurs nabo", nordby, 400),
            result("Gitarkurs", nord, 500),
        ],
        interests_of(["guitar", "singing"], None),
        nearby_areas=[nord, nordby],
    )
    assert [s.activity.name for s in ranked] == [
        "Gitar og sang",
        "Gitarkurs",
        "Gitarkurs nabo",
        "Gitarkurs billig",
        "Piano",
    ]
    assert ranked[0].matched == ["guitar", "singing"]


def test_a_child_in_nordby_gets_football_from_the_neighbouring_area_nord(client, db):
    # The case: the activity is in "Nord", the child was referred in "Nordby".
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, guide=guide, status="in_progress", birth_date="2015-04-01")
    nord = factories.area(org, "Nord")
    factories.place_child(case, "Nordby", neighbours=[nord])
    case.interest_tags = ["football"]
    factories.activity(org, name="Fotball G10", category_key="sport", area="Nord")
    factories.activity(org, name="Fotball Sør", category_key="sport", area="Sør")
    factories.activity(org, name="Fotball Nordby", category_key="sport", area="Nordby")
    db.session.commit()
    html = suggestions_page(client, case)
    assert "Fotball G10" in html and "Fotball Sør" not in html
    assert html.index("Fotball Nordby") < html.index("Fotball G10"), "own area first"


def test_without_the_neighbourhood_nord_is_not_suggested_for_nordby(client, db):
    # The control: it is the neighbourhood, not the likeness of the names, that counts.
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, guide=guide, status="in_progress", birth_date="2015-04-01")
    factories.place_child(case, "Nordby")
    case.interest_tags = ["football"]
    factories.activity(org, name="Fotball G10", category_key="sport", area="Nord")
    db.session.commit()
    assert "Fotball G10" not in suggestions_page(client, case)


def test_an_other_spelling_is_the_same_area(db):
    from guide.areas.models import area_key
    from guide.areas.services import area_lookup

    org = factories.organisation()
    nord = factories.area(org, "Nord", aliases=["Nordbyen", "Bydel Nord"])
    lookup = area_lookup(org.id)
    for spelling in ("nordbyen", "  BYDEL   nord ", "Nord"):
        assert lookup[area_key(spelling)] is nord
    assert area_key("Nordby") not in lookup
