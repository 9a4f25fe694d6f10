"""The family's answer to a consent link, "no" included: recorded, shown, told, in its language."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from guide.consents.links import create_link
from guide.consents.models import Consent, ConsentLink, FamilyAnswer
from guide.extensions import db as _db
from guide.tasks import Task, TaskKind
from tests import factories
from tests.sharing_helpers import CLUB_NAME, give, scene
from tests.web.helpers import csrf_token, sign_in

LINK = re.compile(r"/samtykke/([A-Za-z0-9_-]{43})")
#: Everything the scene's link offers: the scheme's five categories, the club's three.
SCHEME_ITEMS = ["identity", "contact", "practical_needs", "health_related", "economy"]
CLUB_ITEMS = ["identity", "contact", "practical_needs"]


def _offered(s) -> list[str]:
    return [f"scheme:{c}" for c in SCHEME_ITEMS] + [f"{s.club.id}:{c}" for c in CLUB_ITEMS]


def _link(app, s, **options):
    with app.test_request_context():
        _row, token = create_link(
            child=s.child, guardian=s.guardian, purpose="give", by=s.coordinator, **options
        )
    _db.session.commit()
    return token


def _answer(client, token, ticked, *, query=""):
    page = client.get(f"/samtykke/{token}{query}")
    assert page.status_code == 200
    data = {"csrf_token": csrf_token(page.text), "consent": ticked, "text_version": "2026-1"}
    return client.post(f"/samtykke/{token}{query}", data=data)


def _the_answer(db) -> FamilyAnswer:
    db.session.expire_all()
    return db.session.scalars(select(FamilyAnswer)).one()


def _staff(client, user):
    assert sign_in(client, user.email).status_code == 302
    return client


def _send_link_form(client, s, *, language="nb"):
    """A coordinator of ``s`` fills in the consent-link form: a link to give, shown on screen."""
    _staff(client, s.coordinator)
    url = f"/cases/{s.case.id}/consent-link"
    form = client.get(url)
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(form.text),
            "submission": re.search(r'name="submission"[^>]*value="([^"]+)"', form.text)[1],
            "guardian": str(s.guardian.id),
            "purpose": "give",
            "language": language,
            "delivery": "show",
        },
    )


def test_nothing_ticked_is_recorded_as_a_no_with_everything_offered(app, db, client):
    s = scene()
    token = _link(app, s)
    assert _answer(client, token, []).status_code == 302

    answer = _the_answer(db)
    assert answer.answer == "no"
    assert answer.offered == _offered(s)
    assert answer.accepted == []
    assert answer.channel == "digital_link"
    assert answer.child_id == s.child.id and answer.guardian_id == s.guardian.id
    assert answer.link_id == db.session.scalars(select(ConsentLink.id)).one()
    assert answer.answered_at is not None
    assert db.session.scalar(select(func.count()).select_from(Consent)) == 0


def test_some_ticked_is_recorded_as_partly_with_what_was_accepted(app, db, client):
    s = scene()
    token = _link(app, s)
    _answer(client, token, [f"{s.club.id}:identity", "scheme:contact"])

    answer = _the_answer(db)
    assert answer.answer == "partly"
    assert answer.offered == _offered(s)
    assert answer.accepted == ["scheme:contact", f"{s.club.id}:identity"]
    assert db.session.scalar(select(func.count()).select_from(Consent)) == 2


def test_everything_ticked_is_recorded_as_yes(app, db, client):
    s = scene()
    token = _link(app, s)
    _answer(client, token, _offered(s))

    answer = _the_answer(db)
    assert answer.answer == "yes"
    assert answer.accepted == answer.offered == _offered(s)


def _refused(app, db, client):
    s = scene()
    token = _link(app, s)
    _answer(client, token, [])
    return s


def test_a_refusal_shows_on_the_case_page_with_a_button_for_a_new_link(app, db, client):
    s = _refused(app, db, client)
    page = _staff(client, s.coordinator).get(f"/cases/{s.case.id}")

    assert 'data-answer="no"' in page.text
    sentence = re.search(r"Familien sa nei [0-9.]+ til: ([^<]*)\.", page.text)
    assert sentence, "the case page says the family said no, and when"
    assert CLUB_NAME in sentence[1] and "Identitet" in sentence[1]
    assert f'href="/cases/{s.case.id}/consent-link">Send en ny samtykkelenke' in page.text


def test_a_partial_answer_shows_on_the_consents_page_with_what_was_refused(app, db, client):
    s = scene()
    token = _link(app, s)
    _answer(client, token, [f"{s.club.id}:identity"])
    page = _staff(client, s.coordinator).get(f"/cases/{s.case.id}/consents")

    assert page.status_code == 200
    section = page.text.split('id="family-answers"', 1)[1].split("</ul>", 1)[0]
    assert 'data-answer="partly"' in section
    assert "Familien sa ja" in section and f"{CLUB_NAME}: Identitet" in section
    assert "De sa nei til:" in section
    assert "Ja til noe av det" in section and "Via lenken til den foresatte" in section
    assert "Send en ny samtykkelenke" in page.text


def test_the_assigned_guide_sees_the_answer_and_may_send_a_new_link(app, db, client):
    s = _refused(app, db, client)
    page = _staff(client, s.case.assigned_guide.user).get(f"/cases/{s.case.id}")
    assert 'data-answer="no"' in page.text
    assert "Send en ny samtykkelenke" in page.text


def test_no_answer_is_shown_before_the_family_answers(app, db, client):
    s = scene()
    db.session.commit()
    _staff(client, s.coordinator)
    assert "data-answer" not in client.get(f"/cases/{s.case.id}").text
    overview = client.get(f"/cases/{s.case.id}/consents").text
    assert "Familien har ikke svart på en samtykkelenke ennå." in overview


def test_the_dashboard_counts_refusals_and_lists_the_answers_of_its_own_organisation(
    app, db, client
):
    s = _refused(app, db, client)
    other = scene()  # another organisation, whose family also says no
    _answer(app.test_client(), _link(app, other), [])

    page = _staff(client, s.coordinator).get("/dashboard")

    assert page.status_code == 200
    assert "1 familie sa nei de siste 14 dagene." in page.text
    panel = page.text.split('id="family-answers"', 1)[1].split("</ul>", 1)[0]
    assert s.case.reference in panel and "sa nei" in panel
    assert other.case.reference not in panel


def test_staff_send_a_new_link_after_an_answer_and_it_works(app, db, client):
    s = _refused(app, db, client)
    created = _send_link_form(client, s)
    assert created.status_code == 200
    token = LINK.search(created.text)[1]

    family = app.test_client()
    assert _answer(family, token, ["scheme:identity"]).status_code == 302
    kinds = db.session.scalars(select(FamilyAnswer.answer).order_by(FamilyAnswer.answered_at))
    assert list(kinds) == ["no", "partly"]


def test_coordinators_and_the_assigned_guide_get_a_task_and_no_one_else(app, db, client):
    s = scene()
    second_coordinator = factories.user(s.org, "coordinator")
    unassigned_guide = factories.user(s.org, "guide")
    other = scene()  # another organisation's coordinator and guide
    token = _link(app, s)
    _answer(client, token, [])

    told = set(
        db.session.scalars(select(Task.user_id).where(Task.kind == TaskKind.FAMILY_ANSWERED))
    )
    assert told == {s.coordinator.id, second_coordinator.id, s.case.assigned_guide.user.id}
    assert unassigned_guide.id not in told and other.coordinator.id not in told
    links = set(db.session.scalars(select(Task.link)))
    assert links == {f"/cases/{s.case.id}/consents"}


def test_the_link_form_offers_the_family_languages_with_the_guardians_preselected(app, db, client):
    s = scene(guardian_language="ar")
    db.session.commit()
    page = _staff(client, s.coordinator).get(f"/cases/{s.case.id}/consent-link")

    options = re.findall(r'<option([^>]*)value="([a-z]{2})"', page.text)
    assert [code for _attributes, code in options if code != ""][-8:] == [
        "nb",
        "nn",
        "en",
        "ar",
        "so",
        "uk",
        "pl",
        "ti",
    ]
    assert [code for attributes, code in options if "selected" in attributes] == ["ar"]


@pytest.mark.parametrize("chosen", ["uk", "so"])
def test_the_staff_member_chooses_the_links_language(app, db, client, chosen):
    s = scene(guardian_language="ar")
    db.session.commit()
    created = _send_link_form(client, s, language=chosen)
    assert created.status_code == 200
    assert db.session.scalars(select(ConsentLink.language)).one() == chosen
    token = LINK.search(created.text)[1]
    assert f'<html lang="{chosen}"' in app.test_client().get(f"/samtykke/{token}").text


def test_a_language_off_the_list_is_refused_beside_the_field(app, db, client):
    s = scene()
    db.session.commit()
    refused = _send_link_form(client, s, language="xx")
    assert refused.status_code == 400
    assert "Velg et språk fra listen." in refused.text
    assert db.session.scalar(select(func.count()).select_from(ConsentLink)) == 0


def test_the_chooser_switches_language_and_keeps_the_link_working(app, db, client):
    s = scene(guardian_language="nb")
    token = _link(app, s)
    first = client.get(f"/samtykke/{token}")
    chooser = first.text.split('class="app-language"', 1)[1].split("</nav>", 1)[0]
    hrefs = re.findall(r'href="([^"]+)"', chooser)
    assert len(hrefs) == 8 and all(f"/samtykke/{token}?lang=" in href for href in hrefs)
    assert "<script" not in chooser

    arabic = client.get(f"/samtykke/{token}?lang=ar")
    assert '<html lang="ar" dir="rtl">' in arabic.text
    assert "Amira" in arabic.text  # still the same child's page: the token works
    answered = _answer(client, token, ["scheme:identity"], query="?lang=ar")

    assert answered.headers["Location"] == "/samtykke/takk/ar"
    answer = _the_answer(db)
    assert answer.language == "ar"
    assert db.session.scalars(select(Consent.text_language)).one() == "ar"


def test_an_unknown_language_in_the_chooser_keeps_the_links_language(app, db, client):
    s = scene(guardian_language="pl")
    token = _link(app, s)
    assert '<html lang="pl"' in client.get(f"/samtykke/{token}?lang=xx").text


@pytest.mark.parametrize("which", ["used", "unknown"])
def test_a_used_or_unknown_link_answers_in_the_browsers_family_language(app, db, client, which):
    s = scene()
    token = _link(app, s)
    if which == "used":
        _answer(client, token, [])
    else:
        token = "z" * 43
    arabic = client.get(f"/samtykke/{token}", headers={"Accept-Language": "ar,en;q=0.5"})

    assert arabic.status_code == 404
    assert '<html lang="ar" dir="rtl">' in arabic.text
    assert re.search(r"[\u0600-\u06ff]{3}", arabic.text)
    ukrainian = client.get(f"/samtykke/{token}", headers={"Accept-Language": "uk"})
    assert '<html lang="uk" dir="ltr">' in ukrainian.text
    plain = client.get(f"/samtykke/{token}", headers={"Accept-Language": "de"})
    assert '<html lang="nb" dir="ltr">' in plain.text


def test_a_withdrawal_through_the_link_gives_coordinators_and_the_guide_a_task(app, db, client):
    s = scene()
    consent = give(s)
    unassigned_guide = factories.user(s.org, "guide")
    db.session.commit()
    with app.test_request_context():
        _row, token = create_link(
            child=s.child, guardian=s.guardian, purpose="withdraw", by=s.coordinator
        )
    db.session.commit()
    page = client.get(f"/samtykke/{token}")
    withdrawn = client.post(
        f"/samtykke/{token}",
        data={"csrf_token": csrf_token(page.text), "withdraw": [str(consent.id)]},
    )

    assert withdrawn.status_code == 302
    told = set(
        db.session.scalars(select(Task.user_id).where(Task.kind == TaskKind.CONSENT_WITHDRAWN))
    )
    assert told == {s.coordinator.id, s.case.assigned_guide.user.id}
    assert unassigned_guide.id not in told


def test_a_second_link_asks_only_about_what_the_guardian_has_not_agreed_to(app, db, client):
    s = scene()
    _answer(client, _link(app, s), _offered(s))  # yes to the scheme and the club
    club_value = f"{s.club.id}:identity"
    db.session.delete(_the_answer(db))
    db.session.commit()

    # A second link, once the first consent to the club is withdrawn: only the club again.
    token = _link(app, s)
    page = client.get(f"/samtykke/{token}")
    assert f'value="{club_value}"' not in page.text  # agreed and in force: not asked again
    assert 'value="scheme:contact"' not in page.text
    _answer(client, token, [])
    answer = _the_answer(db)
    assert answer.offered == [] and answer.accepted == []
    assert answer.answer == "yes"  # nothing was left to ask, so nothing was refused

    with app.test_request_context():
        from guide.consents.services import withdraw_consent

        club_consent = db.session.scalars(
            select(Consent).where(Consent.recipient_club_id == s.club.id)
        ).one()
        withdraw_consent(club_consent, by=s.coordinator, channel="phone")
    db.session.delete(answer)
    db.session.commit()
    token = _link(app, s)
    assert f'value="{club_value}"' in client.get(f"/samtykke/{token}").text
    _answer(client, token, [])
    answer = _the_answer(db)
    assert answer.answer == "no"
    assert answer.offered == [f"{s.club.id}:{c}" for c in CLUB_ITEMS]
