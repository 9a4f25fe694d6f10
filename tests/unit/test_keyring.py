"""The keyring: parsing, validation, changes, the key file, and the generator command."""

from __future__ import annotations

import base64
import json
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import guide.crypto.keyring as keyring_module
from guide.crypto.cli import generate_keyring
from guide.crypto.keyring import Keyring, KeyringError, load_keyring, write_keyring_file


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


KEY_A = secrets.token_bytes(32)
INDEX_KEY = secrets.token_bytes(32)


def keyring_json(**changes: object) -> str:
    data: dict[str, object] = {
        "active": "k1",
        "keys": {"k1": b64(KEY_A)},
        "index_key": b64(INDEX_KEY),
    }
    data.update(changes)
    return json.dumps(data)


def assert_no_key_material(message: str, *keys: bytes) -> None:
    for key in (KEY_A, INDEX_KEY, *keys):
        assert b64(key) not in message
        assert key.hex() not in message


def test_valid_keyring_loads() -> None:
    keyring = load_keyring(keyring_json())
    assert keyring.active_key_id == "k1"
    assert keyring.active_key == KEY_A
    assert keyring.index_key == INDEX_KEY


@pytest.mark.parametrize("source", ["", "   ", "\n"])
def test_missing_keyring_says_what_to_set(source: str) -> None:
    with pytest.raises(KeyringError, match="FRITIDSGUIDE_KEYRING"):
        load_keyring(source)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"active": "k1", "keys": []}', "must be a JSON object"),
        (keyring_json(active=None), 'no "active"'),
        (keyring_json(active="k9"), "active key id 'k9' is not in the keyring"),
        (keyring_json(keys={}), "active key id 'k1' is not in the keyring"),
        (keyring_json(keys={"k1": b64(KEY_A[:16])}), "16 bytes long; every key must be 32"),
        (keyring_json(keys={"k1": b64(KEY_A + b"x")}), "33 bytes long"),
        (keyring_json(index_key=b64(INDEX_KEY[:31])), "index key must be 32 bytes"),
        (keyring_json(keys={"k1": "not base64!"}), "key 'k1' is not valid base64"),
        (keyring_json(keys={"k1": 12345}), "key 'k1' must be a base64 string"),
        (keyring_json(index_key="%%%"), "index_key is not valid base64"),
        (keyring_json(index_key=None), "index_key must be a base64 string"),
        (keyring_json(keys={"k 1": b64(KEY_A)}, active="k 1"), "is not allowed"),
    ],
)
def test_malformed_keyring_is_refused_with_a_clear_message(source: str, expected: str) -> None:
    with pytest.raises(KeyringError, match=expected) as caught:
        load_keyring(source)
    assert_no_key_material(str(caught.value))


def test_key_pasted_where_an_id_belongs_is_not_echoed() -> None:
    # An easy slip: the key and its id swapped.
    with pytest.raises(KeyringError) as caught:
        load_keyring(keyring_json(keys={b64(KEY_A): "k1"}, active=b64(KEY_A)))
    assert_no_key_material(str(caught.value))
    assert "not shown" in str(caught.value)


def test_bare_key_in_the_variable_is_not_echoed() -> None:
    with pytest.raises(KeyringError, match="neither keyring JSON") as caught:
        load_keyring(b64(KEY_A))
    assert_no_key_material(str(caught.value))


def test_keyring_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    path.write_text(keyring_json())
    assert load_keyring(str(path)).active_key == KEY_A


def test_missing_keyring_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="existing file"):
        load_keyring(str(tmp_path / "nowhere.json"))


def test_keyring_repr_hides_every_key() -> None:
    keyring = load_keyring(keyring_json())
    assert_no_key_material(repr(keyring))
    assert "k1" in repr(keyring)


def test_json_round_trip_keeps_every_key() -> None:
    keyring = Keyring.generate().with_new_active_key()
    assert Keyring.from_json(keyring.to_json()) == keyring


RANDOM_KEY_ID = re.compile(r"^k-[0-9a-f]{8}$")


def test_new_active_key_keeps_the_old_ones() -> None:
    # A keyring from before random ids: its "k1" keeps working next to the new key.
    keyring = load_keyring(keyring_json())
    rotated = keyring.with_new_active_key()
    assert RANDOM_KEY_ID.fullmatch(rotated.active_key_id)
    assert rotated.keys["k1"] == KEY_A
    assert rotated.active_key not in (KEY_A, INDEX_KEY)
    assert rotated.index_key == INDEX_KEY
    assert keyring.active_key_id == "k1"  # the original is unchanged
    with pytest.raises(KeyringError, match="already exists"):
        rotated.with_new_active_key("k1")


def test_key_ids_are_random_per_installation() -> None:
    first, second = Keyring.generate(), Keyring.generate()
    assert RANDOM_KEY_ID.fullmatch(first.active_key_id)
    assert first.active_key_id != second.active_key_id
    added = first.with_new_active_key()
    assert RANDOM_KEY_ID.fullmatch(added.active_key_id)
    assert added.active_key_id != first.active_key_id
    assert set(added.keys) == {first.active_key_id, added.active_key_id}


def test_new_key_id_is_never_one_the_keyring_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = iter(["0000000a", "0000000a", "0000000b"])
    monkeypatch.setattr(keyring_module.secrets, "token_hex", lambda _n: next(drawn))
    assert keyring_module.new_key_id({}) == "k-0000000a"
    assert keyring_module.new_key_id({"k-0000000a": KEY_A}) == "k-0000000b"


def test_dropping_keys() -> None:
    keyring = load_keyring(keyring_json()).with_new_active_key("k2")
    assert set(keyring.without_key("k1").keys) == {"k2"}
    with pytest.raises(KeyringError, match="active key cannot be dropped"):
        keyring.without_key("k2")
    with pytest.raises(KeyringError, match="not in the keyring"):
        keyring.without_key("k7")


def test_keyring_file_is_owner_only_and_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "keyring.json"
    first = Keyring.generate()
    write_keyring_file(path, first)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = first.with_new_active_key()
    write_keyring_file(path, second)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_keyring(str(path)) == second
    assert [p.name for p in path.parent.iterdir()] == ["keyring.json"]


def test_generator_prints_a_usable_keyring() -> None:
    result = CliRunner().invoke(generate_keyring, [])
    assert result.exit_code == 0, result.output
    keyring = Keyring.from_json(result.output)
    assert RANDOM_KEY_ID.fullmatch(keyring.active_key_id)
    assert CliRunner().invoke(generate_keyring, []).output != result.output


def test_generator_writes_an_owner_only_file_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    result = CliRunner().invoke(generate_keyring, ["--output", str(path)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    written = path.read_text()
    Keyring.from_json(written)
    again = CliRunner().invoke(generate_keyring, ["--output", str(path)])
    assert again.exit_code != 0
    assert "already exists" in again.output
    assert path.read_text() == written


def test_generator_runs_as_a_module_without_any_configuration(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-W", "error", "-m", "guide.crypto.cli"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert completed.stderr == ""
    assert RANDOM_KEY_ID.fullmatch(Keyring.from_json(completed.stdout).active_key_id)
