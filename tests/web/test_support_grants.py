"""Support on a case: a guide asks, a coordinator approves or rejects, then marks it paid."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from guide.audit.models import AuditEvent
from guide.support.models import GrantStatus, SupportGrant, SupportKind
from guide.support.overviews import case_overview
from guide.support.services import SupportRuleError, club_visible_support, update_grant
from tests import factories
from tests.web.helpers import csrf_token, sign_in


@pytest.fixture
def world(app, client, db):
    """A guide (signed in on ``client``) with an active case enrolled in football, a fund of
    1 000 kr, and a coordinator signed in on a client of their own."""
    org = factories.organisation()
    guide = factories.user(org, "guide", preferred_locale="en")
    coordinator = factories.user(org, "coordinator", preferred_locale="en")
    case = factories.child_case(
        org, guide=guide, status="active", first_name="Solveig", last_name="Sølvberg"
    )
    football = factories.activity(org, name="Fotball J10", category_key="sport")
    football.club.org_number = "974760673"
    factories.enrolled(case, football)
    fund = factories.fund(org, budget=100_000, name="Fritidsstipend 2027")
    db.session.commit()
    assert sign_in(client, guide.email).status_code == 302
    office = app.test_client()
    assert sign_in(office, coordinator.email).status_code == 302
    return {
        "org": org,
        "guide": guide,
        "coordinator": coordinator,
        "case": case,
        "activity": football,
        "fund": fund,
        "office": office,
    }


def request_support(client, case, **fields):
    page = client.get(f"/cases/{case.id}/support/new")
    assert page.status_code == 200
    data = {"csrf_token": csrf_token(page.text), "version": "0", "payee_kind": "club", **fields}
    return client.post(f"/cases/{case.id}/support/new", data=data)


def grants(db, case) -> list[SupportGrant]:
    db.session.expire_all()
    return list(db.session.scalars(select(SupportGrant).where(SupportGrant.case_id == case.id)))


def decide(client, grant, action: str, *, version: int | None = None, **fields):
    """POST one of the decision forms on the grant's page (their fields carry a prefix)."""
    url = f"/cases/{grant.case_id}/support/{grant.id}"
    page = client.get(url)
    token = re.search(r'name="\w+-csrf_token" type="hidden" value="([^"]+)"', page.text)
    # A guide's page has no decision forms; any form's token is as good for the session.
    value = (
        token.group(1)
        if token
        else csrf_token(client.get(f"/cases/{grant.case_id}/support/new").text)
    )
    version = grant.version if version is None else version
    data = {f"{action}-csrf_token": value, f"{action}-version": str(version)}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    return client.post(f"{url}/{action}", data=data)


def correct(visitor, grant, world, amount: str, *, token_from: str | None = None, **fields):
    """Send the grant's edit form: a membership fee to the child's club, ``amount`` as typed.

    The CSRF token comes from the edit form, or from ``token_from`` where there is none.
    """
    edit = f"/cases/{grant.case_id}/support/{grant.id}/edit"
    page = visitor.get(token_from or edit)
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_token(page.text),
        "version": str(grant.version),
        "kind": "membership_fee",
        "amount": amount,
        "payee_kind": "club",
        "activity": str(world["activity"].id),
    }
    return visitor.post(edit, data={**data, **fields})


def saved_grant(db, world, amount: int, **fields) -> SupportGrant:
    grant = factories.grant(
        world["case"], requested_by=world["guide"], amount=amount, offer=world["activity"], **fields
    )
    db.session.commit()
    return grant


def test_guide_requests_the_membership_fee_for_the_childs_club(client, db, world):
    case, football = world["case"], world["activity"]
    response = request_support(
        client, case, kind="membership_fee", amount="1 800", activity=str(football.id)
    )
    assert response.status_code == 302
    (grant,) = grants(db, case)
    assert grant.amount == 180_000
    assert grant.kind == SupportKind.membership_fee
    assert grant.payee_club_id == football.club_id
    assert grant.requested_by_id == world["guide"].id
    assert grant.status == GrantStatus.requested
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "support_requested"))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12.345", "Use at most two decimals"),
        ("tolv kroner", "Write the amount in kroner with digits"),
        ("0", "The amount must be more than 0 kr."),
        ("", "Enter the amount in kroner."),
    ],
)
def test_a_bad_amount_is_explained_beside_the_field_and_nothing_is_stored(
    client, db, world, typed, message
):
    case, football = world["case"], world["activity"]
    response = request_support(
        client, case, kind="trips_events", amount=typed, activity=str(football.id)
    )
    assert response.status_code == 400
    error = re.search(r'id="amount-error">(.*?)</div>', response.text, re.S)
    assert error and message in error.group(1)
    assert grants(db, case) == []


def test_a_shop_needs_a_name(client, db, world):
    response = request_support(
        client, world["case"], kind="equipment", amount="450", payee_kind="shop"
    )
    assert response.status_code == 400
    assert 'id="payee_name-error"' in response.text
    assert grants(db, world["case"]) == []


