"""The checks are plain Python, usable from scripts and imports without Flask."""

from __future__ import annotations

import subprocess
import sys

PLAIN_MODULES = ["national_id", "phone", "orgnr", "money", "names"]


def test_the_plain_modules_do_not_import_flask():
    imports = "; ".join(f"import guide.validation.{name}" for name in PLAIN_MODULES)
    check = f"{imports}; import sys; print(sorted(m for m in sys.modules if 'flask' in m))"

    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"
