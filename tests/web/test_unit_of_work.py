"""The request is the unit of work: one commit at its end, nothing kept when it fails."""

from __future__ import annotations

import pytest
from flask import redirect
from sqlalchemy import func, select
from wtforms import StringField
from wtforms.validators import DataRequired

from guide.audit.models import AuditEvent
from guide.extensions import db as _db
from guide.submissions import Submission, SubmittedOnce
from guide.tenant import Organisation, OrganisationKind
from guide.unit_of_work import StaleEdit, refuse
from guide.validation.forms import Form

pytestmark = pytest.mark.usefixtures("db")


class NameForm(SubmittedOnce, Form):
    name = StringField(validators=[DataRequired()])


def _add_organisation(name: str) -> Organisation:
    organisation = Organisation(name=name, kind=OrganisationKind.frivilligsentral)
    _db.session.add(organisation)
    _db.session.flush()
    return organisation


@pytest.fixture
def trial_app(make_app):
    """An app with a few views that write and then succeed or fail in different ways."""
    application = make_app()
    application.config["WTF_CSRF_ENABLED"] = False
    application.config["PROPAGATE_EXCEPTIONS"] = False

    @application.post("/trial/flush-then-fail")
    def flush_then_fail():
        _add_organisation("Kept only if the request succeeds")
        raise RuntimeError("after the flush")

    @application.post("/trial/flush-then-succeed")
    def flush_then_succeed():
        _add_organisation("Written by a request that succeeds")
        return "done"

    @application.post("/trial/flush-then-refuse")
    def flush_then_refuse():
        _add_organisation("Written before a refusal")
        refuse("trial_access_denied", status=404, trial_id="x")

    @application.post("/trial/flush-then-stale")
    def flush_then_stale():
        _add_organisation("Written before a stale edit")
        raise StaleEdit("/trial/page")

    @application.route("/trial/create", methods=["POST"])
    def create():
        form = NameForm()
        if not form.validate_on_submit():
            return "the form again, with messages"
        organisation = _add_organisation(form.name.data)
        return redirect(f"/trial/organisations/{organisation.id}")

    return application


def _organisations() -> int:
    return _db.session.scalar(select(func.count()).select_from(Organisation))


def test_an_exception_after_a_flush_stores_nothing(trial_app):
    response = trial_app.test_client().post("/trial/flush-then-fail")
    assert response.status_code == 500
    assert _organisations() == 0


def test_a_request_that_returns_commits_what_it_flushed(trial_app):
    response = trial_app.test_client().post("/trial/flush-then-succeed")
    assert response.status_code == 200
    assert _organisations() == 1


def test_a_refusal_discards_the_request_and_keeps_one_audit_event(trial_app):
    response = trial_app.test_client().post("/trial/flush-then-refuse")
    assert response.status_code == 404
    assert _organisations() == 0
    events = _db.session.scalars(select(AuditEvent)).all()
    assert [event.action for event in events] == ["trial_access_denied"]
    assert events[0].details["trial_id"] == "x"
    assert events[0].details["status"] == 404


def test_a_stale_edit_stores_nothing_and_shows_the_conflict_message(trial_app):
    client = trial_app.test_client()
    response = client.post("/trial/flush-then-stale")
    assert response.status_code == 302
    assert response.headers["Location"] == "/trial/page"
    assert _organisations() == 0
    with client.session_transaction() as session:
        messages = [message for _category, message in session["_flashes"]]
    assert any("endret" in message or "changed" in message for message in messages)


def test_an_invalid_form_answers_400(trial_app):
    response = trial_app.test_client().post("/trial/create", data={"name": ""})
    assert response.status_code == 400
    assert response.text == "the form again, with messages"


def test_the_same_submission_twice_creates_once_and_lands_on_the_first_result(trial_app):
    client = trial_app.test_client()
    data = {"name": "Once only", "submission": "a" * 32}
    first = client.post("/trial/create", data=data)
    second = client.post("/trial/create", data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert _organisations() == 1
    assert _db.session.scalar(select(Submission.result_path)) == first.headers["Location"]


def test_a_refused_form_gives_its_submission_back(trial_app):
    client = trial_app.test_client()
    refused = client.post("/trial/create", data={"name": "", "submission": "b" * 32})
    accepted = client.post("/trial/create", data={"name": "Fixed", "submission": "b" * 32})
    assert (refused.status_code, accepted.status_code) == (400, 302)
    assert _organisations() == 1


def test_different_submissions_each_create(trial_app):
    client = trial_app.test_client()
    for token in ("c" * 32, "d" * 32):
        client.post("/trial/create", data={"name": "Twice on purpose", "submission": token})
    assert _organisations() == 2


def test_old_submission_tokens_are_forgotten(trial_app):
    import datetime as dt

    from guide.submissions import REMEMBERED_FOR, forget_old_submissions

    trial_app.test_client().post("/trial/create", data={"name": "Old", "submission": "e" * 32})
    assert forget_old_submissions() == 0
    later = dt.datetime.now(dt.UTC) + REMEMBERED_FOR + dt.timedelta(minutes=1)
    assert forget_old_submissions(now=later) == 1
    _db.session.commit()
    assert _db.session.scalar(select(func.count()).select_from(Submission)) == 0
