"""``flask demo load``: the demo organisation with its fictional past, printed accounts with
names and translated roles, safe to run again, the same every time."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from guide.accounts.models import User
from guide.accounts.passwords import hash_password
from guide.accounts.totp import new_secret
from guide.activities.models import Enrollment
from guide.cases.models import Case, Child, FollowUp, Visit
from guide.clubs_portal.services import shared_children
from guide.consents.models import Share
from guide.demo.data import (
    DEMO_EMAIL_DOMAIN,
    DEMO_USERS,
    demo_organisation,
    history_span,
    load_demo_data,
)
from guide.referrals.models import Referral
from guide.reports.figures import organisation_figures
from guide.reports.periods import Period
from guide.roles import Role
from guide.support.models import EquipmentLoan, SupportGrant
from tests.conftest import empty_all_tables
from tests.web.helpers import sign_in

TODAY = dt.date(2026, 11, 20)


def _load(runner, *args: str):
    result = runner.invoke(args=["demo", "load", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _account_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if f"@{DEMO_EMAIL_DOMAIN}" in line]


def test_demo_load_prints_each_account_once_and_then_does_nothing(app, db):
    runner = app.test_cli_runner()
    first = _load(runner)
    assert "Demokontoer" in first
    assert len(_account_lines(first)) == len(DEMO_USERS)
    second = _load(runner)
    assert "allerede lastet inn" in second
    assert DEMO_EMAIL_DOMAIN not in second


def _columns(output: str) -> dict[str, list[str]]:
    """Each printed account's columns (name, role, e-mail, password), by its e-mail's local part."""
    rows = [re.split(r"\s{2,}", line.strip()) for line in _account_lines(output)]
    return {row[2].split("@")[0]: row for row in rows}


def test_printed_accounts_show_names_and_roles_in_bokmal(app, db):
    output = _load(app.test_cli_runner())

    heading = next(line for line in output.splitlines() if "Passord" in line)
    assert re.split(r"\s{2,}", heading.strip()) == ["Navn", "Rolle", "E-postadresse", "Passord"]
    accounts = _columns(output)
    assert accounts["koordinator"][:2] == ["Kari Koordinator", "Koordinator"]
    assert accounts["helsesykepleier"][:2] == [
        "Hanne Helsesykepleier",
        "Henviser (Helsesykepleier)",
    ]
    assert accounts["laerer"][1] == "Henviser (Lærer)"
    assert accounts["guide2"][:2] == ["Gunnar Guide", "Fritidsguide"]
    assert accounts["admin"][1] == "Administrator"
    club_contact = db.session.scalar(select(User).where(User.email.startswith("klubb@")))
    assert accounts["klubb"][1] == f"Klubbkontakt ({club_contact.club.name})"
    # No role code in English under the Norwegian heading.
    assert not {row[1] for row in accounts.values()} & {role.value for role in Role}


@pytest.mark.parametrize(
    ("language", "heading", "nurse"),
    [
        ("nn", "Demokontoar", "Tilvisar (Helsesjukepleiar)"),
        ("en", "Demo accounts", "Referrer (School nurse)"),
    ],
)
def test_printed_accounts_follow_the_chosen_language(app, db, language, heading, nurse):
    output = _load(app.test_cli_runner(), "--language", language)
    assert heading in output
    assert _columns(output)["helsesykepleier"][1] == nurse
    assert "Demokontoer" not in output


def test_an_unknown_language_is_refused_before_anything_is_loaded(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--language", "xx"])
    assert result.exit_code != 0
    assert demo_organisation() is None


def _fingerprint(db) -> dict:
    """Everything the demo's people read, as plaintext; ids, references and passwords aside."""
    db.session.expire_all()
    organisation = demo_organisation()
    children = sorted(
        (child.first_name, child.last_name, str(child.born_on), child.area)
        for child in db.session.scalars(
            select(Child).where(Child.organisation_id == organisation.id)
        )
    )
    cases = sorted(
        (case.status, str(case.referred_at), str(case.closed_at), str(case.close_reason))
        for case in db.session.scalars(select(Case).where(Case.organisation_id == organisation.id))
    )
    counts = {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Referral, Visit, FollowUp, Enrollment, SupportGrant, EquipmentLoan, Share)
    }
    return {"children": children, "cases": cases, "counts": counts}


