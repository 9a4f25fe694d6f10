"""The consent rules stay plain Python: no Flask, no SQLAlchemy, nothing from the app."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "consent"
FORBIDDEN_ROOTS = ("flask", "sqlalchemy", "guide")

# Runs in a fresh interpreter (-I: no PYTHONPATH, no user site, no current directory on
# sys.path), imports every module of the package and prints what got loaded.
PROBE = """
import importlib, json, pkgutil, sys
sys.path.insert(0, sys.argv[1])
package = importlib.import_module(sys.argv[2])
for module in pkgutil.walk_packages(getattr(package, "__path__", []), package.__name__ + "."):
    importlib.import_module(module.name)
print(json.dumps(sorted(sys.modules)))
"""


def is_forbidden(module_name: str) -> bool:
    root = module_name.split(".")[0].lower()
    return root in FORBIDDEN_ROOTS or root.startswith(("flask_", "sqlalchemy_"))


def modules_loaded_by_importing(package: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-I", "-c", PROBE, str(ROOT), package],
        capture_output=True,
        check=True,
        text=True,
        timeout=60,
    )
    return json.loads(result.stdout)


def test_importing_consent_loads_no_flask_sqlalchemy_or_app_module():
    loaded = modules_loaded_by_importing("consent")

    assert "consent.decision" in loaded
    assert [name for name in loaded if is_forbidden(name)] == []


def test_the_probe_would_notice_a_flask_import():
    # The same probe on the app package must find Flask, or the test above proves nothing.
    loaded = modules_loaded_by_importing("guide.extensions")

    assert "flask" in loaded
    assert "sqlalchemy" in loaded


def imported_names(source: str) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_consent_source_imports_no_flask_sqlalchemy_or_app_module():
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) >= 5

    for path in sources:
        source = path.read_text(encoding="utf-8")
        forbidden = [name for name in imported_names(source) if is_forbidden(name)]
        assert forbidden == [], path.name
        # Dynamic imports would slip past the check above.
        assert "__import__" not in source, path.name
        assert "import_module" not in source, path.name


def test_source_scan_recognises_forbidden_imports():
    source = "import flask\nfrom sqlalchemy.orm import Mapped\nfrom guide.database import Base\n"

    assert [name for name in imported_names(source) if is_forbidden(name)] == [
        "flask",
        "sqlalchemy.orm",
        "guide.database",
    ]
