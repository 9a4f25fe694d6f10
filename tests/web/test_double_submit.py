"""Every form that creates something creates it once: sent twice in a row, or twice at once.

One table describes each creating form: what it needs, the page it is on, where it posts,
what it sends, and the rows and e-mails one submission makes. The same submission (the
page's CSRF and submission tokens) is sent twice in a row, and twice at the same moment
over two connections of one browser, as a double click does: one submission counts, with
one set of e-mails, and the repeat lands where the first one did.
"""

from __future__ import annotations

import dataclasses
import io
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import current_app, redirect
from sqlalchemy import func, select

import guide.unit_of_work
from consent import Category
from guide.accounts.models import AccountToken, User
from guide.activities.models import (
    Activity,
    ActivityCategory,
    CatalogueImport,
    Club,
    Enrollment,
)
from guide.activities.services import start_import
from guide.areas.models import Area
from guide.cases.models import FollowUp, Visit
from guide.clubs_portal.models import ClubReport
from guide.consents.links import create_link
from guide.consents.models import Consent, ConsentLink, ConsentWithdrawal, FamilyAnswer, Share
from guide.consents.sharing import share_with_club
from guide.consents.texts import CURRENT_TEXT_VERSION
from guide.dates import local_date
from guide.extensions import db as _db
from guide.outbox.models import OutboxMessage
from guide.referrals.models import Referral
from guide.submissions import Submission, claim
from guide.support.models import EquipmentItem, EquipmentLoan, Fund, SupportGrant
from guide.tenant import default_follow_up_months
from tests import factories
from tests.sharing_helpers import Scene, give, scene
from tests.web.helpers import csrf_token, sign_in
from tests.web.test_activities_admin import activity_form
from tests.web.test_clubs import club_form
from tests.web.test_loans import loan_form
from tests.web.test_referral_form import valid_referral
from tests.web.test_visits import visit_form

SUBMISSION_TOKEN = re.compile(
    r'<input[^>]*name="submission"[^>]*value="([0-9a-f]{32})"'
    r'|<input[^>]*value="([0-9a-f]{32})"[^>]*name="submission"'
)
#: A register file with two good rows: its import creates two activities.
REGISTER = "\r\n".join(
    [
        "Klubb;Organisasjonsnummer;Aktivitet;Kategori;Ukedag;Kontingent;Turer;Leirer",
        "Eksempel Musikkforening;998877008;Gitargruppe;Musikk;onsdag;1 200;;300",
        "Eksempel Musikkforening;998877008;Korps;Musikk;torsdag;900;250;",
    ]
).encode("utf-8-sig")
#: How long each request keeps its transaction open before it commits, in the parallel
#: tests: long enough that the other request surely arrives while the first is in flight.
HOLD_SECONDS = 0.3


@dataclasses.dataclass
class Sent:
    """One submission of a form: who sends it, from which page, to where, and what."""

    by: User | None  # None: the family, without an account
    page: str
    data: dict[str, Any]
    action: str | None = None  # where the form posts, if not to its own page
    files: dict[str, bytes] = dataclasses.field(default_factory=dict)

    @property
    def target(self) -> str:
        return self.action or self.page


@dataclasses.dataclass(frozen=True)
class CreatingForm:
    """A form that creates something, and what one submission of it creates."""

    name: str
    prepare: Callable[[Scene], Sent]
    model: type
    rows: int = 1
    mails: int = 0
    #: Where a repeat lands when the first answer is a page rather than a redirect.
    repeat_lands_on: Callable[[Scene], str] | None = None


# --- the forms ---------------------------------------------------------------------------


def _guide(s: Scene) -> User:
    return s.case.assigned_guide.user


def referral(s: Scene) -> Sent:
    referrer = factories.user(s.org, "referrer", referrer_kind="school_nurse")
    return Sent(referrer, "/referrals/new", valid_referral())


def visit(s: Scene) -> Sent:
    return Sent(_guide(s), f"/cases/{s.case.id}/visits/new", visit_form())


