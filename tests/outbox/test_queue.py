"""Queueing mail: rendered in the recipient's language, stored encrypted, sent later."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select

from guide.outbox import services as outbox
from guide.outbox.models import OutboxMessage, OutboxStatus
from guide.outbox.services import EmailTemplateError, queue_email, queue_emails, render_email
from tests import factories

ADDRESS = "ny.koordinator@example.test"
CONTEXT = {"link": "http://app.test/invitation/abc", "organisation_name": "Org", "valid_hours": 72}


def test_queued_mail_waits_in_the_outbox_in_the_recipients_language(db):
    org = factories.organisation()
    message = queue_email(
        to=ADDRESS, template="invitation", locale="nb", context=CONTEXT, organisation_id=org.id
    )
    db.session.commit()
    assert message.status == OutboxStatus.queued
    assert message.attempts == 0
    assert message.locale == "nb"
    assert message.subject == "Du er invitert til Fritidsguide"
    assert "http://app.test/invitation/abc" in message.body_text
    assert "72 timer" in message.body_text


def test_english_recipient_gets_english_mail(db):
    subject, body = render_email("invitation", locale="en", context=CONTEXT)
    assert subject == "You have been invited to Fritidsguide"
    assert "expires in 72 hours" in body


def test_unknown_locale_falls_back_to_the_default_language(db):
    message = queue_email(to=ADDRESS, template="invitation", locale="xx", context=CONTEXT)
    assert message.locale == "nb"
    assert message.subject == "Du er invitert til Fritidsguide"


def test_one_mail_to_many_is_rendered_once_per_language_and_written_at_the_commit(db, monkeypatch):
    rendered: list[str] = []

    def counting_render(template, *, locale, **kwargs):
        rendered.append(locale)
        return render_email(template, locale=locale, **kwargs)

    monkeypatch.setattr(outbox, "render_email", counting_render)
    messages = queue_emails(
        recipients=[("a@example.test", "nb"), ("b@example.test", "en"), ("c@example.test", "nb")],
        template="invitation",
        context=CONTEXT,
    )

    assert sorted(rendered) == ["en", "nb"]
    assert [(m.recipient, m.locale) for m in messages] == [
        ("a@example.test", "nb"),
        ("b@example.test", "en"),
        ("c@example.test", "nb"),
    ]
    assert messages[1].subject == "You have been invited to Fritidsguide"
    assert messages[2].subject == "Du er invitert til Fritidsguide"
    # Added, not written: the request's commit writes them, and takes the write lock then.
    assert all(inspect(message).pending for message in messages)
    db.session.commit()
    assert all(inspect(message).persistent for message in messages)


def test_recipient_and_body_are_encrypted_at_rest(db):
    message = queue_email(to=ADDRESS, template="invitation", locale="en", context=CONTEXT)
    db.session.commit()
    table = OutboxMessage.__table__
    row = db.session.execute(select(table).where(table.c.id == message.id)).one()
    stored = b" ".join(value for value in row if isinstance(value, bytes | memoryview))
    assert stored, "the encrypted columns hold bytes"
    assert ADDRESS.encode() not in bytes(stored)
    assert b"invitation/abc" not in bytes(stored)
    assert db.session.get(OutboxMessage, message.id).recipient == ADDRESS


def test_template_without_subject_line_is_refused(db, tmp_path, app, monkeypatch):
    folder = tmp_path / "email"
    folder.mkdir()
    (folder / "broken.txt").write_text("Hello without a subject\n")
    monkeypatch.setattr(
        app.jinja_loader, "searchpath", [str(tmp_path), *app.jinja_loader.searchpath]
    )
    with pytest.raises(EmailTemplateError):
        render_email("broken", locale="nb", context={})
