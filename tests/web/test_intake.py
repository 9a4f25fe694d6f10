"""The coordinator's intake queue, the duplicate warning, the decisions, and "My referrals"."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid

import pytest
from sqlalchemy import func, select

from guide.cases.models import Case, Child, Guardian, Visit
from guide.cases.workflow import change_status
from guide.database import utcnow
from guide.referrals.models import Referral
from guide.referrals.services import submit_referral
from tests import factories
from tests.db.test_referral_services import referral_details
from tests.web.helpers import csrf_token


@pytest.fixture
def world(db):
    org = factories.organisation()
    people = {
        "org": org,
        "referrer": factories.user(org, "referrer", preferred_locale="en"),
        "other_referrer": factories.user(org, "referrer", preferred_locale="en"),
        "coordinator": factories.user(org, "coordinator", preferred_locale="en"),
        "guide": factories.user(org, "guide"),
    }
    people["guide"].full_name = "Guide Hemmelignavn"
    db.session.commit()
    return people


def refer(db, user, **changes) -> str:
    """A referral sent by ``user`` (the form itself is tested in test_referral_form)."""
    referral = submit_referral(details=referral_details(**changes), referrer=user)
    db.session.commit()
    return str(referral.id)


def load(db, referral_id: str) -> Referral:
    db.session.expire_all()
    return db.session.get(Referral, uuid.UUID(referral_id))


def seen_version(page_text: str) -> str:
    match = re.search(r'name="version" type="hidden" value="(\d+)"', page_text) or re.search(
        r'type="hidden" name="version" value="(\d+)"', page_text
    )
    assert match, "no version field on the decision page"
    return match.group(1)


def decide(browser, referral_id: str, action: str, **fields):
    page = browser.get(f"/intake/{referral_id}")
    assert page.status_code == 200
    data = {"csrf_token": csrf_token(page.text), "version": seen_version(page.text), **fields}
    return browser.post(f"/intake/{referral_id}/{action}", data=data)


def test_queue_lists_new_referrals_oldest_first_with_days_waiting(db, world, client_for):
    first = refer(db, world["referrer"], first_name="Eldst")
    second = refer(db, world["referrer"], first_name="Yngst", born_on=dt.date(2014, 1, 1))
    load(db, first).submitted_at = utcnow() - dt.timedelta(days=4)
    db.session.commit()
    page = client_for(world["coordinator"]).get("/intake")
    assert page.status_code == 200
    assert page.text.index("Eldst") < page.text.index("Yngst")
    assert "waiting 4 days" in page.text
    assert "waiting 0 days" in page.text
    assert load(db, second).reference in page.text


def test_duplicate_warning_for_the_same_child_written_differently(db, world, client_for):
    first = refer(db, world["referrer"], first_name="Ola", last_name="Nordmann")
    again = refer(db, world["other_referrer"], first_name="  ola ", last_name="NORDMANN")
    other = refer(
        db, world["referrer"], first_name="Ola", last_name="Nordmann", born_on=dt.date(2015, 4, 4)
    )
    coordinator = client_for(world["coordinator"])
    detail = coordinator.get(f"/intake/{again}")
    assert "Possible duplicate" in detail.text
    assert f"/cases/{load(db, first).case_id}" in detail.text
    assert "Possible duplicate" not in coordinator.get(f"/intake/{other}").text
    queue = coordinator.get("/intake")
    assert queue.text.count("Possible duplicate") == 2  # the two referrals of the same child


def test_coordinator_accepts_and_referrer_sees_the_new_status(db, world, client_for):
    referral_id = refer(db, world["referrer"])
    coordinator = client_for(world["coordinator"])
    response = decide(coordinator, referral_id, "accept")
    assert response.status_code == 302
    referral = load(db, referral_id)
    assert (referral.status, referral.case.status) == ("accepted", "accepted")
    assert referral.decided_by_id == world["coordinator"].id
    assert referral.reference not in coordinator.get("/intake").text
    mine = client_for(world["referrer"]).get("/referrals")
    assert "Accepted" in mine.text


def test_coordinator_declines_with_a_reason_the_referrer_never_sees(db, world, client_for):
    referral_id = refer(db, world["referrer"])
    coordinator = client_for(world["coordinator"])
    missing = decide(coordinator, referral_id, "decline", decline_reason="  ")
    assert missing.status_code == 400
    assert 'id="decline_reason-error"' in missing.text
    assert load(db, referral_id).status == "received"
    response = decide(coordinator, referral_id, "decline", decline_reason="Fiktivt: bor utenfor")
    assert response.status_code == 302
    referral = load(db, referral_id)
    assert (referral.status, referral.case.status) == ("declined", "declined")
    assert referral.decline_reason == "Fiktivt: bor utenfor"
    referrer = client_for(world["referrer"])
    for page in (referrer.get("/referrals"), referrer.get(f"/referrals/{referral_id}")):
        assert "Declined" in page.text
        assert "bor utenfor" not in page.text
        assert "Fiktiv grunn" not in page.text


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("d" * 10_000, "Shorten this to 4000 characters or fewer."),
        ("Fiktivt: bor \u202eutenfor", "invisible control characters"),
    ],
    ids=["10000-characters", "direction-override"],
)
def test_invalid_decline_reason_is_explained_beside_the_field_and_decides_nothing(
    db, world, client_for, reason, message
):
    referral_id = refer(db, world["referrer"])
    response = decide(
        client_for(world["coordinator"]), referral_id, "decline", decline_reason=reason
    )
    assert response.status_code == 400
    beside = response.text.split('id="decline_reason-error"', 1)
    assert len(beside) == 2, "no message beside the reason"
    assert message in beside[1].split("</div>", 1)[0]
    referral = load(db, referral_id)
    assert (referral.status, referral.case.status) == ("received", "referred")
    assert referral.decline_reason is None


def test_decline_reason_in_arabic_with_emoji_is_kept(db, world, client_for):
    referral_id = refer(db, world["referrer"])
    reason = "Fiktivt: familien har flyttet 📦 انتقلت العائلة"
    response = decide(
        client_for(world["coordinator"]), referral_id, "decline", decline_reason=reason
    )
    assert response.status_code == 302
    assert load(db, referral_id).decline_reason == reason


def test_merge_moves_the_referral_and_new_guardian_to_the_existing_case(db, world, client_for):
    first_id = refer(db, world["referrer"])
    known = referral_details().guardians[0]
    new = dataclasses.replace(known, full_name="Ny Foresatt", phone="+4791234568")
    second_id = refer(db, world["other_referrer"], guardians=[known, new])
    existing = load(db, first_id).case
    copy_case_id, copy_child_id = load(db, second_id).case_id, load(db, second_id).child_id
    response = decide(
        client_for(world["coordinator"]), second_id, "merge", into_case=str(existing.id)
    )
    assert response.status_code == 302
    merged = load(db, second_id)
    assert merged.status == "merged"
    assert (merged.case_id, merged.child_id) == (existing.id, existing.child_id)
    assert merged.reason == "Fiktiv grunn"
    assert db.session.get(Case, copy_case_id) is None
    assert db.session.get(Child, copy_child_id) is None
    names = sorted(g.full_name for g in db.session.get(Child, existing.child_id).guardians)
    assert names == ["Forelder Tjenestesen", "Ny Foresatt"]
    assert db.session.scalar(select(func.count()).select_from(Guardian)) == 2
    note = db.session.get(Case, existing.id).status_changes[-1]
    assert merged.reference in note.note
    assert note.from_status == note.to_status == "referred"
    mine = client_for(world["other_referrer"]).get(f"/referrals/{second_id}")
    assert mine.status_code == 200 and "Accepted" in mine.text


def test_merge_into_a_case_that_is_not_a_duplicate_is_refused(db, world, client_for):
    referral_id = refer(db, world["referrer"])
    unrelated = factories.child_case(world["org"], first_name="Annen")
    db.session.commit()
    response = decide(
        client_for(world["coordinator"]), referral_id, "merge", into_case=str(unrelated.id)
    )
    assert response.status_code == 400
    assert load(db, referral_id).status == "received"


def test_accepting_without_the_version_seen_says_why_and_decides_nothing(db, world, client_for):
    referral_id = refer(db, world["referrer"])
    response = decide(client_for(world["coordinator"]), referral_id, "accept", version="")
    assert response.status_code == 400
    assert "The page is out of date. Reload it and try again." in response.text
    assert load(db, referral_id).status == "received"


def test_decision_on_a_stale_page_is_refused_with_a_clear_message(db, world, client_for):
    referral_id = refer(db, world["referrer"])
    coordinator = client_for(world["coordinator"])
    page = coordinator.get(f"/intake/{referral_id}")
    # Meanwhile a colleague changes the case.
    load(db, referral_id).case.help_level = "information"
    db.session.commit()
    response = coordinator.post(
        f"/intake/{referral_id}/decline",
        data={
            "csrf_token": csrf_token(page.text),
            "version": seen_version(page.text),
            "decline_reason": "For sent",
        },
        follow_redirects=True,
    )
    assert "Someone else changed this just now" in response.text
    referral = load(db, referral_id)
    assert (referral.status, referral.case.status) == ("received", "referred")
    assert referral.decline_reason is None


def test_my_referrals_shows_only_own_referrals_and_never_the_case_details(db, world, client_for):
    mine_id = refer(db, world["referrer"], first_name="Mitt")
    theirs_id = refer(db, world["other_referrer"], first_name="Deres")
    case = load(db, mine_id).case
    change_status(case, "accepted", by=world["coordinator"])
    case.assigned_guide = world["guide"].guide_profile
    change_status(case, "guide_assigned", by=world["coordinator"])
    case.visits.append(
        Visit(
            author=world["guide"],
            kind="home_visit",
            occurred_on=dt.date.today(),
            notes="Hemmelig besøksnotat",
            child_words="Hemmelige ord",
        )
    )
    change_status(case, "in_progress", by=world["guide"])
    db.session.commit()
    referrer = client_for(world["referrer"])
    for page in (referrer.get("/referrals"), referrer.get(f"/referrals/{mine_id}")):
        assert page.status_code == 200
        assert "Mitt" in page.text
        assert "Guide assigned" in page.text
        for secret in ("Hemmelig", "Fiktiv grunn", "gitar", "Tjenestesen", "Deres"):
            assert secret not in page.text
    assert referrer.get(f"/referrals/{theirs_id}").status_code == 404
    assert referrer.get(f"/cases/{case.id}").status_code in (403, 404)
    assert referrer.get("/intake").status_code == 403
    assert referrer.get(f"/intake/{mine_id}").status_code == 404


def test_coordinator_of_another_organisation_cannot_open_a_referral(db, world, client_for):
    referral_id = refer(db, world["referrer"])
    stranger = factories.user(factories.organisation(), "coordinator")
    db.session.commit()
    browser = client_for(stranger)
    assert browser.get(f"/intake/{referral_id}").status_code == 404
    assert load(db, referral_id).reference not in browser.get("/intake").text
