"""Copy the Designsystemet CSS (and its licences) from node_modules into guide/static/vendor/.

Run after ``npm ci --no-audit --no-fund``. The copies are git-ignored; package-lock.json
pins the versions. Only plain CSS is copied: the app ships no JavaScript from npm.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
TARGET = ROOT / "guide" / "static" / "vendor" / "designsystemet"

#: (npm package, file inside it, name under guide/static/vendor/designsystemet/)
FILES = (
    ("@digdir/designsystemet-css", "dist/src/index.css", "designsystemet.css"),
    ("@digdir/designsystemet-css", "LICENSE", "LICENSE-designsystemet-css.txt"),
    ("@digdir/designsystemet-theme", "brand/digdir.css", "theme-digdir.css"),
    ("@digdir/designsystemet-theme", "LICENSE", "LICENSE-designsystemet-theme.txt"),
)

#: Anything that would make the browser fetch from another site (the CSP forbids it anyway).
EXTERNAL_REFERENCE = re.compile(r"@import|url\(\s*['\"]?(?:https?:)?//", re.IGNORECASE)


def build(node_modules: Path = NODE_MODULES, target: Path = TARGET) -> list[Path]:
    """Copy the files in ``FILES`` and return the paths written."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for package, inner_path, name in FILES:
        source = node_modules / package / inner_path
        if not source.is_file():
            raise SystemExit(f"{source} is missing: run `npm ci --no-audit --no-fund` first.")
        if source.suffix == ".css" and EXTERNAL_REFERENCE.search(source.read_text("utf-8")):
            raise SystemExit(f"{source} loads something from outside; refusing to ship it.")
        destination = target / name
        shutil.copyfile(source, destination)
        written.append(destination)
    versions = {package: _version(node_modules / package) for package in _packages()}
    (target / "VERSIONS.json").write_text(json.dumps(versions, indent=2) + "\n", "utf-8")
    return written


def _packages() -> list[str]:
    return sorted({package for package, _inner, _name in FILES})


def _version(package_dir: Path) -> str:
    return json.loads((package_dir / "package.json").read_text("utf-8"))["version"]


def main() -> int:
    for path in build():
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
