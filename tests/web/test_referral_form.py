"""A referrer sends a referral: validation beside each field, consent, receipt and the e-mail."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select
from stdnum.no import fodselsnummer

from guide.audit.models import AuditEvent
from guide.cases.models import Case, CaseStatusChange, Child, Guardian
from guide.outbox.models import OutboxMessage
from guide.referrals.models import Referral
from tests import factories
from tests.web.helpers import csrf_token, sign_in

FORM = "/referrals/new"
COUNTED = (Child, Guardian, Case, Referral, OutboxMessage, CaseStatusChange)


def national_id_for(born: dt.date, individual: str = "512") -> str:
    """A number that passes the checks, made up for the test (not anyone's)."""
    body = born.strftime("%d%m%y") + individual
    k1 = fodselsnummer.calc_check_digit1(body)
    return body + k1 + fodselsnummer.calc_check_digit2(body + k1)


def valid_referral(**changes: str) -> dict[str, str]:
    data = {
        "child_first_name": "Testbarn",
        "child_last_name": "Skjemasen",
        "birth_date": "2015-04-03",
        "national_id": "",
        "school": "Eksempelby skole",
        "school_class": "5B",
        "area": "",
        "languages": ["nb", "ar"],
        "guardian-full_name": "Forelder Skjemasen",
        "guardian-relation": "mother",
        "guardian-phone": "912 34 567",
        "guardian-email": "forelder@example.org",
        "guardian-preferred_language": "ar",
        "guardian-needs_interpreter": "y",
        "second_guardian-full_name": "",
        "second_guardian-relation": "",
        "second_guardian-phone": "",
        "second_guardian-email": "",
        "second_guardian-preferred_language": "nb",
        "interests_in_own_words": "Jeg vil spille fotball med vennene mine",
        "barriers": ["economy", "transport"],
        "help_level": "follow_first_times",
        "reason": "Fiktiv grunn: familien har dårlig råd.",
        "consent_given_by": "Forelder Skjemasen",
        "consent_relation": "mother",
        "consent_method": "verbal_documented",
        "consent_given_on": "2026-01-05",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def referrer(client, db):
    org = factories.organisation()
    account = factories.user(org, "referrer", referrer_kind="school_nurse", preferred_locale="en")
    factories.user(org, "coordinator", email="koordinator@example.org", preferred_locale="nn")
    factories.user(org, "coordinator", email="koordinator2@example.org")
    factories.user(org, "coordinator", email="sluttet@example.org", is_active=False)
    db.session.commit()
    assert sign_in(client, account.email).status_code == 302
    return account


def send(client, data: dict[str, str]):
    page = client.get(FORM)
    assert page.status_code == 200
    return client.post(FORM, data={**data, "csrf_token": csrf_token(page.text)})


def row_counts(db) -> dict[str, int]:
    db.session.expire_all()
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in COUNTED
    }


def test_referrer_sends_a_referral_and_gets_a_receipt_with_the_reference(client, db, referrer):
    response = send(client, valid_referral())
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"])
    referral = db.session.scalar(select(Referral))
    assert referral.reference in receipt.text
    assert re.fullmatch(r"HV-[2-9A-Z]{6}", referral.reference)
    assert "Testbarn" in receipt.text
    assert "Skjemasen" not in receipt.text  # the first name only
    assert referral.reason == "Fiktiv grunn: familien har dårlig råd."
    assert referral.referrer_kind == "school_nurse"
    assert referral.consent_method == "verbal_documented"
    case = referral.case
    assert case.status == "referred"
    assert case.interest_tags == ["football"]
    assert [(c.from_status, c.to_status) for c in case.status_changes] == [(None, "referred")]
    child = referral.child
    assert (child.first_name, child.birth_date, child.national_id) == (
        "Testbarn",
        "2015-04-03",
        None,
    )
    assert child.languages == ["nb", "ar"]
    [guardian] = child.guardians
    assert guardian.phone == "+4791234567"
    assert (guardian.preferred_language, guardian.needs_interpreter) == ("ar", True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "referral_submitted"))
    assert event.object_id == str(referral.id)
    assert "Testbarn" not in str(event.details)


def test_birth_date_comes_from_the_national_identity_number(client, db, referrer):
    number = national_id_for(dt.date(2016, 2, 29))
    response = send(
        client, valid_referral(birth_date="", national_id=number[:6] + " " + number[6:])
    )
    assert response.status_code == 302
    child = db.session.scalar(select(Child))
    assert child.birth_date == "2016-02-29"
    assert child.national_id == number


