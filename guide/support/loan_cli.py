"""``flask loans remind``: the daily run that reminds guides of equipment loans due soon."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup

from guide.dates import local_date
from guide.extensions import db
from guide.support.reminders import send_loan_reminders

loans_cli = AppGroup("loans", help="Equipment loans.")


@loans_cli.command("remind")
@click.option(
    "--days",
    type=click.IntRange(min=0, max=60),
    default=None,
    help="Remind this many days before the due date (default: the loan_reminder_days setting).",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Run as if it were this date (YYYY-MM-DD); default: today in the organisation's zone.",
)
def remind_command(days: int | None, today: dt.datetime | None) -> None:
    """Queue a reminder to the guide of every loan due soon that has not had one."""
    queued = send_loan_reminders(today=today.date() if today else local_date(), days=days)
    db.session.commit()
    click.echo(f"Queued {queued} loan reminder(s); the outbox worker sends them.")
