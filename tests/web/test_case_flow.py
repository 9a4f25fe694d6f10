"""What one person records reaches the next (issue 14, items 4, 7, 8 and 11).

The referrer's languages, barriers, interpreter need and type on the intake item and the
case page; no dead ends after accepting, in the case list, in a guide's next step; sharing
with the child's own club in staff wording; and small things seen in the browser.
"""

from __future__ import annotations

import io
import re

import pytest
from flask_babel import force_locale, ngettext
from sqlalchemy import select

from guide.activities.models import Club, Enrollment, EnrollmentStatus
from guide.cases.models import Case
from guide.consents.texts import SCHEME_RECIPIENT_LABEL, category_label
from guide.dates import local_date
from guide.referrals.models import ConsentToReferMethod, Referral
from guide.referrals.services import accept_referral, submit_referral
from tests import factories
from tests.db.test_referral_services import guardian_details, referral_details
from tests.web.helpers import csrf_token

NURSE = "Hanne Helsesykepleier"


@pytest.fixture
def world(db):
    org = factories.organisation()
    people = {
        "org": org,
        "nurse": factories.user(org, "referrer", referrer_kind="school_nurse"),
        "coordinator": factories.user(org, "coordinator", preferred_locale="en"),
        "koordinator": factories.user(org, "coordinator", preferred_locale="nb"),
        "guide": factories.user(org, "guide", preferred_locale="en"),
        "other_guide": factories.user(org, "guide", preferred_locale="en"),
    }
    people["nurse"].full_name = NURSE
    db.session.commit()
    return people


def refer_arabic_speaking_child(db, nurse) -> Referral:
    """A referral in which the nurse ticked everything item 4 is about."""
    guardian = guardian_details(
        full_name="Forelder Tolkesen", preferred_language="ar", needs_interpreter=True
    )
    details = referral_details(
        languages=["ar", "so"],
        barriers=["transport", "language"],
        guardians=[guardian],
        interests_in_own_words="Jeg vil spille fotball",
        consent_method=ConsentToReferMethod.verbal_documented,
    )
    referral = submit_referral(details=details, referrer=nurse)
    db.session.commit()
    return referral


def accepted_case(db, world) -> Case:
    referral = refer_arabic_speaking_child(db, world["nurse"])
    case = accept_referral(referral, by=world["coordinator"], seen_version=referral.case.version)
    db.session.commit()
    return case


def assign(db, case: Case, guide, status: str = "guide_assigned") -> None:
    case.assigned_guide = guide.guide_profile
    case.status = status
    db.session.commit()


# --- Item 4: everything the referrer said reaches the case --------------------------------


def assert_shows_what_the_nurse_ticked(page: str) -> None:
    """Languages, barriers, the interpreter and who referred, in English."""
    assert "Arabic, Somali" in page
    assert "Transport, Language" in page
    assert re.search(r"Interpreter needed</dt><dd>Yes", page)
    assert f"{NURSE} (School nurse)" in page


def test_the_intake_queue_and_the_referral_show_what_the_referrer_ticked(db, world, client_for):
    referral = refer_arabic_speaking_child(db, world["nurse"])
    coordinator = client_for(world["coordinator"])

    queue = coordinator.get("/intake").text
    detail = coordinator.get(f"/intake/{referral.id}").text

    for page in (queue, detail):
        assert_shows_what_the_nurse_ticked(page)
    assert re.search(r"Preferred language</dt><dd>Arabic<", detail)
    # The nurse ticked "documented by me"; the coordinator reads who "me" is.
    assert f"Given verbally, documented by {NURSE}" in detail
    assert "documented by me" not in detail


def test_language_codes_are_shown_in_the_readers_language(db, world, client_for):
    referral = refer_arabic_speaking_child(db, world["nurse"])
    page = client_for(world["koordinator"]).get(f"/intake/{referral.id}").text
    assert "arabisk, somali" in page
    assert re.search(r"Foretrukket språk</dt><dd>arabisk<", page)
    assert f"Gitt muntlig, dokumentert av {NURSE}" in page
    assert ">ar<" not in page


def test_the_case_page_shows_what_the_referrer_said_to_coordinators_and_the_guide(
    db, world, client_for
):
    case = accepted_case(db, world)
    assign(db, case, world["guide"])

    coordinator_page = client_for(world["coordinator"]).get(f"/cases/{case.id}").text
    guide_page = client_for(world["guide"]).get(f"/cases/{case.id}").text

    for page in (coordinator_page, guide_page):
        assert_shows_what_the_nurse_ticked(page)
        assert re.search(r"Preferred language</dt><dd>Arabic<", page)
        assert "Football" in page  # the interest tag, named
    # Why the child was referred, and how the family agreed, stay with the coordinators.
    assert "Fiktiv grunn" in coordinator_page
    assert f"Given verbally, documented by {NURSE}" in coordinator_page
    assert "Fiktiv grunn" not in guide_page
    assert "Consent to refer" not in guide_page
    # A guide without the case sees none of it.
    assert client_for(world["other_guide"]).get(f"/cases/{case.id}").status_code == 404


