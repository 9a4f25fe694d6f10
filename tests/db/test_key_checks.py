"""The keyring proves it belongs to the database: check values, start-up, /healthz, the CLI."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select, update

from guide import create_app
from guide.cases.models import Child
from guide.crypto.binding import bind_keyring, recorded_checks
from guide.crypto.checks import INDEX_KEY_ID, KeyPurpose, check_value, expected_checks
from guide.crypto.cipher import BlindIndex, FieldCipher, key_id_of
from guide.crypto.keyring import Keyring, write_keyring_file
from guide.crypto.models import KeyCheck
from guide.extensions import db as _db
from guide.startup import StartupError
from tests import factories
from tests.conftest import (
    TEST_KEYRING,
    TemporaryPostgresDatabase,
    settings_for_tests,
    uses_postgresql,
)

RUN_KEYRING = Keyring.from_json(TEST_KEYRING)
WHAT_TO_DO = "Start with the keyring this database was created with"


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the suite's kind."""
    if uses_postgresql():
        with TemporaryPostgresDatabase() as url:
            yield url
        return
    yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"


@pytest.fixture
def recorded(db, make_app) -> dict:
    """The shared database after an app with the run's keyring started on it once."""
    make_app()
    return stored_checks(db)


def stored_checks(db) -> dict:
    """The check values as stored now (in a new transaction, so other apps' writes show)."""
    db.session.rollback()
    return recorded_checks(db.session)


def other_key() -> bytes:
    return secrets.token_bytes(32)


def same_id_other_key() -> Keyring:
    """The run's key id and index key with another data key: another installation's file."""
    return Keyring(
        active_key_id=RUN_KEYRING.active_key_id,
        keys={RUN_KEYRING.active_key_id: other_key()},
        index_key=RUN_KEYRING.index_key,
    )


def inline(keyring: Keyring) -> str:
    return keyring.to_json()


def refusal_on_start(make_app, keyring: Keyring) -> str:
    with pytest.raises(StartupError) as caught:
        make_app(keyring=inline(keyring))
    message = str(caught.value)
    assert WHAT_TO_DO in message
    assert "docs/keys.md" in message
    assert_no_key_material(message, keyring, RUN_KEYRING)
    return message


def assert_no_key_material(text: str, *keyrings: Keyring) -> None:
    for keyring in keyrings:
        for key in [*keyring.keys.values(), keyring.index_key]:
            assert base64.b64encode(key).decode() not in text
            assert key.hex() not in text


def keys(application, *args: str):
    """``flask keys ...`` in English, on ``application``."""
    with application.app_context(), force_locale("en"):
        return application.test_cli_runner().invoke(args=["keys", *args])


def test_a_fresh_database_gets_its_check_values_when_it_is_migrated(fresh_database_url):
    application = create_app(settings_for_tests(fresh_database_url))  # no tables yet: starts
    try:
        migrated = application.test_cli_runner().invoke(args=["db", "upgrade"])
        assert migrated.exit_code == 0, migrated.output
        with application.app_context():
            stored = _db.session.scalars(select(KeyCheck)).all()
            assert {(row.purpose, row.key_id): row.check_value for row in stored} == {
                (KeyPurpose.data, RUN_KEYRING.active_key_id): check_value(
                    RUN_KEYRING.active_key, KeyPurpose.data
                ),
                (KeyPurpose.index, INDEX_KEY_ID): check_value(
                    RUN_KEYRING.index_key, KeyPurpose.index
                ),
            }
            assert all(row.created_at is not None for row in stored)
            assert_no_key_material(" ".join(row.check_value for row in stored), RUN_KEYRING)
            _db.session.remove()
        # The next start finds them matching and adds nothing.
        again = create_app(settings_for_tests(fresh_database_url))
        with again.app_context():
            assert len(_db.session.scalars(select(KeyCheck)).all()) == 2
            _db.session.remove()
            _db.engine.dispose()
        stranger = settings_for_tests(fresh_database_url, keyring=inline(Keyring.generate()))
        with pytest.raises(StartupError, match=RUN_KEYRING.active_key_id):
            create_app(stranger)
    finally:
        with application.app_context():
            _db.engine.dispose()


def test_the_first_start_on_a_migrated_database_records_every_key(recorded):
    assert recorded == expected_checks(RUN_KEYRING)


def test_a_wrong_keyring_is_refused_at_start_up(recorded, make_app):
    message = refusal_on_start(make_app, Keyring.generate())
    assert f"used with key {RUN_KEYRING.active_key_id!r}, which this keyring lacks" in message
    assert "The index key in this keyring is not the one" in message


