"""The organisation's list of areas: who keeps it, and what referrals, guides and clubs choose."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from guide.activities.models import Club
from guide.areas.models import Area
from guide.audit.models import AuditEvent
from guide.cases.models import Child
from guide.extensions import db as _db
from guide.tenant import Organisation
from tests import factories
from tests.web.helpers import csrf_token, signed_in_as
from tests.web.test_referral_form import send as send_referral
from tests.web.test_referral_form import valid_referral


@pytest.fixture
def coordinator(client, db):
    """A coordinator of a fresh organisation, signed in, reading English."""
    return signed_in_as(client, factories.organisation(), "coordinator", preferred_locale="en")


def _org(user) -> Organisation:
    return _db.session.get(Organisation, user.organisation_id)


def post_page(client, url: str, data: dict):
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, data={**data, "csrf_token": csrf_token(page.text)})


def edit(client, area: Area, **changes):
    data = {
        "name": area.name,
        "aliases": ", ".join(area.aliases),
        "neighbours": [str(neighbour.id) for neighbour in area.neighbours],
        "is_active": "y" if area.is_active else "",
        "version": str(area.version),
        **changes,
    }
    return post_page(client, f"/areas/{area.id}", {k: v for k, v in data.items() if v != ""})


def areas_of(org) -> dict[str, Area]:
    _db.session.expire_all()
    return {
        area.name: area
        for area in _db.session.scalars(select(Area).where(Area.organisation_id == org.id))
    }


def test_coordinator_adds_an_area_with_other_spellings_and_a_neighbour(client, db, coordinator):
    org = _org(coordinator)
    nord = factories.area(org, "Nord")
    db.session.commit()
    response = post_page(
        client,
        "/areas",
        {
            "name": "  Nordby ",
            "aliases": "Nordbyen, Nordby skolekrets",
            "neighbours": [str(nord.id)],
        },
    )
    assert response.status_code == 302
    areas = areas_of(org)
    nordby = areas["Nordby"]
    assert nordby.aliases == ["Nordbyen", "Nordby skolekrets"]
    assert [area.name for area in nordby.neighbours] == ["Nord"]
    assert [area.name for area in areas["Nord"].neighbours] == ["Nordby"]  # both ways
    page = client.get("/areas").text
    assert "Nordbyen, Nordby skolekrets" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "area_created"))
    assert (event.actor_id, event.object_id) == (coordinator.id, str(nordby.id))


@pytest.mark.parametrize("spelling", ["NORD", "nórd", "  Nord  ", "Bydel nord"])
def test_a_spelling_another_area_has_is_refused_beside_the_field(client, db, coordinator, spelling):
    org = _org(coordinator)
    factories.area(org, "Nord", aliases=["Bydel Nord"])
    db.session.commit()
    response = post_page(client, "/areas", {"name": spelling})
    assert response.status_code == 400
    assert "is already the name or another spelling of an area" in response.text
    assert 'id="name-error"' in response.text
    assert list(areas_of(org)) == ["Nord"]


def test_renaming_an_area_renames_it_on_its_children_and_clubs(client, db, coordinator):
    org = _org(coordinator)
    case = factories.child_case(org)
    area = factories.place_child(case, "Nord")
    offer = factories.activity(org, area="Nord")
    db.session.commit()
    response = edit(client, area, name="Bydel Nord", aliases="Nord")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Child, case.child_id).area == "Bydel Nord"
    assert offer.area == "Bydel Nord"
    assert areas_of(org)["Bydel Nord"].aliases == ["Nord"]


def test_a_stale_edit_is_refused_with_the_conflict_message(client, db, coordinator):
    area = factories.area(_org(coordinator), "Nord")
    db.session.commit()
    seen = area.version
    assert edit(client, area, aliases="Nordbyen").status_code == 302
    response = edit(client, area, name="Sør", version=str(seen))
    assert response.status_code == 302
    assert "Someone else changed this just now" in client.get(response.headers["Location"]).text
    assert list(areas_of(_org(coordinator))) == ["Nord"]


def test_a_deactivated_area_is_no_longer_offered_but_its_rows_keep_it(client, db, coordinator):
    org = _org(coordinator)
    case = factories.child_case(org)
    gone = factories.place_child(case, "Gamle Nord")
    factories.area(org, "Sør")
    db.session.commit()
    assert edit(client, gone, is_active="").status_code == 302
    signed_in_as(client, org, "referrer", preferred_locale="en")
    form = client.get("/referrals/new").text
    assert ">Sør</option>" in form and "Gamle Nord" not in form
    db.session.expire_all()
    assert db.session.get(Child, case.child_id).area_id == gone.id


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_admins_and_coordinators_keep_the_list(client, db, role):
    signed_in_as(client, factories.organisation(), role, preferred_locale="en")
    assert client.get("/areas").status_code == 200
    assert post_page(client, "/areas", {"name": "Sentrum"}).status_code == 302


@pytest.mark.parametrize("role", ["guide", "referrer", "club_contact"])
def test_other_roles_may_not_see_or_change_the_list(client, db, role):
    org = factories.organisation()
    area = factories.area(org, "Nord")
    signed_in_as(client, org, role, preferred_locale="en")
    assert client.get("/areas").status_code == 403
    assert client.post("/areas", data={"name": "Sentrum"}).status_code in (400, 403)
    assert client.get(f"/areas/{area.id}").status_code == 404
    assert list(areas_of(org)) == ["Nord"]


def test_another_organisations_areas_are_neither_listed_nor_editable(client, db, coordinator):
    other = factories.organisation()
    theirs = factories.area(other, "Deres område")
    factories.activity(other, area="Deres aktivitetsområde")
    other_case = factories.child_case(other)
    other_case.child.area = "Deres tekst"
    db.session.commit()
    page = client.get("/areas").text
    assert "Deres" not in page
    assert client.get(f"/areas/{theirs.id}").status_code == 404
    response = client.post(
        f"/areas/{theirs.id}",
        data={"name": "Vårt nå", "version": "1", "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 404
    assert areas_of(other)["Deres område"].name == "Deres område"
    denied = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "area_access_denied")
    ).all()
    assert len(denied) == 2 and all(event.actor_id == coordinator.id for event in denied)


def test_an_unmapped_name_is_listed_and_mapped_to_an_area(client, db, coordinator):
    org = _org(coordinator)
    nord = factories.area(org, "Nord")
    case = factories.child_case(org)
    case.child.area = "Nordby"  # text from before areas were a list
    guide = factories.user(org, "guide")
    guide.guide_profile.unmapped_areas = ["Nordby"]
    db.session.commit()
    page = client.get("/areas").text
    assert "Nordby" in page and "/areas/unmapped?name=Nordby" in page

    response = post_page(
        client, "/areas/unmapped?name=Nordby", {"name": "Nordby", "area": str(nord.id)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    child = db.session.get(Child, case.child_id)
    assert (child.area_id, child.area) == (nord.id, "Nord")
    profile = guide.guide_profile
    assert profile.unmapped_areas == [] and [area.name for area in profile.areas] == ["Nord"]
    assert "Every area name in use belongs to an area." in client.get("/areas").text


def test_an_unmapped_name_can_become_an_area_of_its_own(client, db, coordinator):
    org = _org(coordinator)
    club = Club(organisation_id=org.id, name="Nordby IL", area="Nordby", is_active=True)
    db.session.add(club)
    db.session.commit()
    response = post_page(client, "/areas/unmapped", {"name": "Nordby", "area": "new"})
    assert response.status_code == 302
    db.session.expire_all()
    assert club.area_id == areas_of(org)["Nordby"].id


def test_mapping_to_another_organisations_area_is_refused(client, db, coordinator):
    org = _org(coordinator)
    theirs = factories.area(factories.organisation(), "Nord")
    case = factories.child_case(org)
    case.child.area = "Nordby"
    db.session.commit()
    response = post_page(client, "/areas/unmapped", {"name": "Nordby", "area": str(theirs.id)})
    assert response.status_code == 400
    assert "Choose an area from the list." in response.text
    db.session.expire_all()
    assert db.session.get(Child, case.child_id).area_id is None


def test_the_referral_form_offers_the_list_and_stores_the_choice(client, db):
    org = factories.organisation()
    nord = factories.area(org, "Nord")
    factories.user(org, "coordinator")
    signed_in_as(client, org, "referrer", preferred_locale="en", referrer_kind="school_nurse")
    form = client.get("/referrals/new").text
    assert '<option value="">' in form.split('id="area"', 1)[1].split("</select>", 1)[0]
    assert send_referral(client, valid_referral(area=str(nord.id))).status_code == 302
    child = db.session.scalars(select(Child)).one()
    assert (child.area_id, child.area) == (nord.id, "Nord")


def test_the_referral_form_refuses_an_area_not_on_the_list(client, db):
    org = factories.organisation()
    theirs = factories.area(factories.organisation(), "Nord")
    factories.user(org, "coordinator")
    signed_in_as(client, org, "referrer", preferred_locale="en", referrer_kind="school_nurse")
    for value in (str(theirs.id), "Nord"):
        response = send_referral(client, valid_referral(area=value))
        assert response.status_code == 400
        assert "Choose an area from the list." in response.text
    assert db.session.scalars(select(Child)).all() == []


def test_a_club_chooses_its_area_from_the_list(client, db, coordinator):
    org = _org(coordinator)
    sor = factories.area(org, "Sør")
    db.session.commit()
    response = post_page(client, "/catalogue/clubs/new", {"name": "Sør IL", "area": str(sor.id)})
    assert response.status_code == 302
    club = db.session.scalars(select(Club)).one()
    assert (club.area_id, club.area) == (sor.id, "Sør")
    edit_page = client.get(f"/catalogue/clubs/{club.id}/edit").text
    assert f'<option selected value="{sor.id}">Sør</option>' in edit_page
