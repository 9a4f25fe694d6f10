"""``make run`` (scripts/serve_dev.sh) takes its ports from PORT and SMTP_PORT, and the app's
links follow the web port."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from guide.settings import load_settings

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "serve_dev.sh"


def _derived(**ports: str) -> subprocess.CompletedProcess:
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PORT", "SMTP_PORT"} and not key.startswith("FRITIDSGUIDE_")
    }
    return subprocess.run(
        ["bash", str(SCRIPT), "--print-env"],
        env=environ | ports,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _settings_of(output: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in output.splitlines())


def test_without_port_variables_the_defaults_are_5000_and_8025():
    result = _derived()
    assert result.returncode == 0, result.stderr
    assert _settings_of(result.stdout) == {
        "PORT": "5000",
        "FRITIDSGUIDE_BASE_URL": "http://127.0.0.1:5000",
        "FRITIDSGUIDE_SMTP_HOST": "127.0.0.1",
        "FRITIDSGUIDE_SMTP_PORT": "8025",
    }


def test_port_and_smtp_port_are_honoured_and_links_follow_the_web_port():
    result = _derived(PORT="5123", SMTP_PORT="8321")
    assert result.returncode == 0, result.stderr
    derived = _settings_of(result.stdout)
    assert derived["PORT"] == "5123"
    assert derived["FRITIDSGUIDE_SMTP_PORT"] == "8321"

    settings = load_settings(environ=derived)

    assert settings.base_url == "http://127.0.0.1:5123"
    assert settings.smtp_port == 8321


def test_an_explicit_base_url_is_kept():
    result = _derived(PORT="5123", FRITIDSGUIDE_BASE_URL="https://demo.example.org")
    assert _settings_of(result.stdout)["FRITIDSGUIDE_BASE_URL"] == "https://demo.example.org"


@pytest.mark.parametrize(
    "ports",
    [{"PORT": "abc"}, {"PORT": "0"}, {"SMTP_PORT": "70000"}, {"PORT": "8025"}],
    ids=["not a number", "zero", "too high", "same as the mail port"],
)
def test_a_bad_port_is_refused_with_a_message(ports):
    result = _derived(**ports)
    assert result.returncode == 2
    assert "PORT" in result.stderr
    assert result.stdout == ""