def test_a_second_guardian_is_stored_when_filled_in(client, db, referrer):
    response = send(
        client,
        valid_referral(
            **{
                "second_guardian-full_name": "Andre Forelder",
                "second_guardian-relation": "father",
                "second_guardian-email": "andre@example.org",
            }
        ),
    )
    assert response.status_code == 302
    names = sorted(guardian.full_name for guardian in db.session.scalars(select(Guardian)))
    assert names == ["Andre Forelder", "Forelder Skjemasen"]


def test_emoji_and_right_to_left_names_are_accepted(client, db, referrer):
    response = send(
        client,
        valid_referral(
            child_first_name="زينب 🌟",
            child_last_name="Al-Hassan",
            **{"guardian-full_name": "فاطمة الحسن"},
        ),
    )
    assert response.status_code == 302
    child = db.session.scalar(select(Child))
    assert child.first_name == "زينب 🌟"
    assert child.guardians[0].full_name == "فاطمة الحسن"


def test_emoji_and_right_to_left_free_text_is_kept(client, db, referrer):
    wishes = "أريد أن ألعب كرة القدم ⚽"
    reason = "Fiktiv: familien snakker arabisk 🙂 والأم تريد المساعدة"
    response = send(client, valid_referral(interests_in_own_words=wishes, reason=reason))
    assert response.status_code == 302
    referral = db.session.scalar(select(Referral))
    assert (referral.interests_in_own_words, referral.reason) == (wishes, reason)


def test_consent_given_today_in_oslo_is_accepted_while_it_is_still_yesterday_in_utc(
    client, db, referrer, monkeypatch
):
    # 23:30 UTC on 9 March is 00:30 on 10 March in Oslo, where the nurse is.
    late_evening_utc = dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC)
    monkeypatch.setattr("guide.dates.utcnow", lambda: late_evening_utc)
    response = send(client, valid_referral(consent_given_on="2026-03-10"))
    assert response.status_code == 302
    assert db.session.scalar(select(Referral)).consent_given_on == dt.date(2026, 3, 10)
    tomorrow = send(client, valid_referral(consent_given_on="2026-03-11"))
    assert tomorrow.status_code == 400
    assert 'id="consent_given_on-error"' in tomorrow.text


def test_referral_without_consent_is_refused_and_nothing_is_stored(client, db, referrer):
    before = row_counts(db)
    no_consent = valid_referral(
        consent_given_by="", consent_relation="", consent_method=None, consent_given_on=""
    )
    response = send(client, no_consent)
    assert response.status_code == 400
    assert "cannot be sent without consent" in response.text
    for name in ("consent_given_by", "consent_relation", "consent_method", "consent_given_on"):
        assert f'id="{name}-error"' in response.text
    assert row_counts(db) == before


_VALID_NUMBER = national_id_for(dt.date(2015, 4, 3))
WRONG_CHECK_DIGIT = _VALID_NUMBER[:10] + str((int(_VALID_NUMBER[10]) + 1) % 10)
INVALID_INPUT = [
    ("guardian-phone", "12ab 34", "guardian-phone"),
    ("guardian-phone", "123", "guardian-phone"),
    ("birth_date", "2015-02-30", "birth_date"),
    ("birth_date", "30.02.2015", "birth_date"),
    ("birth_date", "2099-01-01", "birth_date"),
    ("national_id", WRONG_CHECK_DIGIT, "national_id"),
    ("child_first_name", "x" * 10_000, "child_first_name"),
    ("child_last_name", "y" * 10_000, "child_last_name"),
    ("guardian-full_name", "z" * 10_000, "guardian-full_name"),
    ("consent_given_by", "w" * 10_000, "consent_given_by"),
    ("child_first_name", "Ola\u202eevil", "child_first_name"),
    ("guardian-email", "not-an-address", "guardian-email"),
    ("school", "s" * 10_000, "school"),
    ("reason", "r" * 10_001, "reason"),
    ("reason", "   ", "reason"),
    ("help_level", "everything", "help_level"),
    ("barriers", "bribery", "barriers"),
    ("consent_given_on", "2099-12-31", "consent_given_on"),
    ("second_guardian-full_name", "Bare Navn", "second_guardian-phone"),
    ("second_guardian-phone", "+47 912 34 568", "second_guardian-full_name"),
    ("reason", "Fiktiv grunn \u202enrab", "reason"),
    ("interests_in_own_words", "fotball\u0007", "interests_in_own_words"),
    ("school", "Eksempelby \u2067skole", "school"),
]


