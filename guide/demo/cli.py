"""``flask demo``: fictional demo data."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from guide.demo.data import load_demo_data

demo_cli = AppGroup("demo", help="Fictional demo organisation.")


@demo_cli.command("load")
def load_command() -> None:
    """Load the demo organisation once; prints the demo accounts and their passwords."""
    accounts = load_demo_data()
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
    click.secho(_("Demo accounts (fictional data; passwords are shown only this once):"), bold=True)
    width = max(len(account.email) for account in accounts)
    for account in accounts:
        click.echo(f"  {account.role:<13} {account.email:<{width}}  {account.password}")
