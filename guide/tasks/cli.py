"""``flask tasks``: raise the tasks time made due, and send the day's digests, by hand or cron."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from guide.tasks.worker import send_digests, sweep

tasks_cli = AppGroup("tasks", help="Tasks (To do): sweeps and daily digests.")


@tasks_cli.command("sweep")
def sweep_command() -> None:
    """Raise tasks for overdue loans, due follow-ups, quiet cases and expiring certificates."""
    report = sweep()
    click.echo(
        f"Raised tasks: {report.loans_overdue} overdue loans, {report.follow_ups_due} due "
        f"follow-ups, {report.quiet_cases} quiet cases, "
        f"{report.certificates_expiring} expiring certificates."
    )


@tasks_cli.command("digest")
def digest_command() -> None:
    """Queue today's digest to each person who chose it (from 07:00, once a day)."""
    click.echo(f"Queued {send_digests()} digests.")
