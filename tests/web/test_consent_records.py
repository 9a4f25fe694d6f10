"""Recording consents and withdrawals on a case, the consent overview, and why nothing edits one."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select, update
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from consent import Category, Reason, Recipient, text_fingerprint
from guide.activities.models import Club
from guide.audit.models import AuditEvent
from guide.consents.immutable import ConsentRecordIsFinal
from guide.consents.models import Consent, ConsentWithdrawal, Share
from guide.consents.services import ConsentRefused, may_see, withdraw_consent
from guide.consents.texts import consent_text
from guide.database import utcnow
from guide.dates import local_date
from tests import factories
from tests.consent_helpers import TINY_PDF, signed_consent
from tests.web.helpers import csrf_token, signed_in_as


@pytest.fixture
def org(db):
    organisation = factories.organisation()
    db.session.commit()
    return organisation


@pytest.fixture
def club(db, org):
    football = Club(organisation_id=org.id, name="Fotballklubben Fiktiv", is_active=True)
    db.session.add(football)
    db.session.commit()
    return football


def new_path(case, recipient: str = "scheme") -> str:
    return f"/cases/{case.id}/consents/new?recipient={recipient}"


def post_consent(client, case, *, recipient="scheme", scan=None, **overrides):
    page = client.get(new_path(case, recipient))
    assert page.status_code == 200
    guardian = case.child.guardians[0]
    data = {
        "consenter": str(guardian.id),
        "child_heard": "yes",
        "child_view": "Jeg vil spille fotball",
        "purpose": "start_activity",
        "categories": ["identity", "contact"],
        "method": "signed_paper",
        "text_language": "nb",
        "text_version": "2026-1",
        "given_on": local_date().isoformat(),
        "csrf_token": csrf_token(page.text),
        **overrides,
    }
    if scan is not None:
        data["scan"] = scan
    elif data["method"] == "signed_paper" and "scan" not in overrides:
        data["scan"] = (io.BytesIO(TINY_PDF), "skjema.pdf", "application/pdf")
    data = {key: value for key, value in data.items() if value is not None}
    if isinstance(data.get("scan"), tuple):
        data["scan"] = FileStorage(*data["scan"])
    # Encoded in memory: the test client spools big bodies to a temporary file it never closes.
    body, _length, boundary = stream_encode_multipart(data, use_tempfile=False)
    return client.post(
        new_path(case, recipient),
        data=body.getvalue(),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def consent_count(db) -> int:
    return db.session.scalar(select(func.count(Consent.id)))


def only_consent(db) -> Consent:
    db.session.expire_all()
    return db.session.scalars(select(Consent)).one()


def audit_actions(db) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action)))


# --- recording each method -----------------------------------------------------------------


def test_coordinator_records_a_signed_paper_consent_with_its_scan(client, db, org):
    case = factories.child_case(org)
    coordinator = signed_in_as(client, org, "coordinator")

    response = post_consent(client, case)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/{case.id}/consents"
    consent = only_consent(db)
    guardian = case.child.guardians[0]
    assert consent.method == "signed_paper"
    assert consent.guardian_id == guardian.id
    assert consent.given_by_name == guardian.full_name
    assert consent.given_by_relation == "mother"
    assert consent.basis == "parental_responsibility"
    assert consent.child_heard is True
    assert consent.child_view == "Jeg vil spille fotball"
    assert consent.categories == ["contact", "identity"]
    assert consent.recipient_kind == "scheme" and consent.recipient_club_id is None
    assert consent.scan == TINY_PDF
    assert consent.scan_content_type == "application/pdf"
    assert consent.text_version == "2026-1" and consent.text_language == "nb"
    with client.application.test_request_context():
        assert consent.text_sha256 == text_fingerprint(consent_text("nb").text)
    assert consent.recorded_by_id == coordinator.id
    assert consent.documented_by_id is None
    assert consent.given_at <= utcnow()
    assert "consent_recorded" in audit_actions(db)


def test_guide_records_a_verbal_consent_documented_by_themself(client, db, org, club):
    guide = factories.user(org, "guide")
    case = factories.child_case(org, guide=guide, status="guide_assigned")
    db.session.commit()
    signed_in_as_existing(client, guide)

    response = post_consent(
        client, case, recipient=str(club.id), method="verbal_documented", scan=None
    )

    assert response.status_code == 302
    consent = only_consent(db)
    assert consent.method == "verbal_documented"
    assert consent.documented_by_id == guide.id
    assert consent.recorded_by_id == guide.id
    assert consent.recipient_kind == "club" and consent.recipient_club_id == club.id
    assert consent.scan is None and consent.scan_sha256 is None


def signed_in_as_existing(client, user):
    from tests.web.helpers import sign_in

    assert sign_in(client, user.email).status_code == 302


def test_a_child_of_15_consents_for_itself(client, db, org):
    fifteen_years_ago = local_date().replace(year=local_date().year - 16)
    case = factories.child_case(org, birth_date=fifteen_years_ago.isoformat())
    signed_in_as(client, org, "coordinator")

    response = post_consent(client, case, consenter="child", child_heard=None)

    assert response.status_code == 302
    consent = only_consent(db)
    assert consent.basis == "child_own"
    assert consent.guardian_id is None
    assert consent.given_by_relation == "child"
    assert consent.given_by_name == "Testbarn Eksempelsen"
    assert consent.child_heard is None


def test_a_younger_child_is_not_offered_as_the_one_who_consents(client, db, org):
    case = factories.child_case(org, birth_date="2015-04-01")
    signed_in_as(client, org, "coordinator")

    page = client.get(new_path(case))
    response = post_consent(client, case, consenter="child", child_heard=None)

    assert 'value="child"' not in page.text
    assert response.status_code == 400
    assert consent_count(db) == 0


def test_the_form_offers_no_digital_link_and_refuses_one(client, db, org):
    case = factories.child_case(org)
    signed_in_as(client, org, "coordinator")

    page = client.get(new_path(case))
    response = post_consent(client, case, method="digital_link", scan=None)

    assert 'value="digital_link"' not in page.text
    assert response.status_code == 400
    assert consent_count(db) == 0


def test_a_signed_paper_consent_needs_its_scan(client, db, org):
    case = factories.child_case(org)
    signed_in_as(client, org, "coordinator")

    response = post_consent(client, case, scan=(io.BytesIO(b""), ""))

    assert response.status_code == 400
    assert 'id="scan-error"' in response.text
    assert "Last opp den skannede kopien" in response.text
    assert consent_count(db) == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"given_on": (dt.date.today() + dt.timedelta(days=2)).isoformat()}, "given_on"),
        ({"valid_until": local_date().isoformat()}, "valid_until"),
        ({"categories": []}, "categories"),
        ({"child_heard": None}, "child_heard"),
        ({"purpose": "marketing"}, "purpose"),
        ({"given_on": "0001-01-01"}, "given_on"),
        ({"valid_until": "9999-12-31"}, "valid_until"),
    ],
    ids=[
        "given-in-the-future",
        "ends-before-it-starts",
        "no-category",
        "child-not-heard",
        "purpose",
        "given-in-year-1",
        "ends-at-the-calendars-end",
    ],
)
def test_invalid_consent_is_explained_beside_the_field_and_stores_nothing(
    client, db, org, overrides, field
):
    case = factories.child_case(org)
    signed_in_as(client, org, "coordinator")

    response = post_consent(client, case, **overrides)

    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text
    assert consent_count(db) == 0


# --- health and economy never for clubs ----------------------------------------------------


def test_health_and_economy_are_never_offered_for_a_club(client, db, org, club):
    case = factories.child_case(org)
    signed_in_as(client, org, "coordinator")

    for_club = client.get(new_path(case, str(club.id)))
    for_scheme = client.get(new_path(case, "scheme"))

    assert 'value="health_related"' not in for_club.text
    assert 'value="economy"' not in for_club.text
    assert 'value="identity"' in for_club.text
    assert 'value="health_related"' in for_scheme.text
    assert 'value="economy"' in for_scheme.text


@pytest.mark.parametrize("category", ["health_related", "economy"])
def test_a_club_consent_asking_for_health_or_economy_is_refused(client, db, org, club, category):
    case = factories.child_case(org)
    signed_in_as(client, org, "coordinator")

    response = post_consent(client, case, recipient=str(club.id), categories=["identity", category])

    assert response.status_code == 400
    assert 'id="categories-error"' in response.text
    assert "deles aldri med klubber" in response.text
    assert consent_count(db) == 0


def test_the_service_refuses_health_for_a_club_too(db, org, club):
    case = factories.child_case(org)
    with pytest.raises(ConsentRefused):
        signed_consent(case, club=club, categories=("identity", "health_related"))
    assert consent_count(db) == 0


def test_a_club_of_another_organisation_is_not_a_recipient(client, db, org):
    other_club = Club(
        organisation_id=factories.organisation().id, name="Annen klubb", is_active=True
    )
    db.session.add(other_club)
    case = factories.child_case(org)
    signed_in_as(client, org, "coordinator")

    page = client.get(new_path(case, str(other_club.id)))

    assert page.status_code == 200
    assert 'name="recipient"' in page.text  # back to choosing a recipient
    assert "Annen klubb" not in page.text
    with pytest.raises(ConsentRefused):
        signed_consent(case, club=other_club)


# --- no edits, no deletes ------------------------------------------------------------------


def test_no_route_edits_or_deletes_a_consent(app):
    consent_rules = [rule for rule in app.url_map.iter_rules() if "consent" in rule.rule]
    assert consent_rules, "the consent pages are registered"
    for rule in consent_rules:
        assert not rule.methods & {"PUT", "PATCH", "DELETE"}, rule.rule
        assert not any(word in rule.rule for word in ("edit", "delete", "update", "remove"))
        assert not any(word in rule.endpoint for word in ("edit", "delete", "update", "remove"))


def test_the_orm_refuses_to_change_a_consent(db, org):
    consent = signed_consent(factories.child_case(org))
    db.session.commit()

    consent.purpose = "follow_up"
    with pytest.raises(ConsentRecordIsFinal):
        db.session.flush()
    db.session.rollback()

    consent.categories.append("practical_needs")
    with pytest.raises(ConsentRecordIsFinal):
        db.session.flush()
    db.session.rollback()

    consent.child_view = "Noe annet"
    with pytest.raises(ConsentRecordIsFinal):
        db.session.flush()
    db.session.rollback()
    assert only_consent(db).purpose == "start_activity"


def test_the_orm_refuses_to_delete_a_consent_or_its_withdrawal(db, org):
    consent = signed_consent(factories.child_case(org))
    withdrawal = withdraw_consent(consent, by=None, channel="phone")
    db.session.commit()

    db.session.delete(consent)
    with pytest.raises(ConsentRecordIsFinal):
        db.session.flush()
    db.session.rollback()

    db.session.delete(withdrawal)
    with pytest.raises(ConsentRecordIsFinal):
        db.session.flush()
    db.session.rollback()

    withdrawal.channel = "letter"
    with pytest.raises(ConsentRecordIsFinal):
        db.session.flush()
    db.session.rollback()
    assert consent_count(db) == 1


def test_erasing_a_child_removes_its_withdrawn_consent_with_the_withdrawal(db, org):
    case = factories.child_case(org)
    consent = signed_consent(case)
    withdrawal = withdraw_consent(consent, by=None, channel="phone")
    db.session.commit()
    child, consent_id = case.child, consent.id
    # Both records are loaded, so the ORM (not only the database) must delete the withdrawal.
    assert child.consents == [consent] and consent.withdrawal is withdrawal

    db.session.delete(child)
    db.session.commit()

    assert consent_count(db) == 0
    withdrawals = select(ConsentWithdrawal).where(ConsentWithdrawal.consent_id == consent_id)
    assert db.session.scalars(withdrawals).all() == []


def test_bulk_statements_cannot_change_consents(db, org):
    signed_consent(factories.child_case(org))
    db.session.commit()
    with pytest.raises(ConsentRecordIsFinal):
        db.session.execute(update(Consent).values(purpose="follow_up"))
    db.session.rollback()
    with pytest.raises(ConsentRecordIsFinal):
        db.session.execute(update(ConsentWithdrawal).values(channel="letter"))
    db.session.rollback()


# --- withdrawal ----------------------------------------------------------------------------


def test_withdrawal_takes_effect_at_the_instant_it_is_made(db, org, club):
    case = factories.child_case(org)
    consent = signed_consent(case, club=club)
    recipient = Recipient.club(str(club.id))
    assert may_see(recipient, Category.IDENTITY, case.child)
    db.session.commit()

    withdrawal = withdraw_consent(consent, by=None, channel="digital_link")
    db.session.commit()
    instant = withdrawal.withdrawn_at

    just_before = may_see(recipient, "identity", case.child, instant - dt.timedelta(microseconds=1))
    at_once = may_see(recipient, "identity", case.child, instant)
    now = may_see(recipient, "identity", case.child.id)
    assert just_before.allowed and just_before.consent_id == str(consent.id)
    assert not at_once and at_once.reason is Reason.WITHDRAWN
    assert not now and now.reason is Reason.WITHDRAWN
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "consent_withdrawn"))
    assert event.one().object_id == str(consent.id)


def test_a_consent_is_withdrawn_only_once(db, org):
    consent = signed_consent(factories.child_case(org))
    withdraw_consent(consent, by=None, channel="phone")
    with pytest.raises(ConsentRefused):
        withdraw_consent(consent, by=None, channel="letter")


def test_staff_record_a_withdrawal_that_came_by_phone(client, db, org):
    case = factories.child_case(org)
    consent = signed_consent(case)
    db.session.commit()
    coordinator = signed_in_as(client, org, "coordinator")
    path = f"/cases/{case.id}/consents/{consent.id}/withdraw"

    page = client.get(path)
    response = client.post(
        path,
        data={
            "channel": "phone",
            "withdrawn_by_name": "Forelder Eksempelsen",
            "csrf_token": csrf_token(page.text),
        },
    )

    assert page.status_code == 200 and "Forelder Eksempelsen" in page.text
    assert response.status_code == 302
    withdrawal = db.session.scalars(select(ConsentWithdrawal)).one()
    assert withdrawal.consent_id == consent.id
    assert withdrawal.channel == "phone"
    assert withdrawal.withdrawn_by_name == "Forelder Eksempelsen"
    assert withdrawal.recorded_by_id == coordinator.id
    assert not may_see(Recipient.scheme(), "identity", case.child.id)
    overview = client.get(f"/cases/{case.id}/consents")
    assert "Ikke tillatt: samtykket er trukket tilbake" in overview.text
    assert f"/consents/{consent.id}/withdraw" not in overview.text


def test_a_guide_on_the_case_may_record_a_withdrawal(client, db, org):
    guide = factories.user(org, "guide")
    case = factories.child_case(org, guide=guide, status="in_progress")
    consent = signed_consent(case)
    db.session.commit()
    signed_in_as_existing(client, guide)
    path = f"/cases/{case.id}/consents/{consent.id}/withdraw"
    page = client.get(path)

    response = client.post(
        path,
        data={
            "channel": "in_person",
            "withdrawn_by_name": "Mor",
            "csrf_token": csrf_token(page.text),
        },
    )

    assert response.status_code == 302
    assert db.session.scalar(select(func.count(ConsentWithdrawal.id))) == 1


# --- the overview --------------------------------------------------------------------------


def test_overview_shows_status_per_recipient_history_and_shares(client, db, org, club):
    case = factories.child_case(org)
    coordinator = signed_in_as(client, org, "coordinator")
    consent = signed_consent(case, club=club, by=coordinator)
    db.session.add(
        Share(
            organisation_id=org.id,
            consent_id=consent.id,
            child_id=case.child_id,
            club_id=club.id,
            categories=["identity"],
            shared_by_id=coordinator.id,
        )
    )
    db.session.commit()

    page = client.get(f"/cases/{case.id}/consents")

    assert page.status_code == 200
    text = page.text
    club_row = f'data-recipient="{club.id}" data-category="identity" data-allowed="yes"'
    assert club_row in text
    assert f'data-recipient="{club.id}" data-category="economy" data-allowed="no"' in text
    assert 'data-recipient="scheme" data-category="identity" data-allowed="no"' in text
    assert "Deles aldri med klubber" in text
    assert "Ikke tillatt: samtykke er bare gitt til en annen mottaker" in text
    assert "Forelder Eksempelsen" in text and "Gleder meg til fotball" in text
    assert "Signert papirskjema" in text
    assert text.count("Fotballklubben Fiktiv") >= 3  # status table, history, shares
    assert "Coordinator Person" in text  # who recorded it and who shared
    assert "consent_overview_viewed" in audit_actions(db)


def test_case_page_links_to_the_consent_overview(client, db, org):
    case = factories.child_case(org)
    signed_in_as(client, org, "coordinator")
    page = client.get(f"/cases/{case.id}")
    assert f'href="/cases/{case.id}/consents"' in page.text


def test_consent_pages_of_another_organisation_are_not_found(client, db, org):
    foreign_case = factories.child_case(factories.organisation())
    consent = signed_consent(foreign_case)
    db.session.commit()
    signed_in_as(client, org, "coordinator")
    for path in (
        f"/cases/{foreign_case.id}/consents",
        f"/cases/{foreign_case.id}/consents/new?recipient=scheme",
        f"/cases/{foreign_case.id}/consents/{consent.id}/withdraw",
        f"/cases/{foreign_case.id}/consents/{consent.id}/scan",
    ):
        assert client.get(path).status_code == 404, path


def test_a_consent_of_another_case_is_not_found_under_this_case(client, db, org):
    case, other_case = factories.child_case(org), factories.child_case(org)
    consent = signed_consent(other_case)
    db.session.commit()
    signed_in_as(client, org, "coordinator")
    assert client.get(f"/cases/{case.id}/consents/{consent.id}/withdraw").status_code == 404


# --- the printable form from the case ------------------------------------------------------


def test_coordinator_prints_the_form_in_the_guardians_language(client, db, org, club):
    case = factories.child_case(org)
    signed_in_as(client, org, "coordinator")
    path = f"/cases/{case.id}/consents/printable"

    choose = client.get(path)
    form = client.get(f"{path}?recipient={club.id}")
    pdf = client.get(
        f"{path}?recipient={club.id}&language=uk&purpose=start_activity&categories=identity"
    )

    assert choose.status_code == 200 and "Fotballklubben Fiktiv" in choose.text
    assert form.status_code == 200 and 'value="health_related"' not in form.text
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert pdf.headers["Cache-Control"] == "no-store"
    assert "consent_form_printed" in audit_actions(db)
