"""The core (the models' base, the tenant, the roles) and the policy stand on their own.

Feature packages build on them, never the other way round: importing them loads no
feature package, and their source names none, not even for type checking.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "guide"
CORE = ("guide.database", "guide.tenant", "guide.roles", "guide.policy")
#: Every package inside guide/ is a feature (or a part the core must not need).
FEATURES = frozenset(path.name for path in GUIDE.iterdir() if (path / "__init__.py").exists())


def _feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "guide" and parts[1] in FEATURES else None


def test_there_are_features_to_keep_out():
    assert {"accounts", "organisations", "cases"} <= FEATURES


def test_importing_the_core_and_the_policy_loads_no_feature_package():
    # A fresh interpreter, so nothing the suite imported before counts.
    script = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script, *CORE], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()

    assert set(CORE) <= set(loaded)
    assert sorted(name for name in loaded if _feature_of(name)) == []


def test_the_core_and_the_policy_name_no_feature_package():
    for module in CORE:
        path = ROOT / Path(*module.split(".")).with_suffix(".py")
        named = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                named.append(node.module)
                named.extend(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                named.extend(alias.name for alias in node.names)
        assert [name for name in named if _feature_of(name)] == [], module