@pytest.mark.parametrize(("name", "value", "error_field"), INVALID_INPUT, ids=lambda v: str(v)[:20])
def test_invalid_input_gets_a_message_beside_the_field_and_stores_nothing(
    client, db, referrer, name, value, error_field
):
    before = row_counts(db)
    response = send(client, valid_referral(**{name: value}))
    assert response.status_code == 400
    assert f'id="{error_field}-error"' in response.text
    assert f'href="#{error_field}' in response.text  # listed in the summary at the top
    assert row_counts(db) == before


def test_national_id_that_disagrees_with_the_birth_date_is_refused(client, db, referrer):
    before = row_counts(db)
    number = national_id_for(dt.date(2015, 4, 4))
    response = send(client, valid_referral(national_id=number, birth_date="2015-04-03"))
    assert response.status_code == 400
    assert 'id="birth_date-error"' in response.text
    assert "does not match the national identity number" in response.text
    assert row_counts(db) == before


def test_national_id_of_an_adult_is_refused(client, db, referrer):
    number = national_id_for(dt.date(1916, 2, 29), individual="499")
    response = send(client, valid_referral(birth_date="", national_id=number))
    assert response.status_code == 400
    assert 'id="national_id-error"' in response.text


def test_neither_birth_date_nor_national_id_is_refused(client, db, referrer):
    response = send(client, valid_referral(birth_date="", national_id=""))
    assert response.status_code == 400
    assert 'id="birth_date-error"' in response.text


def test_a_national_id_of_spaces_alone_counts_as_left_empty(client, db, referrer):
    response = send(client, valid_referral(national_id=" \u2028 "))
    assert response.status_code == 302
    assert db.session.scalar(select(Child)).national_id is None


def test_a_national_id_of_spaces_without_a_birth_date_asks_for_the_date(client, db, referrer):
    response = send(client, valid_referral(birth_date="", national_id="   "))
    assert response.status_code == 400
    assert 'id="birth_date-error"' in response.text


def test_a_child_under_15_cannot_consent_alone(client, db, referrer):
    response = send(client, valid_referral(consent_relation="child"))
    assert response.status_code == 400
    assert 'id="consent_relation-error"' in response.text
    assert "A child under 15 cannot consent alone; a guardian must consent." in response.text


def test_the_form_names_the_age_from_which_a_child_consents_alone(client, db, referrer):
    html = client.get(FORM).text
    assert "a guardian (or the child, if 15 or older) must agree" in html
    assert "The child (15 or older)" in html
    client.post("/language", data={"locale": "nb", "csrf_token": csrf_token(html)})
    norwegian = client.get(FORM).text
    assert "barnet, hvis det er 15 år eller eldre" in norwegian
    assert "Barnet selv (15 år eller eldre)" in norwegian


def test_form_without_csrf_token_is_refused(client, db, referrer):
    before = row_counts(db)
    response = client.post(FORM, data=valid_referral())
    assert response.status_code == 400
    assert row_counts(db) == before


def test_coordinators_get_an_email_without_child_or_guardian_names(client, db, referrer):
    assert send(client, valid_referral()).status_code == 302
    messages = db.session.scalars(select(OutboxMessage)).all()
    by_recipient = {message.recipient: message for message in messages}
    assert set(by_recipient) == {"koordinator@example.org", "koordinator2@example.org"}
    assert by_recipient["koordinator@example.org"].locale == "nn"
    assert by_recipient["koordinator2@example.org"].locale == "nb"
    referral = db.session.scalar(select(Referral))
    for message in messages:
        text = message.subject + "\n" + message.body_text
        for personal in ("Testbarn", "Skjemasen", "2015", "912", "forelder@", "Fiktiv"):
            assert personal not in text
        assert referral.reference not in text
        assert "/todo" in message.body_text  # the To do page, which links to the intake item


def test_the_form_is_only_for_referrers(client, db):
    org = factories.organisation()
    coordinator = factories.user(org, "coordinator")
    db.session.commit()
    sign_in(client, coordinator.email)
    assert client.get(FORM).status_code == 403


def test_the_form_renders_in_bokmal_with_hints_and_no_autofill(client, db):
    org = factories.organisation()
    account = factories.user(org, "referrer")
    db.session.commit()
    sign_in(client, account.email)
    page = client.get(FORM)
    assert page.status_code == 200
    assert "Samtykke" in page.text
    first_name = re.search(r"<input[^>]*id=\"child_first_name\"[^>]*>", page.text).group(0)
    assert 'autocomplete="off"' in first_name
    assert 'inputmode="tel"' in page.text
