"""Benchmark data (fictional): fill an empty database with one organisation, and sample it.

    python -m bench.data generate --cases 1000 --seed 1 --accounts-file instance/bench/a.json
    python -m bench.data sample --out instance/bench/targets.json

Run from the repository's root. Both build the app from the environment, as
``flask --app guide`` does (``FRITIDSGUIDE_*`` settings, ``DATABASE_URL``). This is not a
command of the installed app: it writes fictional people and known passwords into whatever
database the settings name, so it lives with the bench, outside the package.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import func, select

from bench.sampling import sample_targets
from guide import create_app
from guide.demo.history import (
    BenchAccount,
    dumps_accounts,
    generate_organisation,
    iter_counts,
    new_bench_accounts,
)
from guide.extensions import db
from guide.schema import upgrade
from guide.tenant import Organisation


def _write_private(path: Path, content: str) -> None:
    """Write a file only its owner can read: it holds passwords and TOTP secrets."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(content)


def _accounts_from(path: Path | None) -> list[BenchAccount]:
    if path is not None and path.exists():
        return [BenchAccount(**item) for item in json.loads(path.read_text(encoding="utf-8"))]
    accounts = new_bench_accounts()
    if path is not None:
        _write_private(path, dumps_accounts(accounts))
    return accounts


@click.group()
@click.pass_context
def cli(context: click.Context) -> None:
    """Benchmark data (fictional)."""
    # Tests pass their own app as the context object.
    if context.obj is None:
        context.obj = create_app()


@cli.command("generate")
@click.option("--cases", type=click.IntRange(min=1), required=True, help="How many cases.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@click.option(
    "--accounts-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file with the bench accounts; created (mode 0600) if it does not exist.",
)
@click.option("--migrate/--no-migrate", default=True, help="Migrate the database first.")
@click.pass_obj
def generate_command(
    app: Flask, cases: int, seed: int, accounts_file: Path | None, migrate: bool
) -> None:
    """Fill an empty database with one fictional organisation of CASES cases."""
    with app.app_context():
        if migrate:
            upgrade()
        if db.session.scalar(select(func.count()).select_from(Organisation)):
            raise click.ClickException(
                "This database already holds an organisation. The generator only fills an "
                "empty database: point DATABASE_URL at a new one."
            )
        db.session.remove()
        accounts = _accounts_from(accounts_file)

        def progress(done: int) -> None:
            if done % 10_000 == 0 or done == cases:
                click.echo(f"  {done:>7} / {cases} cases", err=True)

        result = generate_organisation(cases=cases, seed=seed, accounts=accounts, progress=progress)
    click.echo(f"Generated {cases} cases (seed {seed}) in {result.seconds:.1f} s:")
    for line in iter_counts(result.counts):
        click.echo(f"  {line}")
    if accounts_file is None:
        click.echo("Bench accounts (fictional organisation; keep out of any real database):")
        for account in accounts:
            click.echo(f"  {account.role:<12} {account.email}  {account.password}")


@cli.command("sample")
@click.option("--count", type=click.IntRange(min=1), default=200, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_obj
def sample_command(app: Flask, count: int, out: Path) -> None:
    """Write case ids and name + birth date triples for the load tests to OUT (mode 0600)."""
    with app.app_context():
        targets = sample_targets(count=count)
    _write_private(out, json.dumps(targets, indent=1))
    click.echo(f"Wrote {count} targets to {out}")


if __name__ == "__main__":
    cli()