def consent_record(s: Scene) -> Sent:
    data = {
        "consenter": str(s.guardian.id),
        "child_heard": "yes",
        "purpose": "follow_up",
        "categories": ["identity", "contact"],
        "method": "verbal_documented",
        "text_language": "nb",
        "text_version": CURRENT_TEXT_VERSION,
        "given_on": local_date().isoformat(),
    }
    return Sent(s.coordinator, f"/cases/{s.case.id}/consents/new?recipient=scheme", data)


def consent_link(s: Scene) -> Sent:
    data = {"guardian": str(s.guardian.id), "purpose": "give", "delivery": "email"}
    return Sent(s.coordinator, f"/cases/{s.case.id}/consent-link", data)


def share(s: Scene) -> Sent:
    give(s)
    return _share_without_consent(s)


def _share_without_consent(s: Scene) -> Sent:
    data = {"club": str(s.club.id), "categories": ["identity", "contact"]}
    return Sent(s.coordinator, f"/cases/{s.case.id}/share", data)


def support_grant(s: Scene) -> Sent:
    data = {
        "version": "0",
        "kind": "equipment",
        "amount": "800",
        "payee_kind": "shop",
        "payee_name": "Sportsbutikken AS",
    }
    return Sent(_guide(s), f"/cases/{s.case.id}/support/new", data)


def loan(s: Scene) -> Sent:
    return Sent(s.coordinator, f"/cases/{s.case.id}/loans/new", loan_form())


def equipment_item(s: Scene) -> Sent:
    data = {"name": "Slalåmski", "size": "120 cm", "condition": "good"}
    return Sent(s.coordinator, "/equipment/new", data)


def _proposal(s: Scene, page: str) -> Sent:
    chess = factories.activity(s.org, name="Sjakk for nybegynnere", club=s.club)
    action = f"/cases/{s.case.id}/activities/propose"
    return Sent(_guide(s), page, {"activity_id": str(chess.id)}, action=action)


def proposal_from_search(s: Scene) -> Sent:
    return _proposal(s, f"/activities/search?case={s.case.id}")  # a button per activity


def proposal_from_suggestions(s: Scene) -> Sent:
    return _proposal(s, f"/cases/{s.case.id}/suggestions")


def start(s: Scene) -> Sent:
    (enrollment,) = s.case.enrollments
    data = {"started_on": local_date().isoformat(), "own_choice": "yes"}
    return Sent(_guide(s), f"/cases/{s.case.id}/activities/{enrollment.id}/start", data)


def invitation(s: Scene) -> Sent:
    data = {"email": "ny.guide@example.org", "role": "guide"}
    return Sent(s.coordinator, "/users/invite", data)


def club(s: Scene) -> Sent:
    return Sent(s.coordinator, "/catalogue/clubs/new", club_form())


def activity(s: Scene) -> Sent:
    data = activity_form(s.club, fee="1250")
    return Sent(s.coordinator, "/catalogue/activities/new", data)


def fund(s: Scene) -> Sent:
    data = {
        "name": "Fritidsstipend 2027",
        "source": "municipality",
        "year": "2027",
        "budget": "250000",
        "is_active": "y",
    }
    return Sent(s.coordinator, "/funds/new", data)


def area(s: Scene) -> Sent:
    return Sent(s.coordinator, "/areas", {"name": "Nordby", "aliases": "Nordbyen"})


def area_from_a_name(s: Scene) -> Sent:
    factories.place_child(s.case, None)
    s.case.child.area = "Nordby skolekrets"  # text from before areas were a list
    return Sent(s.coordinator, "/areas/unmapped", {"name": "Nordby skolekrets", "area": "new"})


def category(s: Scene) -> Sent:
    return Sent(s.coordinator, "/catalogue/categories", {"name": "Klatring og buldring"})


def catalogue_upload(s: Scene) -> Sent:
    return Sent(s.coordinator, "/catalogue/import", {}, files={"register": REGISTER})


