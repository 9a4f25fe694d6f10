"""``flask audit``: seal the events that wait, and verify the whole chain."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from guide.audit.sealing import SEAL_BATCH_SIZE, seal_pending
from guide.audit.verification import BreakKind, verify_chain

audit_cli = AppGroup("audit", help="The audit log's hash chain.")


@audit_cli.command("seal")
@click.option(
    "--batch-size",
    default=SEAL_BATCH_SIZE,
    show_default=True,
    type=click.IntRange(min=1),
    help="Events linked per transaction.",
)
def seal_command(batch_size: int) -> None:
    """Link every event that waits into the chain (the outbox worker also does this)."""
    sealed = seal_pending(batch_size=batch_size)
    click.echo(_("Sealed %(count)d audit event(s).", count=sealed))


@audit_cli.command("verify")
def verify_command() -> None:
    """Check every sealed event; exit non-zero at the first break."""
    report = verify_chain()
    click.echo(
        _(
            "Checked %(checked)d sealed audit event(s); %(waiting)d wait to be sealed.",
            checked=report.checked,
            waiting=report.waiting,
        )
    )
    if report.first_break is None:
        click.echo(_("The audit chain is intact."))
        return
    broken = report.first_break
    raise click.ClickException(
        _(
            "The audit chain is broken at position %(position)d (event %(event_id)s): %(reason)s",
            position=broken.position,
            event_id=broken.event_id,
            reason=_break_reason(broken.kind),
        )
    )


def _break_reason(kind: BreakKind) -> str:
    reasons = {
        BreakKind.gap: _("the events before it are missing or were moved"),
        BreakKind.changed: _("its content was changed after it was sealed"),
        BreakKind.link: _("it does not follow the event before it (reordered or forked)"),
    }
    return reasons[kind]
