"""Compile translations/*/LC_MESSAGES/messages.po into the .mo files Flask-Babel reads.

The .mo files are git-ignored; the setup (and the test suite) runs this. It does the same
as ``pybabel compile -d translations`` but only rewrites catalogues that changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guide.i18n import compile_catalogues  # noqa: E402  (after the path is set)


def main() -> int:
    for path in compile_catalogues(ROOT / "translations"):
        print(f"compiled {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
