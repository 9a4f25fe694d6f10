"""Key rotation over the real schema: resumable re-sealing, key usage and `flask keys`."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import secrets
import stat
from collections import Counter
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select, update

import guide.crypto.rotation as rotation
from consent import Category
from guide.cases.models import Child, Guardian, GuardianRelation
from guide.consents.models import (
    Consent,
    ConsentBasis,
    ConsentMethod,
    RecipientKind,
)
from guide.crypto.cipher import BlindIndex, FieldCipher, key_id_of
from guide.crypto.fields import ENCRYPTED_FIELDS
from guide.crypto.keyring import Keyring, load_keyring, write_keyring_file
from guide.crypto.rotation import key_usage, reencrypt_all
from guide.tenant import Organisation, OrganisationKind

FAMILIES = 5
APP_STATE = ("fritidsguide.cipher", "fritidsguide.blind_index", "fritidsguide.settings")


@pytest.fixture
def restore_keyring(app):
    """The app is shared by the whole session: put its keyring and settings back afterwards."""
    saved = {name: app.extensions[name] for name in APP_STATE}
    yield
    app.extensions.update(saved)


@pytest.fixture
def k1(app, restore_keyring) -> Keyring:
    """A fresh keyring with only k1 (an id as tools made them before), used by the app."""
    keyring = Keyring(
        active_key_id="k1", keys={"k1": secrets.token_bytes(32)}, index_key=secrets.token_bytes(32)
    )
    use_keyring(app, keyring)
    return keyring


@pytest.fixture
def keyring_file(app, k1: Keyring, tmp_path: Path) -> Path:
    """The app's keyring written to a file (mode 0600) that its settings name."""
    path = tmp_path / "keyring.json"
    write_keyring_file(path, k1)
    settings = app.extensions["fritidsguide.settings"]
    app.extensions["fritidsguide.settings"] = dataclasses.replace(settings, keyring=str(path))
    return path


def use_keyring(app, keyring: Keyring) -> None:
    app.extensions["fritidsguide.cipher"] = FieldCipher(keyring)
    app.extensions["fritidsguide.blind_index"] = BlindIndex(keyring.index_key)


def add_families(db, count: int = FAMILIES) -> None:
    """Children with a guardian each; every other child has a consent with a scanned form."""
    organisation = Organisation(name="Frivilligsentralen Test", kind=OrganisationKind.municipality)
    db.session.add(organisation)
    db.session.flush()
    for number in range(count):
        child = Child(
            organisation_id=organisation.id,
            first_name=f"Barn {number} 😀",
            last_name="Nordmann-Ødegård",
            birth_date=f"2015-04-{number + 1:02d}",
            national_id=None if number % 2 else f"0104157{number:04d}",
        )
        guardian = Guardian(
            organisation_id=organisation.id,
            child=child,
            full_name=f"Forelder {number}",
            phone=f"+47 400 00 {number:03d}",
            address=None,
            relation=GuardianRelation.father,
        )
        db.session.add_all([child, guardian])
        if number % 2 == 0:
            db.session.add(
                Consent(
                    organisation_id=organisation.id,
                    child=child,
                    guardian=guardian,
                    given_by_name=f"Forelder {number}",
                    given_by_relation="father",
                    basis=ConsentBasis.parental_responsibility,
                    purpose="Fritidsguide",
                    categories=[Category.IDENTITY.value],
                    recipient_kind=RecipientKind.scheme,
                    method=ConsentMethod.signed_paper,
                    scan=bytes([number]) * 3000 + b"\x00scan",
                    text_version="2026-01",
                    text_language="nb",
                    text_sha256="0" * 64,
                    given_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
                )
            )
    db.session.commit()


def registered_columns():
    for field in ENCRYPTED_FIELDS:
        yield field, field.owner.__table__.c[field.name]


def plain_values(db) -> dict[tuple[str, str, str], object]:
    """Every encrypted value in the database, decrypted through the models with today's keys."""
    db.session.expire_all()
    values = {}
    for field, _column in registered_columns():
        for row in db.session.scalars(select(field.owner)):
            values[(field.table, field.name, str(row.id))] = getattr(row, field.name)
    return values


def stored_key_ids(db) -> dict[str, Counter]:
    """Key ids of the raw stored values per table, read without the rotation module."""
    counts: dict[str, Counter] = {}
    for field, column in registered_columns():
        blobs = db.session.execute(select(column).where(column.is_not(None))).scalars()
        counts.setdefault(field.table, Counter()).update(key_id_of(blob) for blob in blobs)
    return {table: counter for table, counter in counts.items() if counter}


