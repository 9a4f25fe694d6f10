"""``flask demo load`` prints the demo accounts once, in bokmål, and is safe to run again."""

from __future__ import annotations

from guide.demo.data import DEMO_EMAIL_DOMAIN, DEMO_USERS


def test_demo_load_prints_each_account_once_and_then_does_nothing(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "Demokontoer" in first.output
    assert first.output.count(f"@{DEMO_EMAIL_DOMAIN}") == len(DEMO_USERS)
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert "allerede lastet inn" in second.output
    assert DEMO_EMAIL_DOMAIN not in second.output