def test_guide_cannot_ask_for_support_on_a_case_not_assigned_to_them(client, db, world):
    other_case = factories.child_case(world["org"], status="active")
    db.session.commit()
    assert client.get(f"/cases/{other_case.id}/support/new").status_code == 404


def test_guide_cannot_approve(client, db, world):
    grant = saved_grant(db, world, 50_000)
    response = decide(client, grant, "approve", fund=str(world["fund"].id))
    assert response.status_code == 404
    assert grants(db, world["case"])[0].status == GrantStatus.requested


def test_coordinator_approves_a_grant_that_fits_the_fund(db, world):
    grant = saved_grant(db, world, 80_000)
    response = decide(world["office"], grant, "approve", fund=str(world["fund"].id))
    assert response.status_code == 302
    (stored,) = grants(db, world["case"])
    assert stored.status == GrantStatus.approved
    assert stored.fund_id == world["fund"].id
    assert stored.decided_by_id == world["coordinator"].id
    assert stored.decided_at is not None
    assert stored.override_reason is None


def test_over_budget_approval_is_refused_without_the_override(db, world):
    grant = saved_grant(db, world, 180_000)
    response = decide(world["office"], grant, "approve", fund=str(world["fund"].id))
    assert response.status_code == 400
    error = re.search(r'id="approve-override-error">(.*?)</div>', response.text, re.S)
    assert error and "The fund has only NOK\xa01,000.00 left" in error.group(1)
    (stored,) = grants(db, world["case"])
    assert stored.status == GrantStatus.requested
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "fund_override")) is None


def test_the_override_needs_a_reason(db, world):
    grant = saved_grant(db, world, 180_000)
    response = decide(world["office"], grant, "approve", fund=str(world["fund"].id), override="y")
    assert response.status_code == 400
    assert 'id="approve-override_reason-error"' in response.text
    assert grants(db, world["case"])[0].status == GrantStatus.requested


def test_over_budget_approval_with_override_passes_and_is_audited(app, db, world):
    grant = saved_grant(db, world, 180_000)
    reason = "Cupen er siste sjanse i år"
    response = decide(
        world["office"],
        grant,
        "approve",
        fund=str(world["fund"].id),
        override="y",
        override_reason=reason,
    )
    assert response.status_code == 302
    (stored,) = grants(db, world["case"])
    assert stored.status == GrantStatus.approved
    assert stored.override_reason == reason
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "fund_override"))
    assert event is not None
    assert event.actor_id == world["coordinator"].id
    assert event.object_id == str(grant.id)
    assert event.details == {
        "fund_id": str(world["fund"].id),
        "amount": 180_000,
        "remaining": 100_000,
    }
    # The reason is encrypted at rest and never copied into the audit log.
    raw = db.session.execute(
        text("SELECT override_reason FROM support_grants WHERE id = :id"),
        {"id": grant.id.hex if db.engine.dialect.name == "sqlite" else grant.id},
    ).scalar_one()
    assert reason.encode() not in bytes(raw)
    assert reason not in str(event.details)


def test_coordinator_rejects_with_a_reason_the_guide_can_read(client, db, world):
    grant = saved_grant(db, world, 65_000, kind="trips_events")
    refused = decide(world["office"], grant, "reject")
    assert refused.status_code == 400
    assert 'id="reject-reason-error"' in refused.text

    response = decide(world["office"], grant, "reject", reason="Dekkes av klubbens egen ordning")
    assert response.status_code == 302
    (stored,) = grants(db, world["case"])
    assert stored.status == GrantStatus.rejected
    assert stored.decision_note == "Dekkes av klubbens egen ordning"
    page = client.get(f"/cases/{grant.case_id}/support/{grant.id}")
    assert "Dekkes av klubbens egen ordning" in page.text


def test_coordinator_marks_an_approved_grant_as_paid(db, world):
    grant = saved_grant(db, world, 80_000)
    assert decide(world["office"], grant, "approve", fund=str(world["fund"].id)).status_code == 302
    grant = grants(db, world["case"])[0]
    response = decide(world["office"], grant, "pay", payment_reference="BILAG-2027-0042")
    assert response.status_code == 302
    (stored,) = grants(db, world["case"])
    assert stored.status == GrantStatus.paid
    assert stored.payment_reference == "BILAG-2027-0042"
    assert stored.paid_by_id == world["coordinator"].id


def test_a_payment_sent_for_a_grant_not_yet_approved_says_what_is_wrong(db, world):
    grant = saved_grant(db, world, 80_000)
    response = decide(world["office"], grant, "pay", version="", payment_reference="B-1")
    assert response.status_code == 400
    assert "The page is out of date. Reload it and try again." in response.text
    assert grants(db, world["case"])[0].status == GrantStatus.requested


