"""Coordinators keep the clubs of their own organisation: add, edit, deactivate."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from guide.activities.models import Club
from guide.audit.models import AuditEvent
from tests import factories
from tests.web.helpers import csrf_token, signed_in_as

ORG_NUMBER = "998877008"


@pytest.fixture
def coordinator(client, db):
    """A coordinator of a fresh organisation, signed in, reading English."""
    return signed_in_as(client, factories.organisation(), "coordinator", preferred_locale="en")


def club_form(**overrides: str) -> dict[str, str]:
    return {
        "name": "Eksempel Musikkforening",
        "org_number": "998 877 008",
        "contact_person": "Kari  Eksempel",
        "email": "post@musikk.example.org",
        "phone": "22 33 44 55",
        "website": "www.musikk.example.org",
        "area": "",
        **overrides,
    }


def post_form(client, page_url: str, data: dict[str, str], action: str | None = None):
    token = csrf_token(client.get(page_url).text)
    return client.post(action or page_url, data={**data, "csrf_token": token})


def club_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Club))


def test_coordinator_adds_a_club_with_tidied_details(client, db, coordinator):
    response = post_form(client, "/catalogue/clubs/new", club_form())

    assert response.status_code == 302
    club = db.session.scalars(select(Club)).one()
    assert response.headers["Location"] == f"/catalogue/clubs/{club.id}"
    assert club.organisation_id == coordinator.organisation_id
    assert (club.org_number, club.phone, club.website, club.contact_person) == (
        ORG_NUMBER,
        "+4722334455",
        "https://www.musikk.example.org",
        "Kari Eksempel",
    )
    assert club.is_active is True
    page = client.get(f"/catalogue/clubs/{club.id}").text
    assert "Eksempel Musikkforening" in page and ORG_NUMBER in page
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "club_created"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("org_number", "998877009", "does not add up"),
        ("org_number", "12345", "9 digits"),
        ("website", "javascript:alert(1)", "web address"),
        ("website", "ftp://musikk.example.org", "web address"),
        ("phone", "123", "not a phone number"),
        ("email", "post(at)musikk", "e-mail address"),
        ("name", "", "Write the name of the club."),
    ],
)
def test_a_bad_value_is_explained_beside_its_field_and_nothing_is_stored(
    client, db, coordinator, field, value, message
):
    response = post_form(client, "/catalogue/clubs/new", club_form(**{field: value}))

    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text
    error = response.text.split(f'id="{field}-error"', 1)[1].split("</div>", 1)[0]
    assert message in error
    assert club_count(db) == 0


def test_an_organisation_number_is_unique_within_the_organisation_only(client, db, coordinator):
    other = factories.organisation()
    db.session.add(Club(organisation_id=other.id, name="Annen", org_number=ORG_NUMBER))
    db.session.commit()

    assert post_form(client, "/catalogue/clubs/new", club_form()).status_code == 302
    again = post_form(client, "/catalogue/clubs/new", club_form(name="Kopi"))

    assert again.status_code == 400
    assert "already has this organisation number" in again.text
    assert club_count(db) == 2


def test_coordinator_edits_a_club_and_the_change_is_audited(client, db, coordinator):
    club = Club(organisation_id=coordinator.organisation_id, name="Gammelt navn")
    db.session.add(club)
    db.session.commit()

    url = f"/catalogue/clubs/{club.id}/edit"
    response = post_form(client, url, club_form(name="Nytt navn", org_number=""))

    assert response.status_code == 302
    db.session.refresh(club)
    assert club.name == "Nytt navn"
    assert club.org_number is None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "club_updated")).one()
    assert "name" in event.details["fields"]
    assert "Nytt navn" not in str(event.details)  # names of fields, never values


def test_editing_keeps_the_clubs_own_organisation_number(client, db, coordinator):
    club = Club(organisation_id=coordinator.organisation_id, name="Laget", org_number=ORG_NUMBER)
    db.session.add(club)
    db.session.commit()

    response = post_form(client, f"/catalogue/clubs/{club.id}/edit", club_form(name="Laget"))

    assert response.status_code == 302


def test_coordinator_deactivates_and_reactivates_a_club(client, db, coordinator):
    club = Club(organisation_id=coordinator.organisation_id, name="Laget")
    db.session.add(club)
    db.session.commit()
    page = f"/catalogue/clubs/{club.id}"

    response = post_form(client, page, {"active": "0"}, action=f"{page}/active")
    assert response.status_code == 302
    db.session.refresh(club)
    assert club.is_active is False
    assert "This club is deactivated" in client.get(page).text

    post_form(client, page, {"active": "1"}, action=f"{page}/active")
    db.session.refresh(club)
    assert club.is_active is True
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"club_deactivated", "club_reactivated"} <= actions


def test_the_list_shows_only_the_organisations_own_clubs(client, db, coordinator):
    other = factories.organisation()
    db.session.add_all(
        [
            Club(organisation_id=coordinator.organisation_id, name="Vårt lag"),
            Club(organisation_id=other.id, name="Deres lag"),
        ]
    )
    db.session.commit()

    page = client.get("/catalogue/clubs").text

    assert "Vårt lag" in page
    assert "Deres lag" not in page


def test_clubs_of_another_organisation_answer_404(client, db, coordinator):
    foreign = Club(organisation_id=factories.organisation().id, name="Deres lag")
    db.session.add(foreign)
    db.session.commit()
    token = csrf_token(client.get("/catalogue/clubs").text)

    assert client.get(f"/catalogue/clubs/{foreign.id}").status_code == 404
    assert client.get(f"/catalogue/clubs/{foreign.id}/edit").status_code == 404
    edit = client.post(
        f"/catalogue/clubs/{foreign.id}/edit", data={**club_form(), "csrf_token": token}
    )
    deactivate = client.post(
        f"/catalogue/clubs/{foreign.id}/active", data={"active": "0", "csrf_token": token}
    )
    assert (edit.status_code, deactivate.status_code) == (404, 404)
    db.session.refresh(foreign)
    assert (foreign.name, foreign.is_active) == ("Deres lag", True)


@pytest.mark.parametrize("role", ["referrer", "guide", "club_contact", "admin"])
def test_only_coordinators_manage_clubs(client, db, role):
    org = factories.organisation()
    if role == "club_contact":
        club = Club(organisation_id=org.id, name="Laget")
        db.session.add(club)
        db.session.flush()
        signed_in_as(client, org, role, club_id=club.id)
    else:
        signed_in_as(client, org, role)

    assert client.get("/catalogue/clubs").status_code == 403
    assert client.get("/catalogue/clubs/new").status_code == 403
