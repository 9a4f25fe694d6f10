"""``flask demo``: fictional demo data."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _

from guide.accounts.invitation_forms import ROLE_LABELS
from guide.demo.data import DemoAccount, load_demo_data
from guide.reports.labels import REFERRER_KIND_LABELS
from guide.roles import Role

demo_cli = AppGroup("demo", help="Fictional demo organisation.")


@demo_cli.command("load")
@click.option(
    "--language",
    default=None,
    help="The language of what is printed (nb, nn, en); the app's default language if not given.",
)
def load_command(language: str | None) -> None:
    """Load the demo organisation once; prints the demo accounts and their passwords."""
    settings = current_app.extensions["fritidsguide.settings"]
    language = language or settings.default_locale
    if language not in settings.locales:
        raise click.BadParameter(", ".join(settings.locales), param_hint="--language")
    accounts = load_demo_data()
    with force_locale(language):
        if not accounts:
            click.echo(
                _(
                    "Demo data is already loaded; nothing changed. "
                    "Passwords were shown when it was loaded."
                )
            )
            click.echo(
                _("To start over, delete instance/fritidsguide.sqlite3 and run `make run` again.")
            )
            return
        click.secho(
            _("Demo accounts (fictional data; passwords are shown only this once):"), bold=True
        )
        for line in account_lines(accounts):
            click.echo("  " + line)


def role_text(account: DemoAccount) -> str:
    """The account's role in the current language, with its referrer type or club."""
    if account.role == Role.referrer and account.referrer_kind is not None:
        return _("Referrer") + f" ({REFERRER_KIND_LABELS[account.referrer_kind]})"
    label = str(ROLE_LABELS[account.role.value])
    return f"{label} ({account.club_name})" if account.club_name else label


def account_lines(accounts: list[DemoAccount]) -> list[str]:
    """One aligned line per account: name, role, e-mail address, password; a heading first."""
    rows = [(_("Name"), _("Role"), _("E-mail address"), _("Password"))]
    rows += [(a.full_name, role_text(a), a.email, a.password) for a in accounts]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    ]
