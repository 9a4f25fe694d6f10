"""The register of the organisation's own equipment: adding, changing, filtering, lent or not."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from guide.support.loans import ItemFilters, add_item, lend_equipment, list_items, mark_returned
from guide.support.models import EquipmentItem, LoanSource
from tests import factories
from tests.web.helpers import csrf_token, signed_in_as


def register_table(html: str) -> str:
    return html.split('id="equipment-items"', 1)[1].split("</table>", 1)[0]


def test_coordinator_adds_an_item_that_is_then_in_the_store(client, db):
    org = factories.organisation()
    signed_in_as(client, org, "coordinator", preferred_locale="en")
    page = client.get("/equipment/new")

    response = client.post(
        "/equipment/new",
        data={
            "name": "Slalåmski",
            "size": "120 cm",
            "condition": "good",
            "csrf_token": csrf_token(page.text),
        },
    )

    assert response.status_code == 302
    item = db.session.scalar(select(EquipmentItem))
    assert (item.organisation_id, item.name, item.size, item.condition, item.is_available) == (
        org.id,
        "Slalåmski",
        "120 cm",
        "good",
        True,
    )
    table = register_table(client.get("/equipment").text)
    assert "Slalåmski" in table and "In the store" in table


def test_an_item_needs_a_name_and_nothing_is_stored_without_one(client, db):
    signed_in_as(client, factories.organisation(), "coordinator", preferred_locale="en")
    page = client.get("/equipment/new")

    for name in ("", "   ", "x" * 201):
        response = client.post(
            "/equipment/new", data={"name": name, "csrf_token": csrf_token(page.text)}
        )
        assert response.status_code == 400
        assert 'id="name-error"' in response.text

    assert db.session.scalars(select(EquipmentItem)).all() == []


def test_coordinator_changes_an_item(client, db):
    org = factories.organisation()
    coordinator = signed_in_as(client, org, "coordinator", preferred_locale="en")
    item = add_item(by=coordinator, name="Hjelm", size="S", condition="new")
    db.session.commit()
    path = f"/equipment/{item.id}"
    page = client.get(path)
    assert 'value="Hjelm"' in page.text

    response = client.post(
        path,
        data={
            "name": "Sykkelhjelm",
            "size": "M",
            "condition": "worn",
            "csrf_token": csrf_token(page.text),
        },
    )

    assert response.status_code == 302
    db.session.expire_all()
    item = db.session.get(EquipmentItem, item.id)
    assert (item.name, item.size, item.condition) == ("Sykkelhjelm", "M", "worn")


def test_register_shows_which_items_are_lent_and_filters_them(client, db):
    org = factories.organisation()
    coordinator = signed_in_as(client, org, "coordinator", preferred_locale="en")
    case = factories.child_case(org, status="active")
    skates = add_item(by=coordinator, name="Skøyter", size="38")
    add_item(by=coordinator, name="Ski", size="150 cm")
    add_item(by=coordinator, name="Skistaver 100% karbon", size="110 cm")
    lend_equipment(
        case,
        by=coordinator,
        source=LoanSource.own_store,
        item=skates,
        item_type="",
        lent_on=dt.date(2026, 4, 1),
        due_on=dt.date(2026, 5, 4),
    )
    db.session.commit()

    everything = register_table(client.get("/equipment").text)
    assert everything.index("Ski<") < everything.index("Skistaver") < everything.index("Skøyter")
    assert "Lent out, due 04/05/2026" in everything and case.reference in everything

    lent = register_table(client.get("/equipment?status=lent").text)
    assert "Skøyter" in lent and "Skistaver" not in lent
    available = register_table(client.get("/equipment?status=available").text)
    assert "Skøyter" not in available and "Skistaver" in available
    by_size = register_table(client.get("/equipment?text=110").text)
    assert "Skistaver" in by_size and "Skøyter" not in by_size
    # A percent sign is searched for, not used as a wildcard.
    percent = client.get("/equipment?text=%25").text
    assert "Skistaver" in register_table(percent) and "Skøyter" not in register_table(percent)
    assert "No items match." in client.get("/equipment?text=snowboard").text


def test_returning_the_loan_puts_the_item_back_in_the_store(db):
    org = factories.organisation()
    coordinator = factories.user(org, "coordinator")
    case = factories.child_case(org, status="active")
    bag = add_item(by=coordinator, name="Sekk")
    loan = lend_equipment(
        case,
        by=coordinator,
        source=LoanSource.own_store,
        item=bag,
        item_type="",
        lent_on=dt.date(2026, 4, 1),
        due_on=dt.date(2026, 5, 4),
    )
    db.session.commit()
    [row] = list_items(organisation_id=org.id, filters=ItemFilters(status="lent"))
    assert (row.item.id, row.loan.id) == (bag.id, loan.id)

    mark_returned(loan, by=coordinator, returned_on=dt.date(2026, 5, 2))
    db.session.commit()

    [row] = list_items(organisation_id=org.id, filters=ItemFilters(status="available"))
    assert (row.item.id, row.loan) == (bag.id, None)


def test_the_register_is_for_coordinators_of_the_organisation_only(client, db):
    other = factories.organisation()
    foreign = add_item(by=factories.user(other, "coordinator"), name="Fremmed ski")
    org = factories.organisation()
    own = add_item(by=factories.user(org, "coordinator"), name="Egen ski")
    db.session.commit()

    signed_in_as(client, org, "coordinator", preferred_locale="en")
    listing = client.get("/equipment").text
    assert "Egen ski" in listing and "Fremmed ski" not in listing
    assert client.get(f"/equipment/{foreign.id}").status_code == 404
    assert client.get(f"/equipment/{own.id}").status_code == 200


def test_guides_cannot_open_the_register(client, db):
    org = factories.organisation()
    item = add_item(by=factories.user(org, "coordinator"), name="Ski")
    db.session.commit()
    signed_in_as(client, org, "guide")
    assert client.get("/equipment").status_code == 403
    assert client.get("/equipment/new").status_code == 403
    assert client.get(f"/equipment/{item.id}").status_code == 404