# --- Item 7: no dead ends ----------------------------------------------------------------


def test_accepting_a_referral_leads_straight_on_to_choosing_a_guide(db, world, client_for):
    referral = refer_arabic_speaking_child(db, world["nurse"])
    coordinator = client_for(world["coordinator"])
    page = coordinator.get(f"/intake/{referral.id}").text
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page) or re.search(
        r'type="hidden" name="version" value="(\d+)"', page
    )
    response = coordinator.post(
        f"/intake/{referral.id}/accept",
        data={"csrf_token": csrf_token(page), "version": version.group(1)},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{referral.case_id}/assignment")
    landing = coordinator.get(response.headers["Location"]).text
    assert "Choose a guide for the child now, or later." in landing
    assert world["guide"].full_name in landing  # the suggestions are right there


def test_the_childs_name_links_to_the_case_in_the_case_list(db, world, client_for):
    case = factories.child_case(world["org"], first_name="Lenkebarn", last_name="Listesen")
    db.session.commit()
    page = client_for(world["coordinator"]).get("/cases").text
    assert re.search(rf'<a href="/cases/{case.id}">Lenkebarn Listesen</a>', page)
    assert re.search(rf'<a href="/cases/{case.id}">{case.reference}</a>', page)


def next_step_text(browser) -> str:
    page = browser.get("/my-cases").text
    match = re.search(r"Next step:</strong>\s*(.*?)\s*</p>", page, re.S)
    assert match, "no next step on My children"
    return match.group(1).strip()


def test_a_guides_next_step_follows_what_was_last_done(db, world, client_for):
    case = factories.child_case(world["org"], guide=world["guide"], status="guide_assigned")
    offer = factories.activity(world["org"])
    db.session.commit()
    guide = client_for(world["guide"])
    assert next_step_text(guide) == "Log the first contact"

    case.status = "in_progress"  # a visit was logged
    db.session.commit()
    assert next_step_text(guide) == "Find an activity"

    enrollment = Enrollment(case_id=case.id, activity_id=offer.id)
    db.session.add(enrollment)
    db.session.commit()
    assert next_step_text(guide) == "Arrange a first try of the proposed activity"

    enrollment.status = EnrollmentStatus.trial
    db.session.commit()
    assert next_step_text(guide) == "Record the start when the child has begun"

    enrollment.status = EnrollmentStatus.ended
    db.session.commit()
    assert next_step_text(guide) == "Find an activity"  # the trial did not work out

    enrollment.status = EnrollmentStatus.enrolled
    case.status = "active"
    db.session.commit()
    assert next_step_text(guide) == "Keep in touch"


def test_visit_and_loan_dates_start_at_today(db, world, client_for):
    case = factories.child_case(world["org"], guide=world["guide"], status="in_progress")
    db.session.commit()
    guide = client_for(world["guide"])
    today = local_date().isoformat()
    visit = guide.get(f"/cases/{case.id}/visits/new").text
    loan = guide.get(f"/cases/{case.id}/loans/new").text
    assert re.search(rf'<input[^>]*name="occurred_on"[^>]*value="{today}"', visit) or re.search(
        rf'<input[^>]*value="{today}"[^>]*name="occurred_on"', visit
    )
    assert re.search(rf'<input[^>]*name="lent_on"[^>]*value="{today}"', loan) or re.search(
        rf'<input[^>]*value="{today}"[^>]*name="lent_on"', loan
    )
    # The due date is the guide's to choose: not filled in.
    assert not re.search(r'<input[^>]*name="due_on"[^>]*value="\d', loan)


def test_an_empty_visit_date_is_still_refused(db, world, client_for):
    case = factories.child_case(world["org"], guide=world["guide"], status="in_progress")
    db.session.commit()
    guide = client_for(world["guide"])
    page = guide.get(f"/cases/{case.id}/visits/new").text
    response = guide.post(
        f"/cases/{case.id}/visits/new",
        data={"csrf_token": csrf_token(page), "kind": "home_visit", "occurred_on": ""},
    )
    assert response.status_code == 400
    assert "Enter the date of the contact." in response.text


def test_the_home_page_links_the_public_catalogue(client):
    page = client.get("/").text
    assert 'href="/aktiviteter"' in page


# --- Item 8: sharing with the child's club, in staff wording -------------------------------


def share_form_selected_club(browser, case) -> str | None:
    page = browser.get(f"/cases/{case.id}/share").text
    select_html = re.search(r'<select[^>]*name="club".*?</select>', page, re.S).group(0)
    selected = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"', select_html) or re.search(
        r'<option[^>]*value="([^"]*)"[^>]*selected', select_html
    )
    return selected.group(1) if selected else None


