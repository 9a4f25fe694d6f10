"""The guide's phone pages: "My children" with the next step, and the case page a guide sees."""

from __future__ import annotations

import datetime as dt

from guide.cases.followups import schedule_follow_ups
from guide.database import utcnow
from guide.referrals.models import Referral
from tests import factories
from tests.web.helpers import signed_in_as

REASON = "Bekymret for at barnet er mye alene"


def add_referral(db, case, referrer) -> Referral:
    referral = Referral(
        organisation_id=case.organisation_id,
        child_id=case.child_id,
        case_id=case.id,
        referred_by_id=referrer.id,
        referrer_kind="school_nurse",
        status="accepted",
        reason=REASON,
        help_level="find_activity",
        consent_given_by="Forelder Eksempelsen",
        consent_relation="mother",
        consent_method="verbal_documented",
        consent_given_on=dt.date(2026, 1, 5),
    )
    db.session.add(referral)
    db.session.flush()
    return referral


def test_guide_lands_on_my_children(client, db):
    signed_in_as(client, factories.organisation(), "guide")
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/my-cases")


def test_my_children_lists_own_open_cases_with_the_next_step(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    factories.child_case(org, first_name="Amal", guide=guide, status="guide_assigned")
    factories.child_case(org, first_name="Bjørn", guide=guide, status="in_progress")
    active = factories.child_case(org, first_name="Chen", guide=guide, status="active")
    schedule_follow_ups(active, start=dt.date(2026, 1, 12))
    factories.child_case(org, first_name="Dina", guide=guide, status="closed")
    factories.child_case(org, first_name="Erik", guide=factories.user(org, "guide"))
    factories.child_case(org, first_name="Frida", status="accepted")
    db.session.commit()

    page = client.get("/my-cases")
    assert page.status_code == 200
    html = page.text
    for name, step in (
        ("Amal", "Log the first contact"),
        ("Bjørn", "Find an activity"),
        ("Chen", "Follow-up due 12/02/2026"),
    ):
        assert name in html
        assert step in html.split(name, 1)[1].split("</li>", 1)[0]
    for hidden in ("Dina", "Erik", "Frida", "Eksempelsen"):
        assert hidden not in html  # closed, someone else's, unassigned, and no last names


def test_my_children_is_translated_and_phone_sized(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide")  # bokmål by default
    factories.child_case(org, guide=guide, status="guide_assigned")
    db.session.commit()
    html = client.get("/my-cases").text
    assert "Mine barn" in html
    assert "Registrer første kontakt" in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "<table" not in html  # cards, not a wide table, on a phone


def test_guide_case_page_has_contacts_interests_and_help_level(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(
        org, guide=guide, status="in_progress", guardian_phone="+4791234567"
    )
    db.session.commit()
    html = client.get(f"/cases/{case.id}").text
    assert 'href="tel:+4791234567"' in html
    assert "Vil spille gitar" in html
    assert "Help to find an activity" in html
    assert f"/cases/{case.id}/visits/new" in html


def test_referral_reason_is_never_on_a_guide_page(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, guide=guide, status="in_progress")
    add_referral(db, case, factories.user(org, "referrer"))
    db.session.commit()
    for path in (f"/cases/{case.id}", "/my-cases", f"/cases/{case.id}/visits/new"):
        response = client.get(path)
        assert response.status_code == 200
        assert REASON not in response.text
        assert "Reason for referral" not in response.text


def test_coordinator_sees_the_referral_reason(client, db):
    org = factories.organisation()
    signed_in_as(client, org, "coordinator", preferred_locale="en")
    case = factories.child_case(org, status="accepted")
    referral = add_referral(db, case, factories.user(org, "referrer"))
    db.session.commit()
    html = client.get(f"/cases/{case.id}").text
    assert REASON in html
    assert referral.reference in html


def test_coordinator_has_no_children_of_their_own(client, db):
    org = factories.organisation()
    signed_in_as(client, org, "coordinator", preferred_locale="en")
    factories.child_case(org, first_name="Ingrid", guide=factories.user(org, "guide"))
    db.session.commit()
    html = client.get("/my-cases").text
    assert "Ingrid" not in html
    assert "You have no children assigned right now" in html


def test_referrer_cannot_see_my_children(client, db):
    signed_in_as(client, factories.organisation(), "referrer")
    assert client.get("/my-cases").status_code == 403


def test_follow_up_step_shows_the_earliest_open_follow_up(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    case = factories.child_case(org, first_name="Hedda", guide=guide, status="active")
    first, second, _ = schedule_follow_ups(case, start=dt.date(2026, 3, 31))
    first.done_at = utcnow()
    db.session.commit()
    assert second.due_on == dt.date(2026, 6, 30)
    assert "Follow-up due 30/06/2026" in client.get("/my-cases").text
