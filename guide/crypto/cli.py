"""``flask keys``: key status, rotation and retirement.

``python -m guide.crypto.cli`` prints a new keyring without needing a configured app
(the ``flask`` commands need one, and the app refuses to start without a keyring).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from guide.crypto.binding import (
    forget_check,
    keyring_problems,
    record_missing_checks,
    sample_problems,
)
from guide.crypto.checks import KeyProblem, Mismatch, refusal
from guide.crypto.cipher import BlindIndex, DecryptionError, FieldCipher
from guide.crypto.keyring import (
    Keyring,
    KeyringError,
    keyring_file_path,
    write_keyring_file,
)
from guide.crypto.rotation import key_usage, reencrypt_all, rows_using_key
from guide.extensions import db

keys_cli = AppGroup("keys", help="Encryption keys: status, rotation, retirement.")


def _current_keyring() -> Keyring:
    return current_app.extensions["fritidsguide.cipher"].keyring


def _keyring_file() -> Path | None:
    """The keyring file the settings name, or None when the keyring is inline JSON."""
    return keyring_file_path(current_app.extensions["fritidsguide.settings"].keyring)


def _use_keyring(keyring: Keyring) -> None:
    # Later commands in this process must see the change, as a new process would.
    current_app.extensions["fritidsguide.cipher"] = FieldCipher(keyring)
    current_app.extensions["fritidsguide.blind_index"] = BlindIndex(keyring.index_key)


def _refuse_a_foreign_keyring(keyring: Keyring) -> None:
    """Stop before a command changes anything with a keyring the database does not know."""
    problems = keyring_problems(db.session, keyring)
    if problems:
        raise click.ClickException(refusal(problems))


def _record_checks(keyring: Keyring) -> None:
    """Record the check value of every key the database does not know yet; one commit."""
    for _purpose, key_id in record_missing_checks(db.session, keyring):
        click.echo(_("Recorded the check value of key %(key_id)s.", key_id=key_id))
    db.session.commit()


def _require_keyring_file(action: str) -> Path:
    path = _keyring_file()
    if path is None:
        raise click.ClickException(
            _(
                "The keyring is given inline in FRITIDSGUIDE_KEYRING, so this command cannot "
                "change it. To %(action)s, edit the JSON in that variable (see docs/keys.md), "
                "then restart every app process.",
                action=action,
            )
        )
    return path


@keys_cli.command("status")
def status() -> None:
    """Check the keyring against this database, and show which key ids the stored values use.

    Exits non-zero when the keyring does not belong to the database. Never prints key material.
    """
    keyring = _current_keyring()
    source = _keyring_file()
    click.echo(_("Active key: %(key_id)s", key_id=keyring.active_key_id))
    click.echo(_("Keys in the keyring: %(key_ids)s", key_ids=", ".join(sorted(keyring.keys))))
    click.echo(
        _("Keyring file: %(path)s", path=source)
        if source
        else _("Keyring: inline in FRITIDSGUIDE_KEYRING")
    )
    problems = set(keyring_problems(db.session, keyring)) | set(
        sample_problems(db.session, keyring)
    )
    usage = key_usage()
    width = max((len(name) for name in usage), default=0)
    for name, counts in usage.items():
        shown = ", ".join(f"{key_id}: {count}" for key_id, count in counts.items())
        click.echo(f"  {name.ljust(width)}  {shown or '-'}")
    in_use = {key_id for counts in usage.values() for key_id in counts}
    missing = sorted(in_use - set(keyring.keys))
    problems |= {KeyProblem(Mismatch.value_key_missing, key_id) for key_id in missing}
    if missing:
        click.echo(
            _(
                "WARNING: values sealed with key ids not in the keyring cannot be read: %(ids)s",
                ids=", ".join(missing),
            ),
            err=True,
        )
    if problems:
        raise click.ClickException(refusal(sorted(problems)))
    click.echo(_("The keyring matches this database's check values."))
    if in_use - {keyring.active_key_id}:
        click.echo(_("Some values use an older key: run `flask keys rotate`."))
    else:
        click.echo(_("Every stored value uses the active key."))


@keys_cli.command("new")
def new() -> None:
    """Add a fresh key to the keyring file and make it active."""
    path = _require_keyring_file(_("add a key"))
    current = _current_keyring()
    _refuse_a_foreign_keyring(current)
    keyring = current.with_new_active_key()
    # The file first: a check value recorded for a key no file holds would stop every start.
    write_keyring_file(path, keyring)
    _use_keyring(keyring)
    click.echo(_("Added key %(key_id)s and made it active.", key_id=keyring.active_key_id))
    _record_checks(keyring)
    click.echo(
        _(
            "Next: restart every app process so each one can read and write with the new key, "
            "back up the keyring file, then run `flask keys rotate`."
        )
    )


@keys_cli.command("rotate")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(min=1))
def rotate(batch_size: int) -> None:
    """Re-seal every value that uses an older key with the active key."""
    keyring = _current_keyring()
    _refuse_a_foreign_keyring(keyring)
    active = keyring.active_key_id
    click.echo(_("Re-sealing every value with key %(key_id)s.", key_id=active))

    def progress(table: str, rows: int) -> None:
        click.echo(_("  %(table)s: %(rows)s rows re-sealed so far", table=table, rows=rows))

    try:
        report = reencrypt_all(batch_size=batch_size, on_progress=progress)
    except DecryptionError as error:
        # Batches before this one are committed; the rest waits for the missing key.
        raise click.ClickException(
            _("Rotation stopped: %(error)s Nothing after this value was changed.", error=error)
        ) from None
    for table, rows in report.rows_updated.items():
        click.echo(_("%(table)s: %(rows)s rows re-sealed", table=table, rows=rows))
    # Recorded once the values open and are re-sealed, so a keyring that cannot read the
    # database never leaves its check values behind.
    _record_checks(keyring)
    others = sorted({key_id for counts in key_usage().values() for key_id in counts} - {active})
    if others:
        raise click.ClickException(
            _(
                "Some values still use key ids %(ids)s (written by a process that has not been "
                "restarted?). Restart every app process and run `flask keys rotate` again.",
                ids=", ".join(others),
            )
        )
    click.echo(_("Done: no stored value uses any key id other than %(key_id)s.", key_id=active))


@keys_cli.command("drop")
@click.argument("key_id")
def drop(key_id: str) -> None:
    """Remove a retired key from the keyring file once no value uses it."""
    path = _keyring_file()
    if path is None:
        raise click.ClickException(
            _(
                "The keyring is given inline in FRITIDSGUIDE_KEYRING, so this command cannot "
                "change it. To remove key %(key_id)s, run `flask keys forget %(key_id)s`, then "
                "remove the key from the JSON in that variable (see docs/keys.md) and restart "
                "every app process.",
                key_id=key_id,
            )
        )
    smaller = _retire(key_id)
    # The check value goes first: a key still in the file without one is recorded again at
    # the next start, while a check value without its key would stop every start.
    db.session.commit()
    write_keyring_file(path, smaller)
    _use_keyring(smaller)
    click.echo(_("Dropped key %(key_id)s from %(path)s.", key_id=key_id, path=path))
    click.echo(_("Restart every app process, and replace older backups of the keyring file."))


@keys_cli.command("forget")
@click.argument("key_id")
def forget(key_id: str) -> None:
    """Forget a retired key's check value once no value uses it (for an inline keyring)."""
    _retire(key_id)
    db.session.commit()
    click.echo(
        _(
            "This database no longer expects key %(key_id)s. Remove it from the keyring, "
            "then restart every app process.",
            key_id=key_id,
        )
    )


