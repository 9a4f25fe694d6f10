"""``flask policy``: print the roles × permissions table that docs/roles.md holds."""

from __future__ import annotations

import click

from guide.policy import markdown_table, roles_document


@click.group("policy", help="The authorisation policy (guide/policy.py).")
def policy_cli() -> None:
    pass


@policy_cli.command("table")
@click.option(
    "--document", is_flag=True, help="Print the whole of docs/roles.md, not just the table."
)
def table(document: bool) -> None:
    """Print the roles × permissions table as Markdown."""
    click.echo(roles_document() if document else markdown_table(), nl=False)