def test_a_swapped_key_file_with_the_same_ids_is_refused_at_start_up(recorded, make_app):
    # Both keyrings call their key by the same id, as two installations once both said "k1".
    message = refusal_on_start(make_app, same_id_other_key())
    assert f"Key {RUN_KEYRING.active_key_id!r} in this keyring is not the key" in message
    assert "index key" not in message


def test_a_swapped_index_key_is_refused_at_start_up(recorded, make_app):
    swapped = Keyring(
        active_key_id=RUN_KEYRING.active_key_id, keys=RUN_KEYRING.keys, index_key=other_key()
    )
    message = refusal_on_start(make_app, swapped)
    assert "The index key in this keyring is not the one" in message


def test_a_missing_key_is_refused_at_start_up(db, recorded, make_app):
    # A key was added and used; then the keyring lost the old one without `flask keys drop`.
    rotated = RUN_KEYRING.with_new_active_key()
    make_app(keyring=inline(rotated))
    assert set(stored_checks(db)) == set(expected_checks(rotated))
    old = RUN_KEYRING.active_key_id
    message = refusal_on_start(make_app, rotated.without_key(old))
    assert f"used with key {old!r}, which this keyring lacks" in message
    assert f"flask keys drop {old}" in message


def test_the_keyring_that_recorded_the_values_starts_again(recorded, make_app):
    assert make_app() is not None


def test_keys_the_database_has_not_seen_are_recorded_at_start_up(db, recorded, make_app):
    grown = RUN_KEYRING.with_new_active_key()
    make_app(keyring=inline(grown))
    assert stored_checks(db) == expected_checks(grown)


def test_a_database_from_before_check_values_is_proven_before_they_are_recorded(db, make_app):
    """A restored database with sealed values and no check values yet: the values must open."""
    factories.child_case(factories.organisation())
    db.session.commit()
    assert stored_checks(db) == {}
    message = refusal_on_start(make_app, same_id_other_key())
    assert f"sealed with key {RUN_KEYRING.active_key_id!r} does not open" in message
    message = refusal_on_start(make_app, Keyring.generate())
    assert f"sealed with key {RUN_KEYRING.active_key_id!r}, which this keyring lacks" in message
    assert stored_checks(db) == {}  # nothing recorded for a keyring that was refused

    make_app()
    assert stored_checks(db) == expected_checks(RUN_KEYRING)


def test_a_database_not_yet_migrated_does_not_stop_start_up(fresh_database_url):
    application = create_app(settings_for_tests(fresh_database_url))
    with application.app_context():
        _db.engine.dispose()


def test_a_health_check_answers_ok_when_the_keyring_matches(recorded, make_app):
    response = make_app().test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_health_check_answers_503_when_a_check_value_changes_under_a_running_app(
    db, recorded, make_app, caplog
):
    running = make_app()
    client = running.test_client()
    assert client.get("/healthz").status_code == 200

    active = RUN_KEYRING.active_key_id
    db.session.execute(
        update(KeyCheck)
        .where(KeyCheck.key_id == active)
        .values(check_value=check_value(other_key(), KeyPurpose.data))
    )
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {
        "status": "keyring_mismatch",
        "problems": [{"check": "different_key", "key_id": active}],
    }
    assert active in caplog.text
    assert_no_key_material(response.text + caplog.text, RUN_KEYRING)


def test_health_check_answers_503_when_the_keyring_is_swapped_under_a_running_app(
    recorded, make_app
):
    running = make_app()
    client = running.test_client()
    assert client.get("/healthz").status_code == 200

    stranger = Keyring.generate()
    running.extensions["fritidsguide.cipher"] = FieldCipher(stranger)
    running.extensions["fritidsguide.blind_index"] = BlindIndex(stranger.index_key)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "keyring_mismatch"
    assert {"check": "key_missing", "key_id": RUN_KEYRING.active_key_id} in response.json[
        "problems"
    ]
    assert {"check": "different_key", "key_id": INDEX_KEY_ID} in response.json["problems"]
    assert_no_key_material(response.text, RUN_KEYRING, stranger)

    running.extensions["fritidsguide.cipher"] = FieldCipher(RUN_KEYRING)
    running.extensions["fritidsguide.blind_index"] = BlindIndex(RUN_KEYRING.index_key)
    assert client.get("/healthz").status_code == 200


def test_keys_status_confirms_a_matching_keyring(recorded, make_app):
    result = keys(make_app(), "status")
    assert result.exit_code == 0, result.output
    assert "The keyring matches this database's check values." in result.output


