"""The benchmark's data generator: bulk-inserted rows the app reads back like its own."""

from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner
from sqlalchemy import func, select

from bench import data
from bench.sampling import sample_targets
from guide.accounts.models import User
from guide.accounts.passwords import verify_password
from guide.activities.models import Enrollment
from guide.audit.models import AuditEvent
from guide.audit.sealing import seal_pending
from guide.audit.verification import verify_chain
from guide.cases.identity import child_identity_digest
from guide.cases.models import Case, Child, Guardian, Visit
from guide.consents.models import Consent
from guide.demo.history import generate_organisation
from guide.referrals.models import Referral
from guide.roles import Role
from guide.support.models import SupportGrant
from tests.conftest import empty_all_tables

TODAY = dt.date(2026, 11, 20)


def _generate(db, seed: int = 5, cases: int = 50):
    result = generate_organisation(cases=cases, seed=seed, today=TODAY, batch_size=20)
    db.session.remove()
    return result


def _empty(db) -> None:
    empty_all_tables()


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_generated_children_and_guardians_read_back_decrypted(db):
    _generate(db)

    children = db.session.scalars(select(Child)).all()
    assert len(children) == 50
    for child in children:
        assert child.first_name and child.last_name
        born = dt.date.fromisoformat(child.birth_date)
        assert 5 <= (TODAY - born).days // 365 <= 20
        # The blind index matches what the case search computes from the plaintext.
        assert child.identity_index == child_identity_digest(
            child.first_name, child.last_name, child.birth_date
        )
        assert 1 <= len(child.guardians) <= 2
        for guardian in child.guardians:
            assert guardian.full_name.endswith(child.last_name)
            assert guardian.phone.startswith("+47 ")
            assert guardian.email.endswith("@example.org")


def test_generated_counts_match_the_rows_written(db):
    result = _generate(db)

    expected = {
        "cases": Case,
        "children": Child,
        "guardians": Guardian,
        "referrals": Referral,
        "visits": Visit,
        "enrollments": Enrollment,
        "consents": Consent,
        "support_grants": SupportGrant,
        "audit_events": AuditEvent,
    }
    for table, model in expected.items():
        assert result.counts[table] == _count(db, model), table
    assert result.counts["cases"] == 50
    # About eight visits per case, as the issue asks; a case without a guide has none.
    assert 3 * 50 <= result.counts["visits"] <= 14 * 50
    assert result.counts["audit_events"] > result.counts["visits"]


def test_generated_course_is_consistent(db):
    _generate(db)

    for case in db.session.scalars(select(Case)):
        assert case.child is not None
        assert case.status_changes[0].to_status == "referred"
        assert case.status_changes[-1].to_status == case.status
        if case.status in {"in_progress", "active", "paused", "closed"} and case.visits:
            assert case.assigned_guide is not None
        assert case.referred_at.date() <= TODAY
    visits = db.session.scalars(select(Visit).limit(20)).all()
    assert visits and all(visit.notes for visit in visits)


def test_generated_audit_events_seal_into_a_chain_that_verifies(db):
    result = _generate(db)

    assert seal_pending() == result.counts["audit_events"]
    report = verify_chain()
    assert report.is_intact
    assert (report.checked, report.waiting) == (result.counts["audit_events"], 0)
    # Written in time order, so the database numbered them as they occurred.
    numbered = select(AuditEvent.occurred_at).order_by(AuditEvent.sequence_number)
    times = db.session.scalars(numbered).all()
    assert times == sorted(times)


def test_bench_accounts_can_sign_in_with_their_secrets(db):
    result = _generate(db)

    for account in result.accounts:
        user = db.session.scalar(select(User).where(User.email == account.email))
        assert user.role == Role(account.role)
        assert verify_password(user.password_hash, account.password)
        assert user.totp_secret == account.totp_secret
        assert user.totp_enrolled_at is not None


def test_same_seed_gives_same_names_and_another_seed_does_not(db):
    def names() -> list[tuple[str, str, str]]:
        return sorted(
            (child.first_name, child.last_name, child.birth_date)
            for child in db.session.scalars(select(Child))
        )

    _generate(db, seed=11)
    first = names()
    _empty(db)
    _generate(db, seed=11)
    again = names()
    _empty(db)
    _generate(db, seed=12)
    other = names()

    assert first == again
    assert first != other


def test_sample_targets_name_existing_cases(db):
    _generate(db)

    targets = sample_targets(count=10)

    assert len(targets["case_ids"]) == 10
    assert len(targets["identities"]) == 10
    first_name, last_name, born = targets["identities"][0]
    digest = child_identity_digest(first_name, last_name, born)
    assert db.session.scalar(select(Child).where(Child.identity_index == digest)) is not None


def test_generate_command_refuses_a_database_that_holds_an_organisation(app, db, tmp_path):
    _generate(db, cases=3)
    accounts = tmp_path / "accounts.json"

    result = CliRunner().invoke(
        data.cli, ["generate", "--cases", "5", "--no-migrate", "--accounts-file", accounts], obj=app
    )

    assert result.exit_code != 0
    assert "already holds an organisation" in result.output
    assert _count(db, Case) == 3
    assert not accounts.exists()


def test_generate_command_fills_an_empty_database_and_writes_private_accounts(app, db, tmp_path):
    accounts = tmp_path / "accounts.json"

    result = CliRunner().invoke(
        data.cli, ["generate", "--cases", "4", "--no-migrate", "--accounts-file", accounts], obj=app
    )

    assert result.exit_code == 0, result.output
    assert _count(db, Case) == 4
    assert accounts.stat().st_mode & 0o077 == 0
    assert "password" in accounts.read_text()


def test_sample_command_writes_private_targets(app, db, tmp_path):
    _generate(db, cases=6)
    out = tmp_path / "targets.json"

    result = CliRunner().invoke(data.cli, ["sample", "--count", "3", "--out", out], obj=app)

    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o077 == 0
    assert len(json.loads(out.read_text())["case_ids"]) == 3


def test_the_installed_app_has_no_bench_command(app):
    result = app.test_cli_runner().invoke(args=["bench", "generate", "--cases", "1"])

    assert result.exit_code != 0
    assert "No such command" in result.output