def catalogue_import(s: Scene) -> Sent:
    upload = start_import(
        organisation_id=s.org.id, filename="register.csv", content=REGISTER, by=s.coordinator
    )
    return Sent(s.coordinator, f"/catalogue/import/{upload.id}", {})


def _family_link(s: Scene, purpose: str) -> str:
    with current_app.test_request_context():
        _link, token = create_link(
            child=s.child, guardian=s.guardian, purpose=purpose, by=s.coordinator
        )
    return f"/samtykke/{token}"


def family_answer(s: Scene) -> Sent:
    data = {"consent": ["scheme:identity"], "text_version": CURRENT_TEXT_VERSION}
    return Sent(None, _family_link(s, "give"), data)


def family_refusal(s: Scene) -> Sent:
    # Nothing ticked: no consent, but the family's answer ("no") is recorded once.
    return Sent(None, _family_link(s, "give"), {"text_version": CURRENT_TEXT_VERSION})


def family_withdrawal(s: Scene) -> Sent:
    consent = give(s)
    return Sent(None, _family_link(s, "withdraw"), {"withdraw": [str(consent.id)]})


def _shared_child(s: Scene, report: str) -> Sent:
    give(s)
    with current_app.test_request_context():
        share_with_club(
            child=s.child, club=s.club, categories=[Category.IDENTITY], by=s.coordinator
        )
    # The confirmation step, with its optional note; a repeat lands on the child's page.
    return Sent(s.contact, f"/klubb/barn/{s.child.id}/{report}", {"note": "Kom ikke i dag"})


def club_reports_absence(s: Scene) -> Sent:
    return _shared_child(s, "absent")


def club_confirms_a_start(s: Scene) -> Sent:
    # Not on the case's list: the coordinators and the guide get a task to record it.
    for enrollment in s.case.enrollments:
        _db.session.delete(enrollment)
    return _shared_child(s, "started")


FORMS = [
    CreatingForm("referral", referral, Referral, mails=1),
    CreatingForm("visit", visit, Visit),
    CreatingForm("consent record", consent_record, Consent),
    CreatingForm(
        "consent link",
        consent_link,
        ConsentLink,
        mails=1,
        repeat_lands_on=lambda s: f"/cases/{s.case.id}",  # the link is shown only once
    ),
    # The club contact, and the guide's task.
    CreatingForm("share with a club", share, Share, mails=2),
    # The coordinator's task.
    CreatingForm("support grant", support_grant, SupportGrant, mails=1),
    CreatingForm("loan", loan, EquipmentLoan),
    CreatingForm("equipment item", equipment_item, EquipmentItem),
    CreatingForm("activity proposal from the search", proposal_from_search, Enrollment),
    CreatingForm("activity proposal from suggestions", proposal_from_suggestions, Enrollment),
    CreatingForm("the child has started", start, FollowUp, rows=len(default_follow_up_months())),
    CreatingForm("invitation", invitation, AccountToken, mails=1),
    CreatingForm("club", club, Club),
    CreatingForm("activity", activity, Activity),
    CreatingForm("fund", fund, Fund),
    CreatingForm("category", category, ActivityCategory),
    CreatingForm("area", area, Area),
    CreatingForm("area from an unmapped name", area_from_a_name, Area),
    CreatingForm("catalogue upload", catalogue_upload, CatalogueImport),
    CreatingForm("catalogue import", catalogue_import, Activity, rows=2),
    # The coordinator's and the guide's tasks, each told by e-mail at once.
    CreatingForm("the family's answer", family_answer, Consent, mails=2),
    CreatingForm("the family's refusal", family_refusal, FamilyAnswer, mails=2),
    CreatingForm("the family's withdrawal", family_withdrawal, ConsentWithdrawal, mails=2),
    CreatingForm("the club reports an absence", club_reports_absence, ClubReport, mails=2),
    CreatingForm("the club confirms a start", club_confirms_a_start, ClubReport, mails=2),
]
EACH_FORM = pytest.mark.parametrize("form", FORMS, ids=[form.name for form in FORMS])


# --- sending -----------------------------------------------------------------------------