def test_a_decision_on_a_stale_page_is_refused(db, world):
    grant = saved_grant(db, world, 80_000)
    stale_version = grant.version
    grant.amount = 70_000  # someone changed it after the page was loaded
    db.session.commit()
    response = decide(
        world["office"], grant, "approve", version=stale_version, fund=str(world["fund"].id)
    )
    assert response.status_code == 302
    assert grants(db, world["case"])[0].status == GrantStatus.requested


@pytest.mark.parametrize("final", [GrantStatus.rejected, GrantStatus.paid])
def test_a_rejected_or_paid_grant_cannot_be_edited(app, client, db, world, final):
    grant = saved_grant(db, world, 80_000, status=final, fund_id=world["fund"].id)
    with app.test_request_context(), pytest.raises(SupportRuleError):
        update_grant(
            grant,
            by=world["coordinator"],
            expected_version=grant.version,
            details=_details(world, amount=1),
        )
    db.session.rollback()

    for visitor in (client, world["office"]):
        page = visitor.get(f"/cases/{grant.case_id}/support/{grant.id}")
        assert f"/support/{grant.id}/edit" not in page.text  # no edit form offered
        edit = visitor.get(f"/cases/{grant.case_id}/support/{grant.id}/edit")
        assert edit.status_code == 302
    correct(world["office"], grant, world, "1", token_from=f"/cases/{grant.case_id}/support")
    (stored,) = grants(db, world["case"])
    assert stored.amount == 80_000 and stored.status == final


def test_a_requested_grant_can_be_corrected(client, db, world):
    grant = saved_grant(db, world, 80_000)
    response = correct(client, grant, world, "1,250.50")
    assert response.status_code == 302
    assert grants(db, world["case"])[0].amount == 125_050


def test_a_correction_with_a_bad_amount_is_explained_beside_the_field(client, db, world):
    grant = saved_grant(db, world, 80_000)
    response = correct(client, grant, world, "tolv kroner")
    assert response.status_code == 400
    assert 'id="amount-error"' in response.text
    assert grants(db, world["case"])[0].amount == 80_000


def test_a_correction_the_rules_refuse_answers_400_with_the_reason(db, world):
    grant = saved_grant(db, world, 80_000)
    office = world["office"]
    assert decide(office, grant, "approve", fund=str(world["fund"].id)).status_code == 302
    (grant,) = grants(db, world["case"])
    response = correct(office, grant, world, "800", fund="")
    assert response.status_code == 400
    assert "An approved grant must draw on a fund." in response.text
    assert grants(db, world["case"])[0].fund_id == world["fund"].id


def _details(world, *, amount: int):
    from guide.support.models import PayeeKind
    from guide.support.services import GrantDetails

    return GrantDetails(
        kind=SupportKind.membership_fee,
        amount=amount,
        activity_id=world["activity"].id,
        payee_kind=PayeeKind.club,
        payee_name=None,
        fund_id=world["fund"].id,
        reason=None,
    )


def test_a_club_sees_at_most_that_the_membership_fee_is_settled(app, db, world):
    case, football = world["case"], world["activity"]
    other_club_activity = factories.activity(world["org"], name="Korps")
    db.session.commit()
    with app.test_request_context():
        assert club_visible_support(case.child, football.club) is None
        saved_grant(db, world, 65_000, kind="trips_events", status="approved")
        assert club_visible_support(case.child, football.club) is None
        saved_grant(db, world, 180_000, status="rejected", decision_note="Fiktiv grunn")
        assert club_visible_support(case.child, football.club) is None
        saved_grant(db, world, 80_000, status="paid", fund_id=world["fund"].id)
        shown = club_visible_support(case.child, football.club)
        assert shown == "Kontingenten er betalt av ordningen."  # bokmål, the default
        assert club_visible_support(case.child, other_club_activity.club) is None
    for secret in ("Fritidsstipend", "Fiktiv grunn", "800", "650"):
        assert secret not in shown


def test_the_case_overview_totals_per_kind_and_year(client, db, world):
    fund_id = world["fund"].id
    saved_grant(db, world, 180_000, status="paid", fund_id=fund_id, payment_reference="B-1")
    saved_grant(db, world, 65_000, kind="trips_events", status="approved", fund_id=fund_id)
    saved_grant(db, world, 10_000, kind="trips_events", status="rejected")
    saved_grant(db, world, 20_000, kind="transport")
    for grant in grants(db, world["case"]):
        if grant.status in (GrantStatus.approved, GrantStatus.paid):
            grant.decided_at = grant.requested_at
    db.session.commit()

    overview = case_overview(world["case"])
    assert overview.by_kind[SupportKind.membership_fee].paid == 180_000
    assert overview.by_kind[SupportKind.trips_events].committed == 65_000
    assert SupportKind.transport not in overview.by_kind
    assert overview.totals.total == 245_000
    assert sum(sums.total for sums in overview.by_year.values()) == 245_000
    assert overview.requested == 20_000

    page = client.get(f"/cases/{world['case'].id}/support")
    assert page.status_code == 200
    assert "NOK\xa01,800.00" in page.text
    assert "Fritidsstipend 2027" in page.text
