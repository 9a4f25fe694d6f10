"""``flask db``: schema upgrades through Alembic, the only way the schema changes."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from guide.crypto.checks import refusal
from guide.startup import bind_keyring_to_database

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


def _schema():
    """guide.schema, imported on use: Alembic costs every web worker ~10 MB it never needs."""
    from guide import schema

    return schema


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    schema = _schema()
    schema.upgrade(revision)
    click.echo(_("The database is at revision %(revision)s.", revision=schema.current()))
    # On a new database this is the first moment the keyring can be bound to it.
    problems = bind_keyring_to_database(current_app)
    if problems:
        raise click.ClickException(refusal(problems))


# A relative step ("-1") is a revision here, not an option.
@db_cli.command("downgrade", context_settings={"ignore_unknown_options": True})
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Migrate the database down to REVISION: a revision id, -1 for one step, or base."""
    schema = _schema()
    schema.downgrade(revision)
    click.echo(_("The database is at revision %(revision)s.", revision=schema.current() or "base"))


@db_cli.command("current")
def current() -> None:
    """Show the revision the database is at, and whether it is the newest."""
    schema = _schema()
    revision = schema.current()
    if revision is None:
        click.echo(_("The database has no schema yet. Run: flask db upgrade"))
    elif revision == schema.head():
        click.echo(_("%(revision)s (newest)", revision=revision))
    else:
        click.echo(
            _(
                "%(revision)s; the newest is %(head)s. Run: flask db upgrade",
                revision=revision,
                head=schema.head(),
            )
        )


@db_cli.command("check")
def check() -> None:
    """Exit non-zero when the models and the migrated database differ."""
    schema = _schema()
    revision = schema.current()
    if revision != schema.head():
        raise click.ClickException(
            _(
                "The database is at %(revision)s, not at the newest revision %(head)s.",
                revision=revision or "base",
                head=schema.head(),
            )
        )
    differences = schema.pending_differences()
    if differences:
        for difference in differences:
            click.echo(repr(difference), err=True)
        raise click.ClickException(
            _(
                "The models and the migrations differ in %(count)d places: write a migration "
                "(flask db revision MESSAGE) and review it.",
                count=len(differences),
            )
        )
    click.echo(_("The models and the migrations agree."))


@db_cli.command("revision")
@click.argument("message")
def revision(message: str) -> None:
    """Write a new migration from the model changes, to be read and edited by hand."""
    schema = _schema()
    path = schema.new_revision(message)
    click.echo(_("Wrote %(path)s. Read it and edit it before committing it.", path=path))
