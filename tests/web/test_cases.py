"""The coordinator's case list and the case page: scope, decryption and audit."""

from __future__ import annotations

from sqlalchemy import select

from guide.audit.models import AuditEvent
from tests import factories
from tests.web.helpers import sign_in


def _signed_in(client, db, role):
    org = factories.organisation()
    account = factories.user(org, role)
    db.session.commit()
    assert sign_in(client, account.email).status_code == 302
    return org, account


def test_coordinator_sees_decrypted_names_in_case_list(client, db):
    org, _ = _signed_in(client, db, "coordinator")
    factories.child_case(org, first_name="Solveig", last_name="Listesen")
    db.session.commit()
    page = client.get("/cases")
    assert page.status_code == 200
    assert "Solveig Listesen" in page.text
    assert page.headers["Cache-Control"].startswith("no-store")


def test_case_list_shows_only_own_organisation(client, db):
    org, _ = _signed_in(client, db, "coordinator")
    other = factories.organisation()
    factories.child_case(other, first_name="Fremmed", last_name="Barn")
    factories.child_case(org, first_name="Eget", last_name="Barn")
    db.session.commit()
    page = client.get("/cases")
    assert "Eget Barn" in page.text
    assert "Fremmed" not in page.text


def test_case_list_pages_with_a_cursor(client, db):
    org, _ = _signed_in(client, db, "coordinator")
    for number in range(53):
        factories.child_case(org, first_name=f"Barn{number:02d}", last_name="Side")
    db.session.commit()
    first = client.get("/cases")
    assert first.text.count("/cases/") >= 50
    assert "after=" in first.text
    cursor = first.text.split("after=")[1].split('"')[0]
    second = client.get(f"/cases?after={cursor}")
    assert second.status_code == 200
    names_first = {f"Barn{n:02d}" for n in range(53) if f"Barn{n:02d} Side" in first.text}
    names_second = {f"Barn{n:02d}" for n in range(53) if f"Barn{n:02d} Side" in second.text}
    assert len(names_first) == 50
    assert len(names_second) == 3
    assert not names_first & names_second


def test_garbled_cursor_shows_first_page(client, db):
    org, _ = _signed_in(client, db, "coordinator")
    factories.child_case(org, first_name="Ingen", last_name="Feil")
    db.session.commit()
    page = client.get("/cases?after=%%%not-a-cursor")
    assert page.status_code == 200
    assert "Ingen Feil" in page.text


def test_reading_a_case_page_writes_an_audit_event(client, db):
    org, coordinator = _signed_in(client, db, "coordinator")
    case = factories.child_case(org, first_name="Revisjon", guardian_phone="+4790000001")
    db.session.commit()
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert "Revisjon" in page.text
    assert "+4790000001" in page.text
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "case_viewed", AuditEvent.object_id == str(case.id)
        )
    )
    assert event is not None
    assert event.actor_id == coordinator.id
    assert "Revisjon" not in str(event.details)


def test_case_of_another_organisation_is_not_found(client, db):
    _signed_in(client, db, "coordinator")
    other_case = factories.child_case(factories.organisation())
    db.session.commit()
    assert client.get(f"/cases/{other_case.id}").status_code == 404


def test_guide_opens_assigned_case_but_not_others(client, db):
    org, guide = _signed_in(client, db, "guide")
    mine = factories.child_case(org, first_name="Min", guide=guide, status="guide_assigned")
    not_mine = factories.child_case(org, first_name="Ikke")
    db.session.commit()
    assert client.get(f"/cases/{mine.id}").status_code == 200
    assert client.get(f"/cases/{not_mine.id}").status_code == 404
    assert client.get("/cases").status_code == 403


def test_referrer_cannot_open_case_pages(client, db):
    org, _ = _signed_in(client, db, "referrer")
    case = factories.child_case(org)
    db.session.commit()
    assert client.get("/cases").status_code == 403
    assert client.get(f"/cases/{case.id}").status_code == 404  # an object's address: no hint


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    case = factories.child_case(factories.organisation())
    db.session.commit()
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
