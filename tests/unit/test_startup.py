"""Start-up: no keyring, no app; demo mode makes its own owner-only keyring."""

from __future__ import annotations

import base64
import secrets
import stat
from pathlib import Path

import pytest

from guide import create_app
from guide.crypto.keyring import Keyring, load_keyring
from guide.settings import load_settings
from guide.startup import StartupError
from tests.conftest import settings_for_tests


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'startup.sqlite3'}"


@pytest.fixture(autouse=True)
def _no_keyring_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FRITIDSGUIDE_KEYRING", "FRITIDSGUIDE_DEMO_MODE", "FRITIDSGUIDE_INSTANCE_PATH"):
        monkeypatch.delenv(name, raising=False)


def test_app_refuses_to_start_without_a_keyring(sqlite_url: str, tmp_path: Path) -> None:
    config = settings_for_tests(sqlite_url, keyring="", instance_path=str(tmp_path))
    with pytest.raises(StartupError) as caught:
        create_app(config)
    message = str(caught.value)
    assert "FRITIDSGUIDE_KEYRING" in message
    assert "docs/keys.md" in message
    assert not (tmp_path / "demo-keyring.json").exists()


def test_app_refuses_a_malformed_keyring_without_showing_the_key(
    sqlite_url: str, tmp_path: Path
) -> None:
    short_key = base64.b64encode(secrets.token_bytes(16)).decode()
    index_key = base64.b64encode(secrets.token_bytes(32)).decode()
    keyring = f'{{"active": "k1", "keys": {{"k1": "{short_key}"}}, "index_key": "{index_key}"}}'
    config = settings_for_tests(sqlite_url, keyring=keyring, instance_path=str(tmp_path))
    with pytest.raises(StartupError, match="every key must be 32 bytes") as caught:
        create_app(config)
    assert short_key not in str(caught.value)
    assert index_key not in str(caught.value)


def test_app_refuses_a_missing_keyring_file(sqlite_url: str, tmp_path: Path) -> None:
    config = settings_for_tests(
        sqlite_url, keyring=str(tmp_path / "gone.json"), instance_path=str(tmp_path)
    )
    with pytest.raises(StartupError, match="FRITIDSGUIDE_KEYRING"):
        create_app(config)


def test_settings_repr_never_shows_the_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    keyring = Keyring.generate()
    monkeypatch.setenv("FRITIDSGUIDE_KEYRING", keyring.to_json())
    settings = load_settings({"secret_key": "s3cret-session-key"})
    assert settings.keyring == keyring.to_json()
    shown = repr(settings) + str(settings)
    assert base64.b64encode(keyring.active_key).decode() not in shown
    assert base64.b64encode(keyring.index_key).decode() not in shown
    assert "s3cret-session-key" not in shown


def test_app_starts_with_a_keyring_file_named_in_the_environment(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, tmp_path: Path
) -> None:
    keyring = Keyring.generate()
    path = tmp_path / "keyring.json"
    path.write_text(keyring.to_json())
    config = settings_for_tests(sqlite_url, instance_path=str(tmp_path))
    del config["keyring"]
    monkeypatch.setenv("FRITIDSGUIDE_KEYRING", str(path))
    app = create_app(config)
    assert app.extensions["fritidsguide.cipher"].keyring == keyring


def demo_config(sqlite_url: str, instance: Path) -> dict[str, object]:
    return settings_for_tests(
        sqlite_url, demo_mode=True, keyring="", secret_key="", instance_path=str(instance)
    )


def test_demo_mode_generates_an_owner_only_keyring_in_the_instance_folder(
    sqlite_url: str, tmp_path: Path
) -> None:
    instance = tmp_path / "instance"
    app = create_app(demo_config(sqlite_url, instance))
    assert Path(app.instance_path) == instance.resolve()
    keyring_file = instance / "demo-keyring.json"
    assert stat.S_IMODE(keyring_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((instance / "demo-secret-key").stat().st_mode) == 0o600
    assert app.extensions["fritidsguide.cipher"].keyring == load_keyring(str(keyring_file))
    assert app.config["SECRET_KEY"]


def test_demo_mode_reuses_its_keyring_on_the_next_start(sqlite_url: str, tmp_path: Path) -> None:
    first = create_app(demo_config(sqlite_url, tmp_path))
    second = create_app(demo_config(sqlite_url, tmp_path))
    first_keyring = first.extensions["fritidsguide.cipher"].keyring
    assert second.extensions["fritidsguide.cipher"].keyring == first_keyring
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_instance_folder_can_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, tmp_path: Path
) -> None:
    config = demo_config(sqlite_url, tmp_path)
    del config["instance_path"]
    monkeypatch.setenv("FRITIDSGUIDE_INSTANCE_PATH", str(tmp_path / "from-env"))
    app = create_app(config)
    assert Path(app.instance_path) == (tmp_path / "from-env").resolve()
    assert (tmp_path / "from-env" / "demo-keyring.json").is_file()


def test_demo_mode_keeps_a_configured_keyring(sqlite_url: str, tmp_path: Path) -> None:
    keyring = Keyring.generate()
    config = demo_config(sqlite_url, tmp_path)
    config["keyring"] = keyring.to_json()
    app = create_app(config)
    assert app.extensions["fritidsguide.cipher"].keyring == keyring
    assert not (tmp_path / "demo-keyring.json").exists()
