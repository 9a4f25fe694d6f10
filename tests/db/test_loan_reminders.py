"""Reminders to the guide before an equipment loan is due: once, to the right guide, no names."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from guide.audit.models import AuditEvent
from guide.extensions import db as _db
from guide.outbox.models import OutboxMessage
from guide.support.loans import lend_equipment, mark_returned
from guide.support.models import EquipmentLoan, LoanSource
from guide.support.reminders import reminder_days, send_loan_reminders
from tests import factories

TODAY = dt.date(2026, 5, 4)
CHILD = ("Ingrid", "Hemmeligsen")
GUARDIAN = "Kari Hemmeligsen"
ITEM = "Rød sykkel"
NOTE = "Hentes på Tøyen"


def lend(case, by, *, due_on: dt.date, item_type: str = ITEM) -> EquipmentLoan:
    return lend_equipment(
        case,
        by=by,
        source=LoanSource.equipment_library,
        item_type=item_type,
        size="24 tommer",
        lent_on=TODAY - dt.timedelta(days=30),
        due_on=due_on,
        note=NOTE,
    )


def mails(db) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at)))


def test_the_guide_is_reminded_once_three_days_before_the_due_date(db):
    org = factories.organisation()
    guide = factories.user(org, "guide", preferred_locale="en")
    case = factories.child_case(
        org, first_name=CHILD[0], last_name=CHILD[1], guardian_name=GUARDIAN, guide=guide
    )
    case.status = "active"
    loan = lend(case, guide, due_on=TODAY + dt.timedelta(days=3))
    db.session.commit()

    assert send_loan_reminders(today=TODAY - dt.timedelta(days=1)) == 0
    assert send_loan_reminders(today=TODAY) == 1
    db.session.commit()
    assert send_loan_reminders(today=TODAY) == 0
    assert send_loan_reminders(today=TODAY + dt.timedelta(days=1)) == 0
    db.session.commit()

    [mail] = mails(db)
    assert mail.recipient == guide.email
    assert mail.organisation_id == org.id
    assert mail.subject == "An equipment loan is due soon"
    assert "An equipment loan on one of your cases is due soon." in mail.body_text
    assert f"http://127.0.0.1:5000/cases/{case.id}/loans" in mail.body_text
    text = mail.subject + mail.body_text
    for secret in (*CHILD, GUARDIAN, *GUARDIAN.split(), ITEM, "sykkel", NOTE, "24 tommer"):
        assert secret not in text
    assert case.reference not in text
    assert "2026" not in mail.body_text.split("http")[0]  # no due date either
    assert db.session.get(EquipmentLoan, loan.id).reminder_sent_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "loan_reminder_queued"))
    assert event.object_id == str(loan.id)


def test_the_reminder_is_in_the_guides_language(db):
    org = factories.organisation()
    guide = factories.user(org, "guide", preferred_locale="nn")
    case = factories.child_case(org, status="active", guide=guide)
    lend(case, guide, due_on=TODAY + dt.timedelta(days=1))
    db.session.commit()

    send_loan_reminders(today=TODAY)

    [mail] = mails(db)
    assert mail.locale == "nn"
    assert mail.subject == "Eit utstyrslån går snart ut"


def test_the_reminder_goes_to_the_guide_assigned_now(db):
    org = factories.organisation()
    first = factories.user(org, "guide")
    current = factories.user(org, "guide")
    case = factories.child_case(org, status="active", guide=first)
    lend(case, first, due_on=TODAY + dt.timedelta(days=2))
    case.assigned_guide = current.guide_profile
    db.session.commit()

    send_loan_reminders(today=TODAY)

    assert [mail.recipient for mail in mails(db)] == [current.email]


def test_no_reminder_for_loans_far_off_overdue_returned_or_without_an_active_guide(db):
    org = factories.organisation()
    guide = factories.user(org, "guide")
    coordinator = factories.user(org, "coordinator")
    far_off = factories.child_case(org, status="active", guide=guide)
    lend(far_off, guide, due_on=TODAY + dt.timedelta(days=4))
    overdue = factories.child_case(org, status="active", guide=guide)
    lend(overdue, guide, due_on=TODAY - dt.timedelta(days=1))
    returned = factories.child_case(org, status="active", guide=guide)
    mark_returned(
        lend(returned, guide, due_on=TODAY + dt.timedelta(days=1)),
        by=guide,
        returned_on=TODAY,
    )
    without_guide = factories.child_case(org, status="accepted")
    lend(without_guide, coordinator, due_on=TODAY + dt.timedelta(days=1))
    gone = factories.user(org, "guide", is_active=False)
    inactive = factories.child_case(org, status="active", guide=gone)
    inactive_loan = lend(inactive, coordinator, due_on=TODAY + dt.timedelta(days=1))
    db.session.commit()

    assert send_loan_reminders(today=TODAY) == 0
    assert mails(db) == []
    # Nothing was marked as reminded, so a guide assigned later still gets the reminder.
    assert db.session.get(EquipmentLoan, inactive_loan.id).reminder_sent_at is None


def test_the_number_of_days_is_configurable(db, make_app):
    org = factories.organisation()
    guide = factories.user(org, "guide")
    case = factories.child_case(org, status="active", guide=guide)
    lend(case, guide, due_on=TODAY + dt.timedelta(days=5))
    db.session.commit()

    assert reminder_days() == 3
    assert send_loan_reminders(today=TODAY) == 0
    assert send_loan_reminders(today=TODAY, days=5) == 1
    # A new app writes at start-up (its key check): the test must not hold the write lock.
    db.session.commit()
    assert (
        make_app(loan_reminder_days=7).extensions["fritidsguide.settings"].loan_reminder_days == 7
    )


def test_flask_loans_remind_queues_and_commits(app, db):
    org = factories.organisation()
    guide = factories.user(org, "guide")
    case = factories.child_case(org, status="active", guide=guide)
    loan = lend(case, guide, due_on=TODAY + dt.timedelta(days=3))
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["loans", "remind", "--today", TODAY.isoformat()])
    again = app.test_cli_runner().invoke(args=["loans", "remind", "--today", TODAY.isoformat()])

    assert result.exit_code == 0, result.output
    assert "Queued 1 loan reminder(s)" in result.output
    assert "Queued 0 loan reminder(s)" in again.output
    _db.session.expire_all()
    assert [mail.recipient for mail in mails(db)] == [guide.email]
    assert db.session.get(EquipmentLoan, loan.id).reminder_sent_at is not None
