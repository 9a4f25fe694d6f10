"""The checks are plain Python: only the WTForms wrappers may import Flask or WTForms."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import guide.validation

PACKAGE = Path(guide.validation.__file__).parent
PLAIN_MODULES = ["national_id", "phone", "orgnr", "money", "names", "errors", "text"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("name", PLAIN_MODULES)
def test_plain_module_imports_neither_flask_nor_the_rest_of_the_app(name):
    imports = imported_modules(PACKAGE / f"{name}.py")

    assert imports  # the parse found the module's imports
    assert not {m for m in imports if m.split(".")[0] in {"flask", "flask_babel", "wtforms"}}
    assert {m for m in imports if m.startswith("guide")} <= {
        f"guide.validation.{other}" for other in PLAIN_MODULES
    }
