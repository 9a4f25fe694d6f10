"""``flask outbox``: send queued e-mail once, or keep a worker running beside the web server."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from guide.outbox.worker import lease_length, send_due, work

outbox_cli = AppGroup("outbox", help="The e-mail outbox.")


@outbox_cli.command("send")
def send_command() -> None:
    """Send the messages that are due now, once."""
    report = send_due()
    click.echo(f"Sent {report.sent}, will retry {report.retrying}, failed {report.failed}.")


@outbox_cli.command("work")
@click.option(
    "--interval",
    default=5.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds to wait between runs.",
)
def work_command(interval: float) -> None:
    """Send due messages every INTERVAL seconds until stopped with Ctrl-C."""
    lease = lease_length().total_seconds()
    click.echo(
        f"Outbox worker started; checking every {interval:g} s, "
        f"each message leased for {lease:g} s. Stop with Ctrl-C."
    )
    try:
        work(interval_seconds=interval)
    except KeyboardInterrupt:
        click.echo("Outbox worker stopped.")
