"""Extract messages from code and templates and merge them into translations/*/messages.po.

Then translate the new entries in nb and nn (en may stay empty: English is the source text)
and run scripts/compile_translations.py. See docs/i18n.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "translations" / "messages.pot"
#: pybabel skips folders starting with "_" by default, which would miss templates/_macros/.
IGNORED_DIRS = ".* node_modules __pycache__ instance build dist"


def main() -> int:
    os.chdir(ROOT)  # keeps the locations in the catalogues relative to the project
    common = ["pybabel", "--quiet"]
    CommandLineInterface().run(
        [
            *common,
            "extract",
            "--mapping-file=babel.cfg",
            "--keywords=_l lazy_gettext",
            f"--ignore-dirs={IGNORED_DIRS}",
            "--sort-by-file",
            "--project=Fritidsguide",
            "--copyright-holder=Fritidsguide contributors",
            f"--output-file={TEMPLATE}",
            ".",
        ]
    )
    CommandLineInterface().run(
        [
            *common,
            "update",
            f"--input-file={TEMPLATE}",
            "--output-dir=translations",
            "--no-fuzzy-matching",
            "--ignore-obsolete",
        ]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