def all_key_ids(db) -> set[str]:
    return {key_id for counter in stored_key_ids(db).values() for key_id in counter}


def test_families_are_sealed_under_the_first_key(db, k1: Keyring) -> None:
    add_families(db)
    assert all_key_ids(db) == {"k1"}
    usage = key_usage()
    assert usage["children.first_name"] == {"k1": FAMILIES}
    assert usage["guardians.phone"] == {"k1": FAMILIES}
    assert usage["guardians.address"] == {}
    assert usage["consents.scan"] == {"k1": 3}
    assert usage["children.national_id"] == {"k1": 3}


def test_interrupted_rotation_leaves_a_readable_mix_and_a_rerun_finishes_it(
    app, db, k1: Keyring
) -> None:
    add_families(db)
    before = plain_values(db)
    assert len(before) > 3 * FAMILIES
    rotated = k1.with_new_active_key("k2")
    use_keyring(app, rotated)

    partial = reencrypt_all(batch_size=2, stop_after_batches=1)
    assert not partial.finished
    assert (partial.batches, partial.total_rows_updated) == (1, 2)
    db.session.commit()
    mixed = stored_key_ids(db)
    assert mixed["children"]["k2"] > 0
    assert mixed["children"]["k1"] > 0
    assert set(mixed["guardians"]) == {"k1"}
    assert plain_values(db) == before

    finished = reencrypt_all(batch_size=2)
    assert finished.finished
    assert finished.rows_updated["children"] == FAMILIES - 2
    assert finished.rows_updated["guardians"] == FAMILIES
    assert finished.rows_updated["consents"] == 3
    db.session.commit()
    assert all_key_ids(db) == {"k2"}
    usage = key_usage()
    assert {key_id for counts in usage.values() for key_id in counts} == {"k2"}
    assert usage["children.first_name"] == {"k2": FAMILIES}
    assert plain_values(db) == before

    # The old key is no longer needed to read anything.
    use_keyring(app, rotated.without_key("k1"))
    assert plain_values(db) == before


def test_rows_already_on_the_active_key_are_left_alone(app, db, k1: Keyring) -> None:
    add_families(db)
    children = Child.__table__
    first_names = dict(db.session.execute(select(children.c.id, children.c.first_name)).all())
    report = reencrypt_all()
    assert report.finished
    assert report.total_rows_updated == 0
    db.session.commit()
    assert dict(db.session.execute(select(children.c.id, children.c.first_name)).all()) == (
        first_names
    )