def test_demo_load_gives_the_same_organisation_every_time(app, db):
    load_demo_data(today=TODAY)
    first = _fingerprint(db)
    empty_all_tables()

    started = time.perf_counter()
    load_demo_data(today=TODAY)
    seconds = time.perf_counter() - started

    assert _fingerprint(db) == first
    assert len(first["children"]) >= history_span(TODAY)[1] >= 300
    # "A few seconds" on a quiet machine; generous here, where the machine is shared.
    assert seconds < 30


def test_the_demo_past_holds_every_stage_of_a_course(app, db):
    load_demo_data(today=TODAY)
    statuses = Counter(db.session.scalars(select(Case.status)))
    for status in (
        "referred",
        "accepted",
        "declined",
        "guide_assigned",
        "in_progress",
        "active",
        "paused",
        "closed",
    ):
        assert statuses[status] > 0, status
    assert sum(statuses.values()) >= 300
    enrollments = Counter(db.session.scalars(select(Enrollment.status)))
    assert all(enrollments[s] > 0 for s in ("proposed", "trial", "enrolled", "ended")), enrollments
    grants = Counter(db.session.scalars(select(SupportGrant.status)))
    assert grants["paid"] > 0 and grants["approved"] + grants["requested"] > 0
    returned = Counter(db.session.scalars(select(EquipmentLoan.returned_on.is_(None))))
    assert returned[True] > 0 and returned[False] > 0
    assert db.session.scalar(select(func.count()).where(FollowUp.done_at.is_not(None))) > 0
    # The past reaches back before last year, which the annual report shows by default.
    referred = db.session.scalars(select(Case.referred_at)).all()
    assert min(referred).date() < dt.date(TODAY.year - 1, 1, 1)


@pytest.mark.parametrize("year", [TODAY.year, TODAY.year - 1], ids=["this year", "last year"])
def test_most_figures_show_numbers_not_under_five(app, db, year):
    load_demo_data(today=TODAY)
    figures = organisation_figures(
        organisation_id=demo_organisation().id, period=Period.year(year), today=TODAY
    )

    rows = [row for table in figures.tables for row in table.body_rows]
    shown = [row for row in rows if any(not c.hidden and c.value is not None for c in row.cells)]
    assert len(rows) > 30
    assert len(shown) >= 0.7 * len(rows), [
        (table.key, row.key) for table in figures.tables for row in table.body_rows
    ]
    # Each figure that breaks referrals down has a shape: several groups shown, not one.
    for key in ("referrals_by_month", "referrals_by_kind", "referrals_by_area", "waits_to_guide"):
        visible = [r for r in figures.table(key).body_rows if not r.cells[0].hidden]
        assert len(visible) >= 3, key


def test_the_club_contact_sees_the_child_the_demo_shares_with_its_club(app, db, client):
    load_demo_data(today=TODAY)
    contact = db.session.scalar(select(User).where(User.email == f"klubb@{DEMO_EMAIL_DOMAIN}"))
    share = db.session.scalar(select(Share))

    assert contact.club_id is not None
    assert share.club_id == contact.club_id
    shared = shared_children(contact=contact)
    assert [row.child_id for row in shared] == [share.child_id]

    # And on the club's page, signed in as the club contact.
    password = "demo klubbkontakt passord 2026"
    contact.password_hash = hash_password(password)
    contact.totp_secret = new_secret()
    contact.totp_enrolled_at = contact.created_at
    db.session.commit()
    assert sign_in(client, contact.email, password).status_code == 302
    page = client.get("/klubb")
    assert page.status_code == 200
    child = db.session.get(Child, share.child_id)
    assert child.first_name in page.text