def _retire(key_id: str) -> Keyring:
    """The keyring without ``key_id``, once nothing needs it; its check value is deleted."""
    keyring = _current_keyring()
    _refuse_a_foreign_keyring(keyring)
    try:
        smaller = keyring.without_key(key_id)
    except KeyringError as error:
        raise click.ClickException(str(error)) from None
    remaining = rows_using_key(key_id)
    if remaining:
        raise click.ClickException(
            _(
                "Refusing to drop key %(key_id)s: %(count)s stored values still use it. "
                "Run `flask keys rotate` first.",
                key_id=key_id,
                count=remaining,
            )
        )
    forget_check(db.session, key_id)
    return smaller


@click.command("generate-keyring")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the keyring to this new file (mode 0600) instead of printing it.",
)
def generate_keyring(output: Path | None) -> None:
    """Print a new keyring (JSON) for FRITIDSGUIDE_KEYRING, or write it to a file."""
    keyring = Keyring.generate()
    if output is None:
        click.echo(keyring.to_json())
        return
    if output.exists():
        raise click.ClickException(
            _("%(path)s already exists; it was left untouched.", path=output)
        )
    write_keyring_file(output, keyring)
    click.echo(
        _("Wrote a new keyring to %(path)s (readable by its owner only).", path=output), err=True
    )


if __name__ == "__main__":
    generate_keyring()