def browser(app, by: User | None):
    """A browser of the sender, signed in unless it is the family's."""
    client = app.test_client()
    if by is not None:
        assert sign_in(client, by.email).status_code == 302
    return client


def open_form(client, sent: Sent) -> dict[str, Any]:
    """The form's fields as the page renders them: what the browser sends, every time."""
    page = client.get(sent.page)
    assert page.status_code == 200
    tokens = [a or b for a, b in SUBMISSION_TOKEN.findall(page.text)]
    assert tokens, "the page renders no submission token"
    assert len(set(tokens)) == len(tokens), "two forms on the page share a submission token"
    return {**sent.data, "csrf_token": csrf_token(page.text), "submission": tokens[0]}


def send(client, sent: Sent, fields: dict[str, Any]):
    data = dict(fields)
    for name, content in sent.files.items():
        data[name] = (io.BytesIO(content), "register.csv")  # read anew for every request
    return client.post(sent.target, data=data)


def send_at_once(app, client, sent: Sent, submissions: list[dict[str, Any]]) -> list:
    """Each submission on a connection of its own (one browser), all at the same moment."""
    cookie = client.get_cookie("session")
    barrier = threading.Barrier(len(submissions))
    answers: list[Any] = [None] * len(submissions)
    spans: list[tuple[float, float]] = [(0.0, 0.0)] * len(submissions)

    def connection(index: int, fields: dict[str, Any]) -> None:
        own = app.test_client()
        if cookie is not None:
            own.set_cookie(cookie.key, cookie.value)
        barrier.wait(timeout=30)
        began = time.monotonic()
        try:
            answers[index] = send(own, sent, fields)
        except Exception as error:  # reported by the test, not swallowed
            answers[index] = error
        spans[index] = (began, time.monotonic())

    threads = [
        threading.Thread(target=connection, args=(index, fields), name=f"submission-{index}")
        for index, fields in enumerate(submissions)
    ]
    with pytest.MonkeyPatch.context() as patch:
        # Each request keeps its transaction open a moment before its one commit.
        patch.setattr(guide.unit_of_work, "commit", _held(guide.unit_of_work.commit))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    assert max(began for began, _ in spans) < min(ended for _, ended in spans), (
        "the requests did not overlap"
    )
    return answers


def _held(commit: Callable[[], None]) -> Callable[[], None]:
    def held() -> None:
        time.sleep(HOLD_SECONDS)
        commit()

    return held


def made(db, form: CreatingForm) -> tuple[int, int]:
    """(rows of the form's model, e-mails in the outbox)."""
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(form.model)),
        db.session.scalar(select(func.count()).select_from(OutboxMessage)),
    )


def once_more(counts: tuple[int, int], form: CreatingForm, times: int = 1) -> tuple[int, int]:
    return counts[0] + times * form.rows, counts[1] + times * form.mails


def landing(form: CreatingForm, s: Scene, first) -> str:
    """Where the first submission led, which is where a repeat must land."""
    if form.repeat_lands_on is not None:
        assert first.status_code == 200
        return form.repeat_lands_on(s)
    assert first.status_code == 302, first.status_code
    return first.headers["Location"]


@dataclasses.dataclass(frozen=True)
class Opened:
    """A form's page opened in its sender's browser, and what there was before sending it."""

    s: Scene
    sent: Sent
    client: Any
    fields: dict[str, Any]
    before: tuple[int, int]


def opened(app, db, form: CreatingForm, prepare: Callable[[Scene], Sent] | None = None) -> Opened:
    """A new scene, the form's submission prepared in it (``prepare`` if given), its page open."""
    s = scene()
    sent = (prepare or form.prepare)(s)
    db.session.commit()
    client = browser(app, sent.by)
    return Opened(s, sent, client, open_form(client, sent), made(db, form))


# --- twice in a row ----------------------------------------------------------------------