def test_keys_status_exits_non_zero_with_the_message_for_a_swapped_keyring(db, recorded, make_app):
    factories.child_case(factories.organisation())
    db.session.commit()
    running = make_app()
    swapped = same_id_other_key()
    running.extensions["fritidsguide.cipher"] = FieldCipher(swapped)
    result = keys(running, "status")
    assert result.exit_code != 0
    assert f"Key {RUN_KEYRING.active_key_id!r} in this keyring is not the key" in result.output
    assert f"sealed with key {RUN_KEYRING.active_key_id!r} does not open" in result.output
    assert WHAT_TO_DO in result.output
    assert "Every stored value uses the active key" not in result.output
    assert_no_key_material(result.output, RUN_KEYRING, swapped)


def test_keys_commands_change_nothing_with_a_keyring_the_database_does_not_know(
    db, recorded, make_app
):
    running = make_app()
    running.extensions["fritidsguide.cipher"] = FieldCipher(Keyring.generate())
    for args in (["rotate"], ["forget", RUN_KEYRING.active_key_id]):
        result = keys(running, *args)
        assert result.exit_code != 0
        assert WHAT_TO_DO in result.output
    assert stored_checks(db) == recorded


def test_key_lifecycle_keeps_the_check_values_in_step(db, make_app, tmp_path):
    path = tmp_path / "keyring.json"
    first = Keyring.generate()
    write_keyring_file(path, first)
    running = make_app(keyring=str(path))
    assert stored_checks(db) == expected_checks(first)

    added = keys(running, "new")
    assert added.exit_code == 0, added.output
    second = json.loads(path.read_text())["active"]
    assert f"Recorded the check value of key {second}" in added.output
    assert (KeyPurpose.data, second) in stored_checks(db)

    assert keys(running, "rotate").exit_code == 0
    dropped = keys(running, "drop", first.active_key_id)
    assert dropped.exit_code == 0, dropped.output
    assert (KeyPurpose.data, first.active_key_id) not in stored_checks(db)
    assert make_app(keyring=str(path)) is not None  # starts with the smaller keyring

    # An old copy of the keyring file is no longer this database's keyring.
    message = refusal_on_start(make_app, first)
    assert f"used with key {second!r}, which this keyring lacks" in message


def test_an_inline_keyring_retires_a_key_with_forget(db, recorded, make_app):
    grown = RUN_KEYRING.with_new_active_key()
    running = make_app(keyring=inline(grown))
    old = RUN_KEYRING.active_key_id
    smaller = grown.without_key(old)
    refusal_on_start(make_app, smaller)  # removed from the JSON too early

    explained = keys(running, "drop", old)
    assert explained.exit_code != 0
    assert f"flask keys forget {old}" in explained.output
    forgotten = keys(running, "forget", old)
    assert forgotten.exit_code == 0, forgotten.output
    assert (KeyPurpose.data, old) not in stored_checks(db)
    assert make_app(keyring=inline(smaller)) is not None


def test_forget_refuses_while_values_still_use_the_key(db, recorded, make_app):
    factories.child_case(factories.organisation())
    db.session.commit()
    running = make_app(keyring=inline(RUN_KEYRING.with_new_active_key()))
    old = RUN_KEYRING.active_key_id
    result = keys(running, "forget", old)
    assert result.exit_code != 0
    assert "still use it" in result.output
    assert (KeyPurpose.data, old) in stored_checks(db)


def test_two_processes_recording_different_keyrings_at_once_leave_one_refused(
    db, recorded, monkeypatch: pytest.MonkeyPatch
):
    """Both read "nothing recorded" before either wrote: the later one's re-read catches it."""
    import guide.crypto.binding as binding

    real = binding.recorded_checks
    reads: list[int] = []

    def stale_until_written(executor):
        reads.append(1)
        return {} if len(reads) <= 2 else real(executor)

    monkeypatch.setattr(binding, "recorded_checks", stale_until_written)
    with _db.engine.connect() as connection:  # start-up commits only when nothing is wrong
        problems = bind_keyring(connection, Keyring.generate())
    assert {problem.key_id for problem in problems} == {RUN_KEYRING.active_key_id, INDEX_KEY_ID}
    monkeypatch.undo()
    assert stored_checks(db) == recorded


def test_stored_values_name_the_random_key_id(db):
    case = factories.child_case(factories.organisation())
    db.session.commit()
    sealed = db.session.scalar(
        select(Child.__table__.c.first_name).where(Child.id == case.child.id)
    )
    assert key_id_of(sealed) == RUN_KEYRING.active_key_id
    assert RUN_KEYRING.active_key_id.startswith("k-")
