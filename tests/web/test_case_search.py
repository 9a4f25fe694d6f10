"""The coordinator's case list filters and the search by reference or exact identity."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from guide.audit.models import AuditEvent
from guide.database import utcnow
from tests import factories
from tests.web.helpers import csrf_token, signed_in_as


def coordinator(client, db):
    org = factories.organisation()
    account = signed_in_as(client, org, "coordinator", preferred_locale="en")
    return org, account


def find(client, **fields):
    page = client.get("/cases/find")
    assert page.status_code == 200
    data = {"reference": "", "first_name": "", "last_name": "", "birth_date": ""}
    data.update(fields, csrf_token=csrf_token(page.text))
    return client.post("/cases/find", data=data)


def results_of(response) -> str:
    assert response.status_code == 200
    return response.text.split("Results", 1)[1] if "Results" in response.text else ""


def test_filter_by_status_area_and_guide(client, db):
    org, _ = coordinator(client, db)
    guide = factories.user(org, "guide")
    guide.full_name = "Guide Gunnhild"
    north = factories.child_case(org, first_name="Nordbarn", status="in_progress", guide=guide)
    nord = factories.place_child(north, "Nord")
    south = factories.child_case(org, first_name="Sørbarn", status="accepted")
    factories.place_child(south, "Sør")
    db.session.commit()

    by_status = client.get("/cases?status=accepted").text
    assert "Sørbarn" in by_status and "Nordbarn" not in by_status
    by_area = client.get(f"/cases?area={nord.id}").text
    assert "Nordbarn" in by_area and "Sørbarn" not in by_area
    # Each area once in the filter, though the guide's profile holds "Nord" too.
    assert by_area.count(">Nord</option>") == 1
    by_guide = client.get("/cases?guide=gunnhild").text  # part of the name, in any case
    assert "Nordbarn" in by_guide and "Sørbarn" not in by_guide
    assert 'value="gunnhild"' in by_guide  # the filter keeps what was typed
    assert "Nordbarn" not in client.get("/cases?guide=Ingrid").text
    nothing = client.get("/cases?status=closed").text
    assert "No cases match these filters." in nothing


def test_filter_by_waiting_time(client, db):
    org, _ = coordinator(client, db)
    now = utcnow()
    factories.child_case(
        org, first_name="Venterlenge", status="accepted", referred_at=now - dt.timedelta(days=20)
    )
    factories.child_case(
        org, first_name="Nettopp", status="accepted", referred_at=now - dt.timedelta(days=3)
    )
    factories.child_case(
        org,
        first_name="Harguide",
        status="in_progress",
        referred_at=now - dt.timedelta(days=40),
        guide=factories.user(org, "guide"),
    )
    db.session.commit()
    html = client.get("/cases?waiting=14").text
    assert "Venterlenge" in html
    assert "Nettopp" not in html
    assert "Harguide" not in html  # has a guide, so not waiting


def test_unknown_filter_values_are_ignored(client, db):
    org, _ = coordinator(client, db)
    factories.child_case(org, first_name="Alltid")
    db.session.commit()
    too_long_name = "x" * 101
    html = client.get(f"/cases?status=nonsense&guide={too_long_name}&waiting=9999&area=Mars").text
    assert "Alltid" in html


def test_pagination_keeps_the_filters(client, db):
    org, _ = coordinator(client, db)
    start = utcnow() - dt.timedelta(days=1)
    for number in range(53):
        factories.child_case(
            org,
            first_name=f"Venter{number:02d}",
            status="accepted",
            referred_at=start - dt.timedelta(minutes=number),
        )
    for number in range(5):
        factories.child_case(org, first_name=f"Annen{number}", status="referred")
    db.session.commit()
    first = client.get("/cases?status=accepted").text
    assert "Annen" not in first
    next_link = first.split('href="/cases?after=', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert "status=accepted" in next_link
    second = client.get("/cases?after=" + next_link).text
    seen_first = {n for n in range(53) if f"Venter{n:02d} " in first}
    seen_second = {n for n in range(53) if f"Venter{n:02d} " in second}
    assert len(seen_first) == 50
    assert seen_second == set(range(53)) - seen_first
    assert "Annen" not in second


def test_find_by_reference_typed_loosely(client, db):
    org, _ = coordinator(client, db)
    case = factories.child_case(org, first_name="Referansebarn")
    factories.child_case(org, first_name="Annetbarn")
    db.session.commit()
    loose = case.reference.lower().replace("-", " ")
    html = results_of(find(client, reference=loose))
    assert "Referansebarn" in html
    assert "Annetbarn" not in html
    assert "No case found." in results_of(find(client, reference="FG-ZZZZZZ"))


def test_find_by_a_referral_reference(client, db):
    from tests.web.test_guide_pages import add_referral

    org, _ = coordinator(client, db)
    case = factories.child_case(org, first_name="Henvist")
    referral = add_referral(db, case, factories.user(org, "referrer"))
    db.session.commit()
    assert "Henvist" in results_of(find(client, reference=referral.reference))


def test_find_by_exact_name_and_birth_date_ignores_case_and_spacing(client, db):
    org, _ = coordinator(client, db)
    factories.child_case(
        org, first_name="Ola Nordmann", last_name="Hansen", birth_date="2016-05-17"
    )
    db.session.commit()
    html = results_of(
        find(client, first_name="  ola   NORDMANN ", last_name="hansen", birth_date="2016-05-17")
    )
    assert "Ola Nordmann Hansen" in html
    html = results_of(
        find(client, first_name="Ola Nordmann", last_name="Hansen", birth_date="17.05.2016")
    )
    assert "Ola Nordmann Hansen" in html


def test_partial_names_and_other_birth_dates_find_nothing(client, db):
    org, _ = coordinator(client, db)
    factories.child_case(
        org, first_name="Ola Nordmann", last_name="Hansen", birth_date="2016-05-17"
    )
    db.session.commit()
    for first, last, born in (
        ("Ola", "Hansen", "2016-05-17"),
        ("Ola Nordmann", "Hans", "2016-05-17"),
        ("Ola Nordmann", "Hansen", "2016-05-18"),
    ):
        html = results_of(find(client, first_name=first, last_name=last, birth_date=born))
        assert "No case found." in html
        assert "Hansen" not in html


IDENTITY = {"first_name": "Ola", "last_name": "Hansen", "birth_date": "2016-05-17"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("birth_date", "2016-02-30", "Enter a real date"),
        ("birth_date", "31.13.2016", "Enter a real date"),
        ("first_name", "x" * 10_000, "The name is too long"),
        ("last_name", "Han\u202esen", "invisible control characters"),
        ("reference", "F" * 10_000, "A reference looks like FG-7K3M9Q."),
    ],
    ids=["30-february", "month-13", "long-name", "override", "long-reference"],
)
def test_invalid_search_input_is_explained_beside_the_field_and_searches_nothing(
    client, db, field, value, message
):
    org, _ = coordinator(client, db)
    factories.child_case(org, first_name="Ola", last_name="Hansen", birth_date="2016-05-17")
    db.session.commit()
    fields = {"reference": value} if field == "reference" else {**IDENTITY, field: value}
    response = find(client, **fields)
    assert response.status_code == 400
    beside = response.text.split(f'id="{field}-error"', 1)
    assert len(beside) == 2, f"no message beside {field}"
    assert message in beside[1].split("</div>", 1)[0]
    assert "Results" not in response.text
    assert (
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case_search")).all() == []
    )


def test_arabic_name_with_emoji_is_found_exactly(client, db):
    org, _ = coordinator(client, db)
    factories.child_case(org, first_name="زينب 🌟", last_name="الحسن", birth_date="2016-05-17")
    db.session.commit()
    html = results_of(
        find(client, first_name=" زينب  🌟", last_name="الحسن", birth_date="17.05.2016")
    )
    assert "زينب 🌟 الحسن" in html
    assert "No case found." in results_of(
        find(client, first_name="زينب", last_name="الحسن", birth_date="2016-05-17")
    )


def test_identity_search_never_reaches_another_organisation(client, db):
    coordinator(client, db)
    factories.child_case(
        factories.organisation(), first_name="Fremmed", last_name="Barn", birth_date="2015-01-01"
    )
    db.session.commit()
    html = results_of(find(client, first_name="Fremmed", last_name="Barn", birth_date="2015-01-01"))
    assert "No case found." in html


def test_identity_search_needs_all_three_and_says_which_is_missing(client, db):
    coordinator(client, db)
    response = find(client, first_name="Ola", last_name="Hansen")
    assert 'id="birth_date-error"' in response.text
    assert "Enter the birth date too." in response.text
    assert "Results" not in response.text
    empty = find(client)
    assert "Enter a reference, or the child" in empty.text


def test_names_are_posted_never_put_in_the_address_or_the_audit_log(client, db):
    org, account = coordinator(client, db)
    factories.child_case(org, first_name="Skjult", last_name="Navn", birth_date="2015-02-03")
    db.session.commit()
    page = client.get("/cases/find").text
    assert 'method="post"' in page
    find(client, first_name="Skjult", last_name="Navn", birth_date="2015-02-03")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case_search")).all()
    assert len(events) == 1
    assert events[0].actor_id == account.id
    assert events[0].details["by"] == "identity"
    assert "Skjult" not in str(events[0].details)


def test_guide_cannot_search(client, db):
    signed_in_as(client, factories.organisation(), "guide")
    assert client.get("/cases/find").status_code == 403


def test_guide_filter_matches_names_beyond_ascii_in_any_case(client, db):
    org, _ = coordinator(client, db)
    guide = factories.user(org, "guide")
    guide.full_name = "Øystein Ås"
    factories.child_case(org, first_name="Medguide", status="in_progress", guide=guide)
    factories.child_case(org, first_name="Utenguide", status="accepted")
    db.session.commit()
    html = client.get("/cases?guide=øystein ås").text
    assert "Medguide" in html and "Utenguide" not in html