def test_rotation_never_overwrites_a_value_a_request_changed_meanwhile(
    app, db, k1: Keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_families(db, count=1)
    child_id = db.session.scalars(select(Child.id)).one()
    use_keyring(app, k1.with_new_active_key("k2"))
    reseal_row = rotation._reseal_row

    def request_writes_between_read_and_update(table, columns, row, cipher):
        change = reseal_row(table, columns, row, cipher)
        if table.name == "children":
            # A request saves a corrected name (sealed with the active key) at this moment.
            sealed = cipher.encrypt(
                "Rettet Navn", table="children", column="first_name", row_id=str(row.id)
            )
            db.session.execute(update(table).where(table.c.id == row.id).values(first_name=sealed))
        return change

    monkeypatch.setattr(rotation, "_reseal_row", request_writes_between_read_and_update)
    reencrypt_all()
    db.session.commit()
    child = plain_values(db)
    assert child[("children", "first_name", str(child_id))] == "Rettet Navn"
    # The skipped row still uses k1 in its other columns; a rerun completes it.
    assert "k1" in stored_key_ids(db)["children"]
    monkeypatch.setattr(rotation, "_reseal_row", reseal_row)
    reencrypt_all()
    db.session.commit()
    assert all_key_ids(db) == {"k2"}
    assert plain_values(db)[("children", "first_name", str(child_id))] == "Rettet Navn"


def test_batch_size_must_be_positive(db, k1: Keyring) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        reencrypt_all(batch_size=0)


def keys(app, *args: str):
    """Run ``flask keys ...`` in English (the messages' source text; operators get bokmål)."""
    with force_locale("en"):
        return app.test_cli_runner().invoke(args=["keys", *args])


def assert_no_key_material(output: str, *keyrings: Keyring) -> None:
    for keyring in keyrings:
        for key in [*keyring.keys.values(), keyring.index_key]:
            assert base64.b64encode(key).decode() not in output
            assert key.hex() not in output


def test_status_counts_values_per_key_without_showing_keys(app, db, k1: Keyring) -> None:
    add_families(db)
    result = keys(app, "status")
    assert result.exit_code == 0, result.output
    assert "k1" in result.output
    assert "children.first_name" in result.output
    assert f"k1: {FAMILIES}" in result.output
    assert "inline" in result.output
    assert_no_key_material(result.output, k1)


def test_new_and_drop_explain_how_to_change_an_inline_keyring(app, db, k1: Keyring) -> None:
    for args in (["new"], ["drop", "k1"]):
        result = keys(app, *args)
        assert result.exit_code != 0
        assert "FRITIDSGUIDE_KEYRING" in result.output
        assert "docs/keys.md" in result.output
    assert app.extensions["fritidsguide.cipher"].keyring == k1


def test_key_lifecycle_through_the_cli(app, db, k1: Keyring, keyring_file: Path) -> None:
    add_families(db)
    before = plain_values(db)

    added = keys(app, "new")
    assert added.exit_code == 0, added.output
    assert stat.S_IMODE(keyring_file.stat().st_mode) == 0o600
    on_disk = load_keyring(str(keyring_file))
    k2 = on_disk.active_key_id
    assert k2 in added.output
    assert k2 != "k1"
    assert on_disk.keys["k1"] == k1.keys["k1"]
    assert app.extensions["fritidsguide.cipher"].keyring == on_disk
    assert_no_key_material(added.output, on_disk)

    refused = keys(app, "drop", "k1")
    assert refused.exit_code != 0
    assert "still use it" in refused.output
    assert "k1" in load_keyring(str(keyring_file)).keys

    rotated = keys(app, "rotate", "--batch-size", "2")
    assert rotated.exit_code == 0, rotated.output
    assert "children" in rotated.output
    assert "guardians" in rotated.output
    assert f"no stored value uses any key id other than {k2}" in rotated.output
    db.session.commit()
    assert all_key_ids(db) == {k2}

    dropped = keys(app, "drop", "k1")
    assert dropped.exit_code == 0, dropped.output
    assert set(json.loads(keyring_file.read_text())["keys"]) == {k2}
    assert stat.S_IMODE(keyring_file.stat().st_mode) == 0o600
    assert set(app.extensions["fritidsguide.cipher"].keyring.keys) == {k2}
    assert plain_values(db) == before
    assert_no_key_material(added.output + refused.output + rotated.output + dropped.output, on_disk)


def test_drop_refuses_the_active_key(app, db, keyring_file: Path) -> None:
    result = keys(app, "drop", "k1")
    assert result.exit_code != 0
    assert "active key cannot be dropped" in result.output
    assert "k1" in load_keyring(str(keyring_file)).keys


def test_rotate_fails_while_a_value_uses_a_key_it_cannot_replace(
    app, db, k1: Keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A process that was not restarted keeps writing with k1 after the rotation walked past.
    add_families(db, count=1)
    use_keyring(app, k1.with_new_active_key("k2"))
    monkeypatch.setattr("guide.crypto.cli.reencrypt_all", lambda **_: rotation.RotationReport("k2"))
    result = keys(app, "rotate")
    assert result.exit_code != 0
    assert "k1" in result.output
    assert "Restart every app process" in result.output


def test_status_warns_about_values_no_key_in_the_keyring_can_open(app, db, k1: Keyring) -> None:
    add_families(db, count=1)
    stranger = Keyring(
        active_key_id="k2", keys={"k2": secrets.token_bytes(32)}, index_key=k1.index_key
    )
    use_keyring(app, stranger)
    result = keys(app, "status")
    assert "WARNING" in result.output
    assert "cannot be read: k1" in result.output
    assert_no_key_material(result.output, k1, stranger)


def test_rotate_stops_cleanly_at_a_value_no_key_can_open(app, db, k1: Keyring) -> None:
    add_families(db, count=1)
    use_keyring(
        app,
        Keyring(active_key_id="k2", keys={"k2": secrets.token_bytes(32)}, index_key=k1.index_key),
    )
    result = keys(app, "rotate")
    assert result.exit_code != 0
    assert "Rotation stopped" in result.output
    assert "'k1'" in result.output
    assert "Traceback" not in result.output
    assert all_key_ids(db) == {"k1"}
