"""Equipment loans on a case: registering, refusing bad input, returning, and the dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from guide.audit.models import AuditEvent
from guide.dates import local_date
from guide.support.loans import (
    LoanRefused,
    add_item,
    lend_equipment,
    mark_returned,
    overdue_loans,
)
from guide.support.models import EquipmentItem, EquipmentLoan, LoanSource
from tests import factories
from tests.web.helpers import csrf_token, signed_in_as

#: Noon in Oslo, so "today" is the same date in UTC and locally.
NOON = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
DUE = dt.date(2026, 5, 4)


def loan_count(db) -> int:
    return db.session.scalar(select(func.count(EquipmentLoan.id)))


def loan_form(**fields) -> dict[str, str]:
    """A good loan from the equipment library: skates, due in two weeks."""
    today = local_date()
    return {
        "source": "equipment_library",
        "item": "",
        "item_type": "Skøyter",
        "size": "36",
        "condition": "good",
        "lent_on": today.isoformat(),
        "due_on": (today + dt.timedelta(days=14)).isoformat(),
        "note": "",
        **fields,
    }


def post_loan(client, case, **fields):
    page = client.get(f"/cases/{case.id}/loans/new")
    assert page.status_code == 200
    data = loan_form(csrf_token=csrf_token(page.text), **fields)
    return client.post(f"/cases/{case.id}/loans/new", data=data)


def new_loan(case, by, *, lent_on=dt.date(2026, 4, 1), due_on=DUE, **fields) -> EquipmentLoan:
    return lend_equipment(
        case,
        by=by,
        source=fields.pop("source", LoanSource.equipment_library),
        item_type=fields.pop("item_type", "Hjelm"),
        lent_on=lent_on,
        due_on=due_on,
        **fields,
    )


def test_guide_registers_a_loan_on_an_assigned_case(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, status="active", guide=guide)
    db.session.commit()

    response = post_loan(client, case, note="Lånt fra BUA Nord, hentes av mor")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}/loans")
    loan = db.session.scalar(select(EquipmentLoan))
    assert (loan.case_id, loan.item_type, loan.size, loan.condition) == (
        case.id,
        "Skøyter",
        "36",
        "good",
    )
    assert loan.source == LoanSource.equipment_library
    assert loan.due_on == local_date() + dt.timedelta(days=14)
    assert loan.note == "Lånt fra BUA Nord, hentes av mor"
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "equipment_loan_created")
    )
    assert event.actor_id == guide.id
    assert "BUA Nord" not in str(event.details) and "Skøyter" not in str(event.details)

    listing = client.get(f"/cases/{case.id}/loans").text
    assert "Skøyter" in listing and "Equipment library (such as BUA)" in listing
    assert f"/cases/{case.id}/loans" in client.get(f"/cases/{case.id}").text


def test_guide_cannot_create_a_loan_on_an_unassigned_case(client, db):
    org = factories.organisation()
    signed_in_as(client, org, "guide", preferred_locale="en")
    colleague = factories.user(org, "guide")
    case = factories.child_case(org, status="active", guide=colleague)
    db.session.commit()
    token = csrf_token(client.get("/my-cases").text)

    assert client.get(f"/cases/{case.id}/loans/new").status_code == 404
    refused = client.post(
        f"/cases/{case.id}/loans/new",
        data={
            "source": "club",
            "item_type": "Ski",
            "lent_on": local_date().isoformat(),
            "due_on": local_date().isoformat(),
            "csrf_token": token,
        },
    )
    assert refused.status_code == 404
    assert client.get(f"/cases/{case.id}/loans").status_code == 404
    assert loan_count(db) == 0


def test_coordinator_of_another_organisation_gets_404(client, db):
    signed_in_as(client, factories.organisation(), "coordinator")
    other = factories.organisation()
    case = factories.child_case(other, status="active", guide=factories.user(other, "guide"))
    db.session.commit()
    assert client.get(f"/cases/{case.id}/loans").status_code == 404
    assert client.get(f"/cases/{case.id}/loans/new").status_code == 404


def test_due_date_before_the_lending_date_is_refused_beside_the_field(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, status="active", guide=guide)
    db.session.commit()
    today = local_date()

    response = post_loan(client, case, due_on=(today - dt.timedelta(days=1)).isoformat())

    assert response.status_code == 400
    assert 'id="due_on-error"' in response.text
    assert "The due date cannot be before the day it was lent." in response.text
    assert loan_count(db) == 0


def test_a_note_of_ten_thousand_characters_is_refused(client, db):
    org = factories.organisation()
    signed_in_as(client, org, "coordinator", preferred_locale="en")
    case = factories.child_case(org, status="active", guide=factories.user(org, "guide"))
    db.session.commit()

    response = post_loan(client, case, note="x" * 10_000)

    assert response.status_code == 400
    assert 'id="note-error"' in response.text
    assert "Shorten the text to 2000 characters or fewer." in response.text
    assert loan_count(db) == 0


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"item_type": "   "}, "item_type"),
        ({"lent_on": "31.02.2026"}, "lent_on"),
        ({"due_on": ""}, "due_on"),
        ({"source": ""}, "source"),
        ({"lent_on": "2099-01-01", "due_on": "2099-01-02"}, "lent_on"),
        ({"due_on": "2090-01-01"}, "due_on"),
    ],
)
def test_other_invalid_loans_are_refused_and_nothing_stored(client, db, fields, error_field):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, status="in_progress", guide=guide)
    db.session.commit()

    response = post_loan(client, case, **fields)

    assert response.status_code == 400
    assert f'id="{error_field}-error"' in response.text
    assert loan_count(db) == 0


def test_no_new_loan_on_a_closed_case(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, status="closed", guide=guide)
    db.session.commit()

    response = client.get(f"/cases/{case.id}/loans/new")

    assert response.status_code == 302
    assert loan_count(db) == 0
    with pytest.raises(LoanRefused):
        new_loan(case, guide)


def test_picking_a_register_item_lends_it_and_returning_frees_it(client, db):
    org = factories.organisation()
    coordinator = signed_in_as(client, org, "coordinator", preferred_locale="en")
    case = factories.child_case(org, status="active", guide=factories.user(org, "guide"))
    skis = add_item(by=coordinator, name="Langrennsski", size="150 cm", condition="worn")
    db.session.commit()
    assert "Langrennsski (150 cm, Worn)" in client.get(f"/cases/{case.id}/loans/new").text

    response = post_loan(client, case, source="own_store", item=str(skis.id), item_type="")

    assert response.status_code == 302
    loan = db.session.scalar(select(EquipmentLoan))
    assert (loan.item_id, loan.item_type, loan.size, loan.condition) == (
        skis.id,
        "Langrennsski",
        "150 cm",
        "worn",
    )
    assert db.session.get(EquipmentItem, skis.id).is_available is False
    assert str(skis.id) not in client.get(f"/cases/{case.id}/loans/new").text

    path = f"/cases/{case.id}/loans/{loan.id}/return"
    page = client.get(path)
    returned = client.post(
        path, data={"returned_on": local_date().isoformat(), "csrf_token": csrf_token(page.text)}
    )
    assert returned.status_code == 302
    db.session.expire_all()
    assert db.session.get(EquipmentLoan, loan.id).returned_on == local_date()
    assert db.session.get(EquipmentItem, skis.id).is_available is True


def test_a_register_item_must_come_from_the_own_store(client, db):
    org = factories.organisation()
    coordinator = signed_in_as(client, org, "coordinator", preferred_locale="en")
    case = factories.child_case(org, status="active", guide=factories.user(org, "guide"))
    helmet = add_item(by=coordinator, name="Hjelm")
    db.session.commit()

    response = post_loan(client, case, source="club", item=str(helmet.id))

    assert response.status_code == 400
    assert 'id="item-error"' in response.text
    assert loan_count(db) == 0
    assert db.session.get(EquipmentItem, helmet.id).is_available is True


def test_an_item_already_lent_cannot_be_lent_again(db):
    org = factories.organisation()
    coordinator = factories.user(org, "coordinator")
    first = factories.child_case(org, status="active")
    second = factories.child_case(org, status="active")
    skates = add_item(by=coordinator, name="Skøyter", size="38")
    new_loan(first, coordinator, source=LoanSource.own_store, item=skates)
    db.session.commit()

    with pytest.raises(LoanRefused) as refusal:
        new_loan(second, coordinator, source=LoanSource.own_store, item=skates)

    assert refusal.value.field == "item"
    db.session.rollback()
    assert db.session.scalar(select(func.count(EquipmentLoan.id))) == 1


def test_returning_refuses_a_date_before_lending_or_in_the_future(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, status="active", guide=guide)
    today = local_date()
    loan = new_loan(case, guide, lent_on=today - dt.timedelta(days=3), due_on=today)
    db.session.commit()
    path = f"/cases/{case.id}/loans/{loan.id}/return"
    token = csrf_token(client.get(path).text)

    for day in (today - dt.timedelta(days=4), today + dt.timedelta(days=1)):
        response = client.post(path, data={"returned_on": day.isoformat(), "csrf_token": token})
        assert response.status_code == 400
        assert 'id="returned_on-error"' in response.text
    assert db.session.get(EquipmentLoan, loan.id).returned_on is None

    with pytest.raises(LoanRefused):
        mark_returned(loan, by=guide, returned_on=today - dt.timedelta(days=4))


def test_a_returned_loan_cannot_be_returned_again(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, status="active", guide=guide)
    loan = new_loan(case, guide)
    mark_returned(loan, by=guide, returned_on=dt.date(2026, 4, 20))
    db.session.commit()

    response = client.get(f"/cases/{case.id}/loans/{loan.id}/return")

    assert response.status_code == 302
    assert db.session.get(EquipmentLoan, loan.id).returned_on == dt.date(2026, 4, 20)
    with pytest.raises(LoanRefused):
        mark_returned(loan, by=guide, returned_on=dt.date(2026, 4, 21))


def test_a_loan_of_another_case_answers_404(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide")
    mine = factories.child_case(org, status="active", guide=guide)
    other = factories.child_case(org, status="active", guide=guide)
    loan = new_loan(other, guide)
    db.session.commit()
    assert client.get(f"/cases/{mine.id}/loans/{loan.id}/return").status_code == 404


# --- overdue loans on the dashboard ----------------------------------------------------------


def test_overdue_loan_appears_on_the_dashboard_the_day_after_its_due_date(client, db, monkeypatch):
    org = factories.organisation()
    coordinator = signed_in_as(client, org, "coordinator", preferred_locale="en")
    case = factories.child_case(org, first_name="Lånebarn", status="active")
    loan = new_loan(case, coordinator, item_type="Fotballsko", due_on=DUE)
    db.session.commit()

    def dashboard_on(moment: dt.datetime) -> str:
        monkeypatch.setattr("guide.dates.utcnow", lambda: moment)
        html = client.get("/dashboard").text
        return html.split('id="overdue-loans-heading"', 1)[1].split("</section>", 1)[0]

    on_due_date = dashboard_on(NOON)
    assert case.reference not in on_due_date
    assert "No equipment loans are overdue." in on_due_date

    next_day = dashboard_on(NOON + dt.timedelta(days=1))
    assert case.reference in next_day
    assert "Fotballsko" in next_day and "Lånebarn" in next_day

    mark_returned(loan, by=coordinator, returned_on=DUE + dt.timedelta(days=1))
    db.session.commit()
    after_return = dashboard_on(NOON + dt.timedelta(days=1))
    assert case.reference not in after_return


def test_overdue_loans_are_computed_for_the_given_day_and_organisation(db):
    org, other = factories.organisation(), factories.organisation()
    coordinator = factories.user(org, "coordinator")
    late = new_loan(factories.child_case(org, status="active"), coordinator, due_on=DUE)
    later = new_loan(
        factories.child_case(org, status="active"),
        coordinator,
        due_on=DUE + dt.timedelta(days=2),
    )
    new_loan(factories.child_case(other, status="active"), factories.user(other, "coordinator"))
    db.session.commit()

    assert overdue_loans(organisation_id=org.id, today=DUE) == []
    after = overdue_loans(organisation_id=org.id, today=DUE + dt.timedelta(days=3))
    assert [loan.id for loan in after] == [late.id, later.id]


def test_guide_cannot_see_the_dashboard_panel(client, db):
    signed_in_as(client, factories.organisation(), "guide")
    assert client.get("/dashboard").status_code == 403
