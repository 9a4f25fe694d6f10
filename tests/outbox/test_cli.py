"""``flask outbox send`` and the worker loop, with the SMTP settings of a real app."""

from __future__ import annotations

from sqlalchemy import select

from guide.extensions import db as _db
from guide.outbox.models import OutboxMessage, OutboxStatus
from guide.outbox.services import queue_email
from guide.outbox.worker import work
from tests.outbox.conftest import MAIL_FROM

CONTEXT = {"link": "http://app.test/invitation/x", "organisation_name": "Org", "valid_hours": 72}


def _app_for(make_app, smtp):
    return make_app(smtp_host="127.0.0.1", smtp_port=smtp.port, mail_from=MAIL_FROM)


def test_send_command_delivers_with_the_configured_server(app, make_app, smtp):
    mail_app = _app_for(make_app, smtp)
    with mail_app.app_context():
        queue_email(to="mottaker@example.com", template="invitation", locale="en", context=CONTEXT)
        _db.session.commit()

    # pytest-flask keeps the suite's app context pushed; the command must see this app.
    with mail_app.app_context():
        result = mail_app.test_cli_runner().invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert "Sent 1" in result.output
    assert [mail["To"] for mail in smtp.messages] == ["mottaker@example.com"]
    assert smtp.messages[0]["From"] == MAIL_FROM


def test_worker_keeps_sending_until_stopped(app, make_app, smtp):
    mail_app = _app_for(make_app, smtp)
    rounds: list[float] = []

    def sleep(seconds: float) -> None:
        rounds.append(seconds)
        # Mail queued while the worker sleeps goes out in the next round.
        if len(rounds) == 1:
            queue_email(
                to="senere@example.com", template="invitation", locale="nb", context=CONTEXT
            )
            _db.session.commit()

    with mail_app.app_context():
        queue_email(to="forst@example.com", template="invitation", locale="nb", context=CONTEXT)
        _db.session.commit()
        work(interval_seconds=5, should_stop=lambda: len(rounds) >= 2, sleep=sleep)
        statuses = _db.session.scalars(select(OutboxMessage.status)).all()

    assert rounds == [5, 5]
    assert sorted(mail["To"] for mail in smtp.messages) == [
        "forst@example.com",
        "senere@example.com",
    ]
    assert statuses == [OutboxStatus.sent, OutboxStatus.sent]


def test_worker_survives_a_failing_run(app, make_app, smtp, monkeypatch, caplog):
    mail_app = _app_for(make_app, smtp)
    calls: list[int] = []

    def broken_send_due():
        calls.append(1)
        raise RuntimeError("database went away: mottaker@example.com")

    monkeypatch.setattr("guide.outbox.worker.send_due", broken_send_due)
    with mail_app.app_context():
        work(interval_seconds=1, should_stop=lambda: len(calls) >= 2, sleep=lambda _s: None)

    assert len(calls) == 2
    assert "RuntimeError" in caplog.text
    assert "mottaker@example.com" not in caplog.text
