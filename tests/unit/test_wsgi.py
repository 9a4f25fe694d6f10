"""The production entry point builds the app once and keeps its start-up objects out of
the garbage collector's way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from guide.crypto.keyring import Keyring

PROBE = """
import gc
import guide.wsgi
from flask import Flask
print(isinstance(guide.wsgi.app, Flask), gc.get_freeze_count())
"""


def test_wsgi_module_serves_a_flask_app_with_start_up_objects_frozen(tmp_path: Path) -> None:
    keyring = tmp_path / "keyring.json"
    keyring.write_text(Keyring.generate().to_json())
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("FRITIDSGUIDE_") and key != "DATABASE_URL"
    }
    env.update(
        FRITIDSGUIDE_ENVIRONMENT="development",
        FRITIDSGUIDE_KEYRING=str(keyring),
        FRITIDSGUIDE_INSTANCE_PATH=str(tmp_path),
        FRITIDSGUIDE_SECRET_KEY="x" * 48,
        DATABASE_URL=f"sqlite:///{tmp_path / 'wsgi.sqlite3'}",
    )
    answer = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False
    )
    assert answer.returncode == 0, answer.stderr[-2000:]
    kind, frozen = answer.stdout.split()
    assert kind == "True"
    assert int(frozen) > 10_000