def test_the_share_form_defaults_to_the_club_of_the_childs_activity(db, world, client_for):
    case = factories.child_case(world["org"], guide=world["guide"], status="in_progress")
    first = Club(organisation_id=world["org"].id, name="AAA Første klubb", is_active=True)
    proposed_club = Club(organisation_id=world["org"].id, name="Foreslått IL", is_active=True)
    own_club = Club(organisation_id=world["org"].id, name="Barnets IL", is_active=True)
    db.session.add_all([first, proposed_club, own_club])
    proposed = factories.activity(world["org"], club=proposed_club, name="Sjakk")
    started = factories.activity(world["org"], club=own_club, name="Fotball")
    db.session.commit()
    coordinator = client_for(world["coordinator"])

    # No activity yet: nothing is chosen for the coordinator (not the first in the list).
    assert share_form_selected_club(coordinator, case) in (None, "")

    db.session.add(Enrollment(case_id=case.id, activity_id=proposed.id))
    db.session.commit()
    assert share_form_selected_club(coordinator, case) == str(proposed_club.id)

    factories.enrolled(case, started)
    db.session.commit()
    assert share_form_selected_club(coordinator, case) == str(own_club.id)
    assert share_form_selected_club(client_for(world["guide"]), case) == str(own_club.id)


def test_staff_forms_use_staff_wording_and_the_familys_pages_keep_theirs(db, world, client_for):
    case = factories.child_case(world["org"], guide=world["guide"], status="in_progress")
    db.session.commit()
    coordinator = client_for(world["coordinator"])
    share = coordinator.get(f"/cases/{case.id}/share").text
    assert "Identity (first name and age)" in share
    assert "my child" not in share.casefold()
    record = coordinator.get(f"/cases/{case.id}/consents/new?recipient=scheme")
    assert record.status_code == 200
    assert "my child" not in record.text.casefold()
    assert "Helping the child start in a leisure activity" in record.text
    assert "(the coordinator and the child&#39;s guide)" in record.text
    # The guardian's own words stay the guardian's (the family's page and the paper form).
    with coordinator.application.test_request_context(), force_locale("en"):
        assert category_label("identity") == "My child's first name and age"
        assert str(SCHEME_RECIPIENT_LABEL).endswith("my child's guide)")


# --- Item 11: small things seen in the browser -------------------------------------------


def test_one_row_left_out_takes_the_singular(db, world, client_for):
    coordinator = client_for(world["coordinator"])
    content = "\r\n".join(
        [
            "Klubb;Organisasjonsnummer;Aktivitet;Kategori;Ukedag;Kontingent;Turer;Leirer",
            "Entall IL;998877016;Fotball G10;Idrett;fredag;1 250;;",
            "Entall IL;998877016;;Idrett;tirsdag;100;;",
        ]
    ).encode("utf-8-sig")
    token = csrf_token(coordinator.get("/catalogue/import").text)
    preview = coordinator.post(
        "/catalogue/import",
        data={"register": (io.BytesIO(content), "one.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    ).headers["Location"]
    coordinator.post(preview, data={"csrf_token": csrf_token(coordinator.get(preview).text)})
    flashed = coordinator.get("/catalogue/activities").text
    assert "Imported 1 activity and 1 new club; 1 row was left out." in flashed


def test_the_singular_in_bokmal(app):
    with app.test_request_context(), force_locale("nb"):
        assert (
            ngettext("%(num)d row was left out", "%(num)d rows were left out", 1)
            == "1 rad ble utelatt"
        )
        assert ngettext("%(num)d activity", "%(num)d activities", 2) == "2 aktiviteter"


def test_the_dashboards_intake_sentence_and_its_link_are_apart(db, world, client_for):
    refer_arabic_speaking_child(db, world["nurse"])
    page = client_for(world["koordinator"]).get("/dashboard").text
    assert re.search(r"avgjørelse\.\s+<a", page)


def test_interests_are_named_in_the_readers_language(db, world, client_for):
    case = accepted_case(db, world)
    page = client_for(world["koordinator"]).get(f"/cases/{case.id}/assignment").text
    assert re.search(r"Interesser</dt><dd>Fotball<", page)
    assert ">football<" not in page


def test_wide_figure_tables_scroll_in_a_labelled_focusable_region(db, world, client_for):
    page = client_for(world["coordinator"]).get("/figures").text
    regions = re.findall(r'<div class="app-table-scroll"[^>]*>', page)
    assert regions
    for region in regions:
        assert 'role="region"' in region
        assert 'tabindex="0"' in region
        assert 'aria-label="Table: ' in region


def test_pages_load_the_focus_script_from_a_file(db, world, client_for):
    page = client_for(world["coordinator"]).get("/dashboard").text
    assert re.search(r'<script src="/static/js/focus\.js" defer></script>', page)
    script = client_for(world["coordinator"]).get("/static/js/focus.js")
    assert script.status_code == 200
    assert b".app-error-summary" in script.data


def test_referrals_and_cases_stay_in_their_organisation(db, world, client_for):
    referral = refer_arabic_speaking_child(db, world["nurse"])
    stranger = factories.user(factories.organisation(), "coordinator", preferred_locale="en")
    db.session.commit()
    outsider = client_for(stranger)
    assert outsider.get(f"/intake/{referral.id}").status_code == 404
    assert outsider.get(f"/cases/{referral.case_id}").status_code == 404
    assert NURSE not in outsider.get("/intake").text
    assert db.session.scalars(select(Referral)).one().referred_by_id == world["nurse"].id
