"""The coordinator's guide roster: places, clearance, reminders and the profile form."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from guide.audit.models import AuditEvent
from guide.dates import add_months, local_date
from guide.extensions import db as _db
from guide.guides.models import GuideProfile
from guide.tenant import Organisation
from tests import factories
from tests.web.helpers import csrf_token, sign_in


@pytest.fixture
def coordinator(client, db):
    """A coordinator of a fresh organisation, signed in, reading English."""
    account = factories.user(factories.organisation(), "coordinator", preferred_locale="en")
    db.session.commit()
    assert sign_in(client, account.email).status_code == 302
    return account


def _guide(org, name: str, **profile_fields):
    account = factories.user(org, "guide")
    account.full_name = name
    if "areas" in profile_fields:
        profile_fields["areas"] = [factories.area(org, area) for area in profile_fields["areas"]]
    for field, value in profile_fields.items():
        setattr(account.guide_profile, field, value)
    return account


def _entry(html: str, name: str) -> str:
    """The roster card of the guide called ``name``."""
    start = html.index(f">{name}</h2>")
    end = html.find("</li>\n", start)
    return html[start:end]


def _area_ids(guide, *names: str) -> list[str]:
    """The ids of the guide's organisation's areas called ``names`` (made if new)."""
    org = _db.session.get(Organisation, guide.organisation_id)
    return [str(factories.area(org, name).id) for name in names]


def _profile_form(client, guide, **overrides):
    areas = _area_ids(guide, "Nord", "Sentrum")
    _db.session.commit()
    page = client.get(f"/guides/{guide.id}/edit")
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_token(page.text),
        "languages": ["nb", "ar"],
        "areas": areas,
        "interests": "Football, music, football",
        "capacity": "3",
        "availability_notes": "Weekday afternoons",
        "police_certificate_checked_on": "2025-01-15",
        "confidentiality_signed_on": "2025-01-16",
    }
    data.update(overrides)
    return client.post(f"/guides/{guide.id}/edit", data={k: v for k, v in data.items() if v})


def test_roster_shows_profiles_places_and_only_own_organisation(client, db, coordinator):
    org = coordinator.organisation
    amina = _guide(org, "Amina Guide", languages=["nb", "ar"], areas=["Nord"], capacity=3)
    factories.child_case(org, guide=amina, status="in_progress")
    factories.child_case(org, guide=amina, status="closed")  # a closed case frees its place
    _guide(factories.organisation(), "Stranger Guide")
    db.session.commit()
    page = client.get("/guides")
    assert page.status_code == 200
    card = _entry(page.text, "Amina Guide")
    assert "Arabic" in card
    assert "Nord" in card
    assert "Football" in card  # the interest tag, named in the reader's language
    assert "1 of 3 places taken" in card
    assert "Can be assigned" in card
    assert "Stranger Guide" not in page.text


def test_roster_says_why_a_guide_cannot_be_assigned(client, db, coordinator):
    org = coordinator.organisation
    _guide(org, "Unchecked Guide", police_certificate_checked_on=None)
    _guide(org, "Unsigned Guide", confidentiality_signed_on=None)
    _guide(org, "Paused Guide", is_paused=True)
    db.session.commit()
    html = client.get("/guides").text
    assert "The police certificate has not been checked." in _entry(html, "Unchecked Guide")
    assert "The confidentiality declaration has not been signed." in _entry(html, "Unsigned Guide")
    assert "The guide has paused" in _entry(html, "Paused Guide")
    assert "Can be assigned" not in _entry(html, "Paused Guide")


def test_roster_reason_is_translated_to_bokmal(client, db):
    org = factories.organisation()
    account = factories.user(org, "coordinator", preferred_locale="nb")
    _guide(org, "Ukontrollert Guide", police_certificate_checked_on=None)
    db.session.commit()
    sign_in(client, account.email)
    html = client.get("/guides").text
    assert "Politiattesten er ikke kontrollert." in _entry(html, "Ukontrollert Guide")


def test_police_certificate_reminder_follows_the_organisations_rule(client, db, coordinator):
    org = coordinator.organisation
    today = local_date()
    _guide(org, "Soon Guide", police_certificate_checked_on=add_months(today, -35))
    _guide(org, "Fresh Guide", police_certificate_checked_on=add_months(today, -20))
    _guide(org, "Expired Guide", police_certificate_checked_on=add_months(today, -37))
    db.session.commit()
    html = client.get("/guides").text
    assert "must be renewed by" in _entry(html, "Soon Guide")
    assert "must be renewed by" not in _entry(html, "Fresh Guide")
    assert "The police certificate is too old" in _entry(html, "Expired Guide")

    org.police_certificate_valid_months = 60
    db.session.commit()
    html = client.get("/guides").text
    assert "must be renewed by" not in _entry(html, "Soon Guide")
    assert "too old" not in _entry(html, "Expired Guide")


def test_coordinator_edits_a_profile_and_the_change_is_audited(client, db, coordinator):
    guide = _guide(coordinator.organisation, "Editable Guide", police_certificate_checked_on=None)
    db.session.commit()
    response = _profile_form(client, guide, is_paused="y")
    assert response.status_code == 302
    db.session.expire_all()
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide.id))
    assert profile.languages == ["nb", "ar"]
    assert [area.name for area in profile.areas] == ["Nord", "Sentrum"]
    assert profile.interests == ["football", "music"]
    assert profile.capacity == 3
    assert profile.police_certificate_checked_on == dt.date(2025, 1, 15)
    assert profile.is_paused is True
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "guide_profile_updated")
    )
    assert event.actor_id == coordinator.id
    assert "police_certificate_checked_on" in event.details["fields"]
    assert "Weekday" not in str(event.details)


def test_right_to_left_area_name_is_shown(client, db, coordinator):
    guide = _guide(coordinator.organisation, "Arabic Area Guide")
    areas = _area_ids(guide, "حي الشمال")
    db.session.commit()
    assert _profile_form(client, guide, areas=areas).status_code == 302
    assert "حي الشمال" in _entry(client.get("/guides").text, "Arabic Area Guide")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("interests", "football, ⚽", "no emoji or symbols"),
        ("areas", [str(uuid.uuid4())], "Choose areas from the list"),
        ("availability_notes", "x" * 10_000, "1000 characters or fewer"),
        ("capacity", "three", "whole number"),
        ("capacity", "99", "from 0 to 10"),
        ("police_certificate_checked_on", "2025-02-30", "not a date that exists"),
        ("confidentiality_signed_on", "2999-01-01", "cannot be in the future"),
        ("languages", ["nb", "<script>"], "Choose languages from the list"),
    ],
)
def test_invalid_profile_input_is_explained_and_nothing_is_stored(
    client, db, coordinator, field, value, message
):
    guide = _guide(coordinator.organisation, "Careful Guide", capacity=2, interests=["chess"])
    db.session.commit()
    response = _profile_form(client, guide, **{field: value})
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text
    assert message in response.text
    db.session.expire_all()
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide.id))
    saved = (profile.capacity, profile.interests, [area.name for area in profile.areas])
    assert saved == (2, ["chess"], ["Nord"])


def test_guide_without_profile_is_listed_and_gets_one(client, db, coordinator):
    invited = _guide(coordinator.organisation, "Invited Guide")
    db.session.delete(invited.guide_profile)
    db.session.commit()
    html = client.get("/guides").text
    assert "The guide profile has not been filled in yet." in _entry(html, "Invited Guide")
    assert _profile_form(client, invited).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == invited.id))


def test_profile_of_another_organisation_is_not_found(client, db, coordinator):
    stranger = _guide(factories.organisation(), "Far Away Guide")
    db.session.commit()
    assert client.get(f"/guides/{stranger.id}/edit").status_code == 404


def test_a_user_who_is_not_a_guide_has_no_profile_page(client, db, coordinator):
    referrer = factories.user(coordinator.organisation, "referrer")
    db.session.commit()
    response = client.get(f"/guides/{referrer.id}/edit")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/guides")
    assert (
        db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == referrer.id)) is None
    )


@pytest.mark.parametrize("role", ["guide", "referrer", "admin"])
def test_only_coordinators_see_the_roster(client, db, role):
    account = factories.user(factories.organisation(), role)
    db.session.commit()
    sign_in(client, account.email)
    assert client.get("/guides").status_code == 403


def test_certificate_runs_out_at_midnight_in_oslo_not_at_midnight_utc(
    client, db, coordinator, monkeypatch
):
    org = coordinator.organisation
    # Valid 36 months: runs out on 10 March 2026, which in Oslo begins at 23:00 UTC on 9 March.
    _guide(org, "Midnight Guide", police_certificate_checked_on=dt.date(2023, 3, 10))
    db.session.commit()

    def blockers_at(hour: int, minute: int) -> str:
        moment = dt.datetime(2026, 3, 9, hour, minute, tzinfo=dt.UTC)
        monkeypatch.setattr("guide.dates.utcnow", lambda: moment)
        return _entry(client.get("/guides").text, "Midnight Guide")

    assert "The police certificate is too old" not in blockers_at(22, 30)
    assert "The police certificate is too old" in blockers_at(23, 30)


def test_the_roster_warns_from_the_configured_number_of_days(client, db, coordinator, monkeypatch):
    org = coordinator.organisation
    # Runs out in 75 days: outside the default 60-day window, inside a 90-day one.
    checked_on = add_months(local_date() + dt.timedelta(days=75), -36)
    _guide(org, "Window Guide", police_certificate_checked_on=checked_on)
    db.session.commit()
    assert "must be renewed by" not in _entry(client.get("/guides").text, "Window Guide")

    settings = client.application.extensions["fritidsguide.settings"]
    wider = dataclasses.replace(settings, police_certificate_warning_days=90)
    monkeypatch.setitem(client.application.extensions, "fritidsguide.settings", wider)
    assert "must be renewed by" in _entry(client.get("/guides").text, "Window Guide")