@EACH_FORM
def test_the_same_submission_twice_in_a_row_creates_once(app, db, form):
    o = opened(app, db, form)

    first = send(o.client, o.sent, o.fields)
    assert made(db, form) == once_more(o.before, form)
    again = send(o.client, o.sent, o.fields)

    assert made(db, form) == once_more(o.before, form)
    assert again.status_code == 302
    assert again.headers["Location"] == landing(form, o.s, first)


# --- twice at once -----------------------------------------------------------------------


def _only_redirects(answers: list, form: CreatingForm) -> list:
    failures = [answer for answer in answers if isinstance(answer, Exception)]
    assert not failures, failures
    expected = [200, 302] if form.repeat_lands_on is not None else [302, 302]
    assert sorted(answer.status_code for answer in answers) == expected
    return answers


@EACH_FORM
def test_the_same_submission_twice_at_once_creates_once(app, db, form):
    o = opened(app, db, form)

    answers = _only_redirects(send_at_once(app, o.client, o.sent, [o.fields, o.fields]), form)

    assert made(db, form) == once_more(o.before, form)
    first = min(answers, key=lambda answer: answer.status_code)  # the page, if there is one
    repeat = max(answers, key=lambda answer: answer.status_code)
    assert repeat.headers["Location"] == landing(form, o.s, first)


#: Forms that nothing but the submission token keeps from creating twice.
UNGUARDED = [form for form in FORMS if form.name in {"referral", "visit", "loan"}]


@pytest.mark.parametrize("form", UNGUARDED, ids=[form.name for form in UNGUARDED])
def test_two_different_submissions_at_once_both_create(app, db, form):
    """The control: the race is real, so the tests above fail if the token stops counting."""
    o = opened(app, db, form)
    twice = [o.fields, open_form(o.client, o.sent)]

    _only_redirects(send_at_once(app, o.client, o.sent, twice), form)

    assert made(db, form) == once_more(o.before, form, times=2)


# --- refused, then corrected -------------------------------------------------------------


def form_named(name: str) -> CreatingForm:
    return next(form for form in FORMS if form.name == name)


def refused_then_created(db, form: CreatingForm, o: Opened, refused_fields, fix=None) -> None:
    """Sent with ``refused_fields``: 400 and nothing made; after ``fix``, the page's own
    fields with the same token: created once."""
    refused = send(o.client, o.sent, refused_fields)
    assert refused.status_code == 400
    assert made(db, form) == o.before
    if fix is not None:
        fix()
    accepted = send(o.client, o.sent, o.fields)
    assert accepted.status_code == 302
    assert made(db, form) == once_more(o.before, form)


def test_a_form_refused_for_its_input_can_be_corrected_and_sent_with_the_same_token(app, db):
    form = form_named("referral")
    o = opened(app, db, form)

    refused_then_created(db, form, o, {**o.fields, "child_first_name": ""})


def test_a_submission_refused_after_it_validated_gives_its_token_back(app, db):
    """Sharing without the guardian's consent is refused (400); with it, the same token works."""
    form = form_named("share with a club")
    o = opened(app, db, form, prepare=_share_without_consent)

    def consent_given() -> None:
        give(o.s)
        db.session.commit()

    refused_then_created(db, form, o, o.fields, fix=consent_given)


# --- a request that fails after its claim --------------------------------------------------


def test_a_request_that_fails_after_claiming_keeps_no_claim(make_app, db):
    """pysqlite commits a savepoint that opened the transaction: the claim must not use one."""
    trial = make_app()
    trial.config["WTF_CSRF_ENABLED"] = False
    trial.config["PROPAGATE_EXCEPTIONS"] = False
    token = "f" * 32

    @trial.post("/trial/claim-then-fail")
    def claim_then_fail():
        claim(token)  # the request's first write
        raise RuntimeError("after the claim")

    @trial.post("/trial/claim-then-succeed")
    def claim_then_succeed():
        claim(token)
        return redirect("/trial/done")

    client = trial.test_client()
    assert client.post("/trial/claim-then-fail").status_code == 500
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0
    assert client.post("/trial/claim-then-succeed").status_code == 302
    assert db.session.scalar(select(Submission.result_path)) == "/trial/done"
