"""Coordinators keep their organisation's activities, extra costs and categories."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from guide.activities.models import Activity, ActivityCategory, Club, ExtraCostKind
from guide.activities.services import total_cost_expression, total_cost_per_season
from guide.audit.models import AuditEvent
from tests import factories
from tests.web.helpers import csrf_token, sign_in, signed_in_as
from tests.web.test_clubs import post_form


@pytest.fixture
def coordinator(client, db):
    """A coordinator of a fresh organisation, signed in, reading English."""
    return signed_in_as(client, factories.organisation(), "coordinator", preferred_locale="en")


@pytest.fixture
def club(db, coordinator):
    found = Club(organisation_id=coordinator.organisation_id, name="Eksempel Musikkforening")
    db.session.add(found)
    db.session.commit()
    return found


def activity_form(club, **overrides):
    data = {
        "club": str(club.id),
        "name": "Gitargruppe",
        "category": "music",
        "description": "Vi lærer de første akkordene.",
        "min_age": "10",
        "max_age": "14",
        "area": "",
        "meeting_place": "Kulturhuset",
        "weekday": "2",
        "starts_at": "17:00",
        "ends_at": "18:30",
        "season": "Høst 2026",
        "fee": "1,250.50",  # the coordinator reads English
        "extra_costs-0-kind": "camps",
        "extra_costs-0-label": "Sommerleir",
        "extra_costs-0-amount": "300",
        "extra_costs-1-kind": "",
        "extra_costs-1-amount": "",
        "leader_languages": ["nb", "ar"],
        "has_free_trial": "y",
        "places_left": "4",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def activity_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Activity))


def field_error(html: str, field_id: str) -> str:
    assert f'id="{field_id}-error"' in html, f"no error beside {field_id}"
    return html.split(f'id="{field_id}-error"', 1)[1].split("</div>", 1)[0]


def test_coordinator_adds_an_activity_with_every_detail(client, db, club):
    page = client.get(f"/catalogue/activities/new?club={club.id}")
    assert page.text.count('name="extra_costs-') == 4 * 3  # four empty rows, three boxes each

    response = post_form(client, "/catalogue/activities/new", activity_form(club))

    assert response.status_code == 302
    activity = db.session.scalars(select(Activity)).one()
    assert activity.club_id == club.id
    assert activity.organisation_id == club.organisation_id
    assert activity.fee_per_season == 125050
    assert [(cost.kind, cost.label, cost.amount) for cost in activity.extra_costs] == [
        (ExtraCostKind.camps, "Sommerleir", 30000)
    ]
    assert (activity.min_age, activity.max_age, activity.weekday) == (10, 14, 2)
    assert (activity.starts_at, activity.ends_at) == (dt.time(17, 0), dt.time(18, 30))
    assert activity.leader_languages == ["nb", "ar"]
    assert activity.has_free_trial is True and activity.has_waiting_list is False
    assert activity.places_left == 4
    assert total_cost_per_season(activity) == 155050

    listing = client.get("/catalogue/activities").text
    assert "Gitargruppe" in listing
    assert 'data-total="155050"' in listing
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "activity_created"))


@pytest.mark.parametrize(
    ("overrides", "field_id", "message"),
    [
        ({"min_age": "14", "max_age": "10"}, "max_age", "cannot be lower"),
        ({"max_age": "30"}, "max_age", "from 0 to 25"),
        ({"min_age": "-1"}, "min_age", "from 0 to 25"),
        ({"fee": "-100"}, "fee", "cannot be negative"),
        ({"fee": "tusen"}, "fee", "for example 1"),
        ({"fee": ""}, "fee", "write 0 if it is free"),
        ({"starts_at": "18:00", "ends_at": "17:00"}, "ends_at", "end after it starts"),
        ({"name": ""}, "name", "Write the name"),
        ({"category": "parachuting"}, "category", "Not a valid choice"),
        ({"extra_costs-0-kind": "", "extra_costs-0-label": ""}, "extra_costs-0-kind", "what the"),
        ({"extra_costs-0-amount": ""}, "extra_costs-0-amount", "Write the amount"),
        ({"extra_costs-0-amount": "-5"}, "extra_costs-0-amount", "cannot be negative"),
    ],
)
def test_a_bad_value_is_explained_and_nothing_is_stored(
    client, db, club, overrides, field_id, message
):
    response = post_form(client, "/catalogue/activities/new", activity_form(club, **overrides))

    assert response.status_code == 400
    assert message in field_error(response.text, field_id)
    assert activity_count(db) == 0


def test_a_weekday_of_spaces_alone_means_no_weekday(client, db, club):
    response = post_form(client, "/catalogue/activities/new", activity_form(club, weekday="  "))

    assert response.status_code == 302
    assert db.session.scalars(select(Activity)).one().weekday is None


def test_a_norwegian_coordinator_writes_kroner_the_norwegian_way(client, db):
    account = factories.user(factories.organisation(), "coordinator", preferred_locale="nb")
    club = Club(organisation_id=account.organisation_id, name="Laget")
    db.session.add(club)
    db.session.commit()
    assert sign_in(client, account.email).status_code == 302

    data = activity_form(club, fee="1 250,50", **{"extra_costs-0-amount": "1 000,-"})
    response = post_form(client, "/catalogue/activities/new", data)

    assert response.status_code == 302
    activity = db.session.scalars(select(Activity)).one()
    assert total_cost_per_season(activity) == 125050 + 100000
    assert "1\u00a0250,50" in client.get(f"/catalogue/activities/{activity.id}/edit").text


def test_a_wrong_extra_cost_is_named_in_the_summary_too(client, db, club):
    data = activity_form(club, **{"extra_costs-1-kind": "trips", "extra_costs-1-amount": "x"})
    response = post_form(client, "/catalogue/activities/new", data)

    assert response.status_code == 400
    assert "Extra cost 2: Write the amount in kroner with digits" in response.text


def test_activities_cannot_be_put_in_another_organisations_club(client, db, club):
    foreign = factories.activity(factories.organisation())
    db.session.commit()

    data = {**activity_form(club, name="Snik"), "club": str(foreign.club_id)}
    response = post_form(client, "/catalogue/activities/new", data)

    assert response.status_code == 400
    assert activity_count(db) == 1  # only the foreign one


def test_coordinator_edits_an_activity_and_replaces_its_extra_costs(client, db, club):
    activity = factories.activity(
        club.organisation, club=club, extra_costs=(("trips", 10000), ("cups", 20000))
    )
    db.session.commit()
    url = f"/catalogue/activities/{activity.id}/edit"
    page = client.get(url).text
    assert 'value="100.00"' in page and 'value="200.00"' in page
    assert page.count('name="extra_costs-') == 6 * 3  # the two saved ones and four empty rows

    data = activity_form(club, name="Gitar for viderekomne", fee="950")
    response = post_form(client, url, data)

    assert response.status_code == 302
    db.session.refresh(activity)
    assert activity.name == "Gitar for viderekomne"
    assert [(cost.kind, cost.amount) for cost in activity.extra_costs] == [
        (ExtraCostKind.camps, 30000)
    ]
    assert total_cost_per_season(activity) == 95000 + 30000
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "activity_updated")
    ).one()
    assert {"name", "fee_per_season", "extra_costs"} <= set(event.details["fields"])


def test_coordinator_deactivates_an_activity(client, db, club):
    activity = factories.activity(club.organisation, club=club)
    db.session.commit()
    url = f"/catalogue/activities/{activity.id}/edit"

    response = post_form(
        client, url, {"active": "0"}, action=f"/catalogue/activities/{activity.id}/active"
    )

    assert response.status_code == 302
    db.session.refresh(activity)
    assert activity.is_active is False
    assert "This activity is deactivated" in client.get(url).text


def test_the_club_page_lists_its_activities_only(client, db, club):
    factories.activity(club.organisation, club=club, name="Gitargruppe")
    factories.activity(club.organisation, name="Fotball G10")
    db.session.commit()

    page = client.get(f"/catalogue/clubs/{club.id}").text

    assert "Gitargruppe" in page
    assert "Fotball G10" not in page
    assert "Fotball G10" in client.get("/catalogue/activities").text


def test_activities_of_another_organisation_answer_404(client, db, coordinator):
    foreign = factories.activity(factories.organisation(), name="Deres aktivitet")
    db.session.commit()
    token = csrf_token(client.get("/catalogue/activities").text)

    assert client.get(f"/catalogue/activities/{foreign.id}/edit").status_code == 404
    post = client.post(
        f"/catalogue/activities/{foreign.id}/active", data={"active": "0", "csrf_token": token}
    )
    assert post.status_code == 404
    assert "Deres aktivitet" not in client.get("/catalogue/activities").text
    db.session.refresh(foreign)
    assert foreign.is_active is True


def test_an_organisation_adds_its_own_category(client, db, club):
    response = post_form(client, "/catalogue/categories", {"name": "Klatring og buldring"})

    assert response.status_code == 302
    category = db.session.scalars(select(ActivityCategory)).one()
    assert category.organisation_id == club.organisation_id
    assert category.key == "klatring_og_buldring"
    form = client.get(f"/catalogue/activities/new?club={club.id}").text
    assert 'value="klatring_og_buldring"' in form

    data = activity_form(club, category="klatring_og_buldring")
    assert post_form(client, "/catalogue/activities/new", data).status_code == 302


@pytest.mark.parametrize("name", ["Klatring og buldring", "music", "Musikk", "Music"])
def test_a_category_name_already_in_use_is_refused(client, db, club, name):
    db.session.add(
        ActivityCategory(
            organisation_id=club.organisation_id, key="klatring", name="Klatring og buldring"
        )
    )
    db.session.commit()

    response = post_form(client, "/catalogue/categories", {"name": name})

    assert response.status_code == 400
    assert "already a category" in response.text
    assert db.session.scalar(select(func.count()).select_from(ActivityCategory)) == 1


def test_another_organisations_category_is_not_offered(client, db, club):
    other = factories.organisation()
    db.session.add(ActivityCategory(organisation_id=other.id, key="curling", name="Curling"))
    db.session.commit()

    assert "Curling" not in client.get("/catalogue/categories").text
    response = post_form(
        client, "/catalogue/activities/new", activity_form(club, category="curling")
    )
    assert response.status_code == 400


def test_the_total_cost_expression_filters_and_sorts_like_the_python_total(db):
    org = factories.organisation()
    cheap = factories.activity(org, name="Billig", fee_per_season=50000)
    exact = factories.activity(
        org, name="Akkurat", fee_per_season=100000, extra_costs=(("trips", 30000), ("cups", 20000))
    )
    over = factories.activity(org, name="Over", fee_per_season=149999, extra_costs=(("camps", 2),))
    db.session.commit()
    total = total_cost_expression()

    rows = db.session.execute(
        select(Activity.name, total).where(total <= 150000).order_by(total.desc())
    ).all()

    assert rows == [("Akkurat", 150000), ("Billig", 50000)]
    for activity in (cheap, exact, over):
        by_sql = db.session.scalar(select(total).where(Activity.id == activity.id))
        assert by_sql == total_cost_per_season(activity)


@pytest.mark.parametrize("role", ["referrer", "guide"])
def test_referrers_and_guides_cannot_manage_activities(client, db, role):
    signed_in_as(client, factories.organisation(), role)

    for url in ("/catalogue/activities", "/catalogue/activities/new", "/catalogue/categories"):
        assert client.get(url).status_code == 403, url
