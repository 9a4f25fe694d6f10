"""Only the request's commit point, CLI commands and workers commit; no view rolls back."""

from __future__ import annotations

import re
from pathlib import Path

GUIDE = Path(__file__).resolve().parents[2] / "guide"
COMMIT = re.compile(r"\bsession\.commit\(\)")
ROLLBACK = re.compile(r"\brollback\(")
ROUTE = re.compile(r"@\w+\.(route|get|post)\(")

#: The places allowed to commit, each once per unit of work it owns.
COMMIT_POINTS = {
    "unit_of_work.py",  # the request's one commit, and the refusal's own audit transaction
}
#: Commands and workers: one commit per unit they process.
COMMAND_PATTERNS = ("cli.py", "worker.py", "rotation.py", "demo/data.py", "audit/sealing.py")


def _committing_modules() -> set[str]:
    found = set()
    for path in GUIDE.rglob("*.py"):
        if COMMIT.search(path.read_text(encoding="utf-8")):
            found.add(path.relative_to(GUIDE).as_posix())
    return found


def test_no_view_or_service_commits():
    offenders = {
        module
        for module in _committing_modules()
        if module not in COMMIT_POINTS and not module.endswith(COMMAND_PATTERNS)
    }
    assert offenders == set()


def test_the_rule_sees_a_commit_in_a_view(tmp_path):
    # The pattern the test relies on matches the call as views used to write it.
    assert COMMIT.search("    db.session.commit()  # the audit event")


def _view_modules() -> set[str]:
    """Every module that declares a route, and every ``*views.py``."""
    return {
        path.relative_to(GUIDE).as_posix()
        for path in GUIDE.rglob("*.py")
        if path.name.endswith("views.py") or ROUTE.search(path.read_text(encoding="utf-8"))
    }


def test_no_view_rolls_back():
    # A refusal, a stale edit, a repeat or an unusable link raises; guide.unit_of_work
    # rolls the request back and answers it.
    views = _view_modules()
    assert "consents/family_views.py" in views
    assert "web/views.py" in views
    offenders = {
        module for module in views if ROLLBACK.search((GUIDE / module).read_text(encoding="utf-8"))
    }
    assert offenders == set()


def test_the_rule_sees_a_rollback_in_a_view():
    assert ROLLBACK.search("            db.session.rollback()")
    assert ROLLBACK.search("    rollback()")
    assert ROUTE.search('@bp.route("/invitation/<token>", methods=["GET", "POST"])')
