"""The administrator's organisation settings page, and the features that read the settings."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from guide.audit.models import AuditEvent
from guide.cases.followups import schedule_follow_ups
from guide.cases.models import Visit
from guide.dashboard.services import dashboard_for
from guide.dates import local_date
from guide.guides.certificates import certificate_expiry
from guide.organisations.services import InvalidSettings, update_organisation_settings
from guide.tenant import Organisation
from tests import factories
from tests.web.helpers import csrf_token, signed_in_as

PAGE = "/organisation/settings"
TODAY = dt.date(2026, 5, 4)
#: A valid submission that changes every setting from the defaults.
NEW_SETTINGS = {
    "name": "Frivilligsentralen i Nordbyen",
    "municipality_number": "0301",
    "follow_up_months": "2, 4 og 12",
    "no_visit_nudge_weeks": "6",
    "police_certificate_valid_months": "24",
    "retention_days": "365",
}
STORED_BEFORE = {
    "municipality_number": None,
    "follow_up_months": [1, 3, 6],
    "no_visit_nudge_weeks": 3,
    "police_certificate_valid_months": 36,
    "retention_days": 730,
}


def _submit(client, **changes):
    token = csrf_token(client.get(PAGE).text)
    return client.post(PAGE, data={**NEW_SETTINGS, **changes, "csrf_token": token})


def _reload(db, org: Organisation) -> Organisation:
    db.session.expire_all()
    return db.session.get(Organisation, org.id)


def _stored(org: Organisation) -> dict[str, object]:
    return {field: getattr(org, field) for field in STORED_BEFORE}


def _events(db) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == "organisation_settings_changed")
    return list(db.session.scalars(query))


def test_admin_sees_the_stored_settings(client, db):
    org = factories.organisation("Frivilligsentralen Sør")
    org.municipality_number = "0301"
    signed_in_as(client, org, "admin")
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.text
    assert 'value="Frivilligsentralen Sør"' in html
    assert 'value="0301"' in html
    assert 'value="1, 3, 6"' in html
    assert 'value="730"' in html
    assert "1, 3 og 6 måneder" in html  # the current follow-ups said in plain bokmål


def test_admin_changes_every_setting_and_the_features_use_them(client, db):
    org = factories.organisation()
    other = factories.organisation("Naboens frivilligsentral")
    admin = signed_in_as(client, org, "admin")

    response = _submit(client)
    assert response.status_code == 302
    assert response.headers["Location"] == PAGE
    org = _reload(db, org)
    assert org.name == "Frivilligsentralen i Nordbyen"
    assert _stored(org) == {
        "municipality_number": "0301",
        "follow_up_months": [2, 4, 12],
        "no_visit_nudge_weeks": 6,
        "police_certificate_valid_months": 24,
        "retention_days": 365,
    }
    # The other organisation keeps its own settings.
    assert _stored(_reload(db, other)) == STORED_BEFORE

    [event] = _events(db)
    assert event.actor_id == admin.id and event.organisation_id == org.id
    assert event.details == {
        "fields": [
            "name",
            "municipality_number",
            "follow_up_months",
            "no_visit_nudge_weeks",
            "police_certificate_valid_months",
            "retention_days",
        ]
    }
    assert "0301" not in str(event.details)  # names of fields only, never values

    # Follow-ups are planned from the new months.
    case = factories.child_case(org, status="active")
    planned = schedule_follow_ups(case, start=dt.date(2026, 1, 15))
    assert [(f.months_after, f.due_on) for f in planned] == [
        (2, dt.date(2026, 3, 15)),
        (4, dt.date(2026, 5, 15)),
        (12, dt.date(2027, 1, 15)),
    ]

    # The dashboard nudges after six weeks without a visit, not three.
    guide = factories.user(org, "guide")
    coordinator = factories.user(org, "coordinator")
    four_weeks = factories.child_case(org, status="in_progress", guide=guide)
    four_weeks.visits.append(
        Visit(author=guide, kind="home_visit", occurred_on=TODAY - dt.timedelta(weeks=4))
    )
    seven_weeks = factories.child_case(org, status="in_progress", guide=guide)
    seven_weeks.visits.append(
        Visit(author=guide, kind="home_visit", occurred_on=TODAY - dt.timedelta(weeks=7))
    )
    db.session.commit()
    board = dashboard_for(viewer=coordinator, today=TODAY)
    assert board.no_visit_weeks == 6
    assert [row.case.id for row in board.quiet_cases] == [seven_weeks.id]

    # A police certificate now counts for 24 months.
    valid_months = org.police_certificate_valid_months
    assert certificate_expiry(dt.date(2026, 1, 15), valid_months) == dt.date(2028, 1, 15)


def test_shorter_police_certificate_validity_shows_on_the_guide_roster(client, db):
    org = factories.organisation()
    guide = factories.user(org, "guide")
    # Checked about 30 months ago: still valid for the default 36 months, too old for 24.
    guide.guide_profile.police_certificate_checked_on = local_date() - dt.timedelta(days=915)
    coordinator_client = client.application.test_client()
    signed_in_as(coordinator_client, org, "coordinator", preferred_locale="en")
    too_old = "The police certificate is too old"
    assert too_old not in coordinator_client.get("/guides").text

    signed_in_as(client, org, "admin")
    assert _submit(client, police_certificate_valid_months="24").status_code == 302
    assert too_old in coordinator_client.get("/guides").text


def test_saving_the_same_values_changes_nothing_and_logs_nothing(client, db):
    org = factories.organisation()
    signed_in_as(client, org, "admin")
    assert _submit(client).status_code == 302
    assert _submit(client).status_code == 302
    assert len(_events(db)) == 1
    page = client.get(PAGE).text
    assert "Ingenting ble endret." in page


def test_changing_one_setting_logs_only_that_name(client, db):
    org = factories.organisation()
    signed_in_as(client, org, "admin")
    unchanged = {
        "name": org.name,
        "municipality_number": "",
        "follow_up_months": "1, 3, 6",
        "no_visit_nudge_weeks": "3",
        "police_certificate_valid_months": "36",
    }
    assert _submit(client, **unchanged, retention_days="1000").status_code == 302
    [event] = _events(db)
    assert event.details == {"fields": ["retention_days"]}
    assert _reload(db, org).retention_days == 1000


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("name", "   ", "Skriv navnet på organisasjonen."),
        ("municipality_number", "301", "Et kommunenummer har nøyaktig fire sifre"),
        ("municipality_number", "03011", "Et kommunenummer har nøyaktig fire sifre"),
        ("municipality_number", "03a1", "Et kommunenummer har nøyaktig fire sifre"),
        ("follow_up_months", "", "Skriv minst én måned"),
        ("follow_up_months", "1, tre, 6", "Skriv månedene som hele tall"),
        ("follow_up_months", "1.5, 3", "Skriv månedene som hele tall"),
        ("follow_up_months", "0, 3", "Hver måned må være fra 1 til 24."),
        ("follow_up_months", "1, 3, 25", "Hver måned må være fra 1 til 24."),
        ("follow_up_months", "3, 1, 6", "Skriv hver måned én gang"),
        ("follow_up_months", "1, 3, 3", "Skriv hver måned én gang"),
        ("follow_up_months", "1, 2, 3, 4, 5, 6, 7", "Skriv høyst 6 oppfølginger."),
        ("no_visit_nudge_weeks", "0", "Skriv et tall fra 1 til 26."),
        ("no_visit_nudge_weeks", "27", "Skriv et tall fra 1 til 26."),
        ("no_visit_nudge_weeks", "to", "Skriv et helt tall"),
        ("no_visit_nudge_weeks", "", "Skriv et antall uker."),
        ("police_certificate_valid_months", "11", "Skriv et tall fra 12 til 60."),
        ("police_certificate_valid_months", "61", "Skriv et tall fra 12 til 60."),
        ("retention_days", "89", "Skriv et tall fra 90 til 3650."),
        ("retention_days", "3651", "Skriv et tall fra 90 til 3650."),
    ],
)
def test_invalid_input_is_refused_beside_the_field_and_nothing_is_stored(
    client, db, field, typed, message
):
    org = factories.organisation("Uendret sentral")
    signed_in_as(client, org, "admin")
    response = _submit(client, **{field: typed})
    assert response.status_code == 400
    html = response.text
    error = html.split(f'id="{field}-error"', 1)[1].split("</div>", 1)[0]
    assert message in error
    org = _reload(db, org)
    assert org.name == "Uendret sentral"
    assert _stored(org) == STORED_BEFORE
    assert _events(db) == []


def test_municipality_number_keeps_its_leading_zero_and_may_be_left_empty(client, db):
    org = factories.organisation()
    signed_in_as(client, org, "admin")
    assert _submit(client, municipality_number=" 0 3 0 1 ").status_code == 302
    assert _reload(db, org).municipality_number == "0301"
    assert _submit(client, municipality_number="").status_code == 302
    assert _reload(db, org).municipality_number is None


def test_follow_up_months_are_read_in_plain_language(client, db):
    org = factories.organisation()
    signed_in_as(client, org, "admin", preferred_locale="en")
    assert _submit(client, follow_up_months="1 and 2; 9").status_code == 302
    assert _reload(db, org).follow_up_months == [1, 2, 9]
    assert _submit(client, follow_up_months="4").status_code == 302
    assert _reload(db, org).follow_up_months == [4]
    html = client.get(PAGE).text
    assert 'value="4"' in html
    assert "after 4 months" in html


@pytest.mark.parametrize("role", ["coordinator", "referrer", "guide", "club_contact"])
def test_other_roles_are_refused(client, db, role):
    org = factories.organisation("Uendret sentral")
    signed_in_as(client, org, role)
    assert client.get(PAGE).status_code == 403
    token = csrf_token(client.get("/sign-in").text)
    response = client.post(PAGE, data={**NEW_SETTINGS, "csrf_token": token})
    assert response.status_code == 403
    assert _reload(db, org).name == "Uendret sentral"
    assert _events(db) == []


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_admin_reaches_only_the_own_organisation(client, db):
    home = factories.organisation("Hjemme")
    other = factories.organisation("Borte")
    signed_in_as(client, home, "admin")
    html = client.get(PAGE).text
    assert "Hjemme" in html and "Borte" not in html
    # Nothing in the request can point at another organisation.
    response = _submit(client, organisation_id=str(other.id), id=str(other.id))
    assert response.status_code == 302
    assert _reload(db, other).name == "Borte"
    assert _stored(_reload(db, other)) == STORED_BEFORE
    assert _reload(db, home).name == NEW_SETTINGS["name"]


def test_service_refuses_another_organisation_and_values_out_of_range(db):
    org = factories.organisation()
    admin = factories.user(org, "admin")
    stranger = factories.user(factories.organisation(), "admin")
    with pytest.raises(PermissionError):
        update_organisation_settings(org, values={"retention_days": 400}, by=stranger)
    with pytest.raises(InvalidSettings):
        update_organisation_settings(org, values={"follow_up_months": [6, 3]}, by=admin)
    with pytest.raises(InvalidSettings):
        update_organisation_settings(org, values={"municipality_number": "301"}, by=admin)
    with pytest.raises(InvalidSettings):
        update_organisation_settings(org, values={"is_active": False}, by=admin)
    assert update_organisation_settings(org, values={"retention_days": 400}, by=admin) == [
        "retention_days"
    ]


def test_settings_link_shows_for_admins_only(client, db):
    org = factories.organisation()
    signed_in_as(client, org, "admin")
    assert f'href="{PAGE}"' in client.get(PAGE).text

    coordinator_client = client.application.test_client()
    signed_in_as(coordinator_client, org, "coordinator")
    assert f'href="{PAGE}"' not in coordinator_client.get("/dashboard").text


def test_page_and_messages_are_translated_to_nynorsk(client, db):
    org = factories.organisation()
    signed_in_as(client, org, "admin", preferred_locale="nn")
    page = client.get(PAGE)
    assert "Innstillingar for organisasjonen" in page.text
    data = {**NEW_SETTINGS, "retention_days": "5", "csrf_token": csrf_token(page.text)}
    response = client.post(PAGE, data=data)
    assert response.status_code == 400
    assert "Skriv eit tal frå 90 til 3650." in response.text
