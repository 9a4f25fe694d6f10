"""Reminding guides, through the outbox, that an equipment loan on their case is due soon.

Runs once a day (``flask loans remind`` from cron or a systemd timer). Each loan is
reminded once: ``reminder_sent_at`` is set in the same transaction as the queued mail.
The mail says only that a loan on one of the guide's cases is due soon and links to
the case's loans, where access control applies: no child, item or date in it.
"""

from __future__ import annotations

import datetime as dt
import uuid

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from guide.audit.services import record_event
from guide.cases.models import Case
from guide.database import utcnow
from guide.extensions import db
from guide.guides.models import GuideProfile
from guide.outbox.services import absolute_url, queue_email
from guide.support.models import EquipmentLoan

TEMPLATE = "loan_due_soon"


def reminder_days() -> int:
    """How many days before the due date the guide is reminded (setting ``loan_reminder_days``)."""
    return current_app.extensions["fritidsguide.settings"].loan_reminder_days


def loans_due_soon(*, today: dt.date, days: int) -> list[EquipmentLoan]:
    """Open, not yet reminded loans due from today to ``days`` days ahead, on cases with a guide.

    Loans already overdue are left to the coordinator's dashboard.
    """
    query = (
        select(EquipmentLoan)
        .join(EquipmentLoan.case)
        .where(
            EquipmentLoan.returned_on.is_(None),
            EquipmentLoan.reminder_sent_at.is_(None),
            EquipmentLoan.due_on >= today,
            EquipmentLoan.due_on <= today + dt.timedelta(days=days),
            Case.assigned_guide_id.is_not(None),
        )
        .options(
            joinedload(EquipmentLoan.case)
            .joinedload(Case.assigned_guide)
            .joinedload(GuideProfile.user)
        )
        .order_by(EquipmentLoan.due_on, EquipmentLoan.id)
    )
    return list(db.session.scalars(query).unique())


def send_loan_reminders(*, today: dt.date, days: int | None = None) -> int:
    """Queue one reminder per loan due within ``days`` days to its case's guide; how many."""
    days = reminder_days() if days is None else days
    queued = 0
    for loan in loans_due_soon(today=today, days=days):
        guide = loan.case.assigned_guide.user
        if not guide.is_active or not _mark_reminded(loan):
            continue
        queue_email(
            to=guide.email,
            template=TEMPLATE,
            locale=guide.preferred_locale,
            context={"link": absolute_url(_loans_path(loan.case_id))},
            organisation_id=loan.organisation_id,
        )
        record_event(
            "loan_reminder_queued",
            organisation_id=loan.organisation_id,
            obj=loan,
            details={"case_id": str(loan.case_id), "guide_user_id": str(guide.id)},
        )
        queued += 1
    db.session.flush()
    return queued


def _mark_reminded(loan: EquipmentLoan) -> bool:
    # A conditional UPDATE, so two runs at once cannot both remind the same loan.
    claimed = db.session.execute(
        update(EquipmentLoan)
        .where(EquipmentLoan.id == loan.id, EquipmentLoan.reminder_sent_at.is_(None))
        .values(reminder_sent_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire(loan, ["reminder_sent_at"])
    return claimed.rowcount == 1


def _loans_path(case_id: uuid.UUID) -> str:
    # Built from the URL map, because the command runs without a request to take a host from.
    adapter = current_app.url_map.bind("localhost")
    return adapter.build("loans.case_loans_view", {"case_id": case_id})
