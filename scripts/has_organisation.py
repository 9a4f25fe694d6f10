"""Tell `make run` whether the configured database already holds an organisation.

Exit status 0: it does. 3: it holds none, so the demo data should be loaded. Anything else
is an error (for example an unmigrated database) and stops `make run`.
"""

from __future__ import annotations

import sys

from sqlalchemy import func, select

from guide import create_app
from guide.extensions import db

NO_ORGANISATION = 3


def organisation_count() -> int:
    """Count the organisations in the database the environment configures."""
    from guide.tenant import Organisation

    app = create_app()
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Organisation)) or 0
        db.engine.dispose()
    return count


def main() -> int:
    return 0 if organisation_count() else NO_ORGANISATION


if __name__ == "__main__":
    sys.exit(main())
