"""The figures page's numbers, checked one by one on a known data set with a fixed clock.

The same expectations hold on SQLite and PostgreSQL (percentile_cont there, the shared
interpolation in Python here). A second part counts the SQL statements: the figures take
as many for 200 cases as for 10.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from guide.accounts.models import ReferrerKind
from guide.activities.models import Enrollment
from guide.cases.models import CaseStatus
from guide.extensions import db as _db
from guide.referrals.models import ConsentToReferMethod, Referral
from guide.reports.figures import organisation_figures
from guide.reports.periods import Period
from guide.reports.tables import Cell, Measure
from guide.support.models import EquipmentLoan, Fund, SupportGrant
from tests import factories

YEAR_2026 = Period.year(2026)
#: The fixed clock: a fortnight after the year the figures describe.
TODAY = dt.date(2027, 1, 15)
UNDER_5 = Cell.under_five()


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def refer(org, referrer, *, kind, submitted: dt.datetime, area: str | None):
    """A referral and its case, both dated ``submitted``."""
    case = factories.child_case(org, referred_at=submitted, status="accepted")
    factories.place_child(case, area)
    _db.session.add(
        Referral(
            organisation_id=org.id,
            child_id=case.child_id,
            case_id=case.id,
            referred_by_id=referrer.id,
            referrer_kind=kind,
            reason="Fiktiv grunn",
            barriers=["economy"],
            help_level="find_activity",
            consent_given_by="Fiktiv Forelder",
            consent_relation="mother",
            consent_method=ConsentToReferMethod.signed_paper,
            consent_given_on=submitted.date(),
            submitted_at=submitted,
        )
    )
    return case


def enroll(case, offer, *, started: dt.date, ended_after: int | None = None, **fields):
    ended = started + dt.timedelta(days=ended_after) if ended_after is not None else None
    case.enrollments.append(
        Enrollment(
            activity_id=offer.id,
            status="ended" if ended else "enrolled",
            started_on=started,
            ended_on=ended,
            **fields,
        )
    )


# --- the known data set --------------------------------------------------------------------

KINDS = (
    [ReferrerKind.teacher] * 8
    + [ReferrerKind.school_nurse] * 6
    + [ReferrerKind.nav] * 5
    + [ReferrerKind.child_welfare] * 5
    + [ReferrerKind.refugee_service] * 5
    + [ReferrerKind.other] * 2
)
AREAS = ["Nord"] * 12 + ["Sør"] * 10 + ["Øst"] * 6 + [None] * 3
#: Referrals per month of 2026: January 10, February 7, March 6, April 5, May 3.
MONTHS = [1] * 10 + [2] * 7 + [3] * 6 + [4] * 5 + [5] * 3
#: Days to a guide for the first cases of January (10), February (7) and March (4).
GUIDE_WAITS = {1: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 2: [3, 3, 4, 10, 12, 20, 30], 3: [5, 5, 5, 5]}
#: Days to the first activity for the first cases of January (6) and February (5).
ACTIVITY_WAITS = {1: [20, 30, 40, 50, 60, 90], 2: [10, 20, 30, 40, 100]}


def build_data_set(db):
    org = factories.organisation("Frivilligsentralen i Tallby")
    other = factories.organisation("Nabosentralen")
    referrer = factories.user(org, "referrer", second_factor=False)
    music = factories.activity(org, category_key="music")
    sport = factories.activity(org, category_key="sport")

    cases = []
    day_in_month = {month: 0 for month in range(1, 6)}
    for index, month in enumerate(MONTHS):
        day_in_month[month] += 1
        submitted = at(dt.date(2026, month, day_in_month[month]))
        cases.append(
            refer(org, referrer, kind=KINDS[index], submitted=submitted, area=AREAS[index])
        )
    by_month = {m: [c for c in cases if c.referred_at.month == m] for m in range(1, 6)}

    for month, waits in GUIDE_WAITS.items():
        for case, days in zip(by_month[month], waits, strict=False):
            case.guide_assigned_at = case.referred_at + dt.timedelta(days=days)
    # Referred late in the evening, a guide just after midnight: one calendar day (UTC).
    late = by_month[1][0]
    late.referred_at = at(late.referred_at.date(), 23, 30)
    late.guide_assigned_at = at(late.referred_at.date() + dt.timedelta(days=1), 0, 30)

    started = []
    for month, waits in ACTIVITY_WAITS.items():
        for case, days in zip(by_month[month], waits, strict=False):
            case.first_activity_at = case.referred_at + dt.timedelta(days=days)
            started.append(case)
    # Retention of the 11 who started: 3 keep going, 2 stop on day 100, 1 stops on day 30
    # but starts again on day 60, 1 stops on exactly day 91, 4 stop on day 30.
    keep, stop_100, restart, stop_91, stop_30 = (
        started[:3],
        started[3:5],
        started[5],
        started[6],
        started[7:],
    )
    for case in keep:
        enroll(case, music, started=case.first_activity_at.date(), is_own_choice=True)
    for case in stop_100:
        enroll(
            case,
            music,
            started=case.first_activity_at.date(),
            ended_after=100,
            end_reason="lost_interest",
            is_own_choice=True,
        )
    first_day = restart.first_activity_at.date()
    enroll(
        restart,
        music,
        started=first_day,
        ended_after=30,
        end_reason="transport",
        is_own_choice=True,
    )
    enroll(restart, sport, started=first_day + dt.timedelta(days=60))
    enroll(
        stop_91,
        sport,
        started=stop_91.first_activity_at.date(),
        ended_after=91,
        end_reason="too_expensive",
        is_own_choice=False,
    )
    for case in stop_30:
        enroll(
            case,
            sport,
            started=case.first_activity_at.date(),
            ended_after=30,
            end_reason="lost_interest",
            is_own_choice=False,
        )
    # Referred the year before, first activity in December: too recent for either share.
    recent = factories.child_case(org, referred_at=at(dt.date(2025, 11, 1)), status="active")
    recent.first_activity_at = at(dt.date(2026, 12, 1))
    enroll(recent, sport, started=dt.date(2026, 12, 1))

    # Closures: 6 established, 5 dropped out, among the cases of March to May.
    for case, reason in zip(
        by_month[3] + by_month[4], ["established"] * 6 + ["dropped_out"] * 5, strict=True
    ):
        case.status = CaseStatus.closed
        case.close_reason = reason
        case.closed_at = at(dt.date(2026, 9, 1))

    build_support(db, org, cases)
    build_equipment_and_guides(org, cases)

    # Another organisation's referrals never show.
    other_referrer = factories.user(other, "referrer", second_factor=False)
    for day in range(1, 8):
        refer(
            other,
            other_referrer,
            kind=ReferrerKind.teacher,
            submitted=at(dt.date(2026, 1, day)),
            area="Nord",
        )
    db.session.commit()
    return org


def build_support(db, org, cases):
    stipend = Fund(
        organisation_id=org.id, name="Fritidsstipend", source="Stat", year=2026, budget=1_000_000
    )
    equipment = Fund(
        organisation_id=org.id, name="Utstyrsfond", source="Kommune", year=2026, budget=300_000
    )
    summer = Fund(
        organisation_id=org.id, name="Sommerfond", source="Sponsor", year=2026, budget=50_000
    )
    old = Fund(organisation_id=org.id, name="Gammelt fond", source="Stat", year=2025, budget=70_000)
    db.session.add_all([stipend, equipment, summer, old])
    requester = factories.user(org, "coordinator", second_factor=False)
    decided = at(dt.date(2026, 3, 1))

    def grant(case, fund, kind, amount, status, decided_at=decided):
        db.session.add(
            SupportGrant(
                organisation_id=org.id,
                case_id=case.id,
                fund=fund,
                kind=kind,
                amount=amount,
                payee_kind="club",
                status=status,
                requested_by_id=requester.id,
                decided_at=decided_at,
                paid_at=decided_at if status == "paid" else None,
            )
        )

    # Membership fees: 6 children, 1 000 kr each, 4 paid.
    for index, case in enumerate(cases[:6]):
        grant(case, stipend, "membership_fee", 100_000, "paid" if index < 4 else "approved")
    # Equipment: 5 children, 500 kr each, 2 paid; trips: 2 children, 300 kr each.
    for index, case in enumerate(cases[6:11]):
        grant(case, equipment, "equipment", 50_000, "paid" if index < 2 else "approved")
    for case in cases[11:13]:
        grant(case, equipment, "trips_events", 30_000, "approved")
    # Not committed, or decided the year before: never counted.
    grant(cases[13], stipend, "membership_fee", 99_900, "requested", decided_at=None)
    grant(cases[14], stipend, "membership_fee", 99_900, "rejected")
    grant(cases[15], None, "transport", 12_300, "paid", decided_at=at(dt.date(2025, 6, 1)))


def build_equipment_and_guides(org, cases):
    # Six loans out (three overdue), two returned.
    for index, case in enumerate(cases[:8]):
        _db.session.add(
            EquipmentLoan(
                organisation_id=org.id,
                case_id=case.id,
                item_type="Skøyter",
                source="equipment_library",
                lent_on=dt.date(2026, 10, 1),
                due_on=dt.date(2027, 1, 1) if index < 3 else dt.date(2027, 3, 1),
                returned_on=dt.date(2026, 11, 1) if index >= 6 else None,
            )
        )
    # Two active guides (one with a free place, one whose certificate runs out soon), one paused.
    soon, later, paused = (factories.user(org, "guide", second_factor=False) for _ in range(3))
    soon.guide_profile.capacity = 2
    soon.guide_profile.police_certificate_checked_on = dt.date(2024, 2, 1)
    later.guide_profile.capacity = 1
    later.guide_profile.police_certificate_checked_on = dt.date(2025, 6, 1)
    paused.guide_profile.is_paused = True
    for guide in (soon, later):
        factories.child_case(org, guide=guide, status="active", referred_at=at(dt.date(2025, 5, 1)))


@pytest.fixture
def figures(db):
    org = build_data_set(db)
    return organisation_figures(organisation_id=org.id, period=YEAR_2026, today=TODAY)


def values(table, column: int = 0) -> dict[str, object]:
    """Row key → the cell's value, or "under 5"."""
    return {
        row.key: "under 5" if row.cells[column].hidden else row.cells[column].value
        for row in table.rows
    }


# --- referrals -----------------------------------------------------------------------------


def test_referrals_per_month_hide_small_months(figures):
    counts = values(figures.table("referrals_by_month"))
    assert counts == {
        "2026-01": 10,
        "2026-02": 7,
        "2026-03": 6,
        "2026-04": 5,
        "2026-05": "under 5",
        **{f"2026-{month:02d}": "under 5" for month in range(6, 13)},
        "total": 31,
    }


def test_referrals_by_type_hide_a_second_group_against_the_difference_attack(figures):
    # "Other" (2) is the only small group: with the total shown, 31 minus the rest would
    # give it away, so the next smallest group (NAV, first of the three fives) goes too.
    assert values(figures.table("referrals_by_kind")) == {
        "teacher": 8,
        "school_nurse": 6,
        "nav": "under 5",
        "child_welfare": 5,
        "refugee_service": 5,
        "other": "under 5",
        "total": 31,
    }


def test_referrals_by_area_protect_children_without_an_area(figures):
    assert values(figures.table("referrals_by_area")) == {
        "Nord": 12,
        "Sør": 10,
        "Øst": "under 5",
        "": "under 5",
        "total": 31,
    }


def test_other_organisations_never_count(figures):
    assert figures.table("referrals_by_kind").cell("teacher").value == 8


# --- waiting times -------------------------------------------------------------------------


def test_days_to_a_guide_median_and_75th_percentile_per_month(figures):
    table = figures.table("waits_to_guide")
    assert table.row("2026-01").cells == (
        Cell(10),
        Cell(5.5, Measure.days),
        Cell(7.75, Measure.days),
    )
    assert table.row("2026-02").cells == (
        Cell(7),
        Cell(10.0, Measure.days),
        Cell(16.0, Measure.days),
    )
    # Four children in March: too few for a median.
    assert all(cell.hidden for cell in table.row("2026-03").cells)
    assert table.row("total").cells == (Cell(21), Cell(5.0, Measure.days), Cell(9.0, Measure.days))


def test_days_to_the_first_activity_median_and_75th_percentile(figures):
    table = figures.table("waits_to_activity")
    assert table.row("2026-01").cells == (
        Cell(6),
        Cell(45.0, Measure.days),
        Cell(57.5, Measure.days),
    )
    assert table.row("2026-02").cells == (
        Cell(5),
        Cell(30.0, Measure.days),
        Cell(40.0, Measure.days),
    )
    assert table.row("total").cells == (
        Cell(11),
        Cell(40.0, Measure.days),
        Cell(55.0, Measure.days),
    )


# --- staying in an activity ----------------------------------------------------------------


def test_share_still_in_an_activity_after_3_months(figures):
    row = figures.table("retention").row("after_3_months")
    assert row.cells == (Cell(11), Cell(6), Cell(6 / 11, Measure.share))


def test_share_after_6_months_is_hidden_when_only_4_kept_going(figures):
    row = figures.table("retention").row("after_6_months")
    assert row.cells[0] == Cell(11)
    assert row.cells[1].hidden and row.cells[2].hidden


# --- closures and endings ------------------------------------------------------------------


def test_closure_reasons_and_dropout_share(figures):
    table = figures.table("closures")
    assert values(table) == {
        "established": 6,
        "family_declined": "under 5",
        "no_contact": "under 5",
        "moved": "under 5",
        "dropped_out": 5,
        "other": "under 5",
        "total": 11,
    }
    assert table.cell("dropped_out", 1) == Cell(5 / 11, Measure.share)


def test_ended_activities_by_reason(figures):
    assert values(figures.table("enrollment_endings")) == {
        "lost_interest": 6,
        "too_expensive": "under 5",
        "transport": "under 5",
        "social_reasons": "under 5",
        "moved": "under 5",
        "other": "under 5",
        "unknown": "under 5",
        "total": 8,
    }


def test_activities_started_by_category_and_own_choice(figures):
    assert values(figures.table("activities_by_category")) == {"music": 6, "sport": 7, "total": 12}
    assert figures.table("own_choice").row("own_choice").cells == (
        Cell(11),
        Cell(6),
        Cell(6 / 11, Measure.share),
    )


# --- money, things and guides --------------------------------------------------------------


def test_support_by_kind_committed_and_paid(figures):
    table = figures.table("support_by_kind")
    assert table.row("membership_fee").cells == (
        Cell(6),
        Cell(600_000, Measure.money),
        Cell(400_000, Measure.money),
    )
    assert table.row("equipment").cells == (
        Cell(5),
        Cell(250_000, Measure.money),
        Cell(100_000, Measure.money),
    )
    assert all(cell.hidden for cell in table.row("trips_events").cells)
    assert table.row("total").cells == (
        Cell(13),
        Cell(910_000, Measure.money),
        Cell(500_000, Measure.money),
    )


def test_funds_against_budget_keep_the_budget_and_hide_a_second_fund(figures):
    table = figures.table("support_by_fund")
    assert [row.label for row in table.rows[:-1]] == [
        "Fritidsstipend (2026)",
        "Sommerfond (2026)",
        "Utstyrsfond (2026)",
    ]
    stipend, summer, equipment = table.rows[:3]
    # The summer fund has no child; hiding it alone would let 13 − 7 reveal the stipend's 6.
    assert summer.cells[0] == Cell(50_000, Measure.money)
    assert all(cell.hidden for cell in summer.cells[1:])
    assert stipend.cells[0] == Cell(1_000_000, Measure.money)
    assert all(cell.hidden for cell in stipend.cells[1:])
    assert equipment.cells == (
        Cell(300_000, Measure.money),
        Cell(7),
        Cell(310_000, Measure.money),
        Cell(100_000, Measure.money),
        Cell(-10_000, Measure.money),
    )
    assert table.row("total").cells == (
        Cell(1_350_000, Measure.money),
        Cell(13),
        Cell(910_000, Measure.money),
        Cell(500_000, Measure.money),
        Cell(440_000, Measure.money),
    )


def test_equipment_out_and_overdue(figures):
    assert values(figures.table("equipment")) == {"out": 6, "overdue": "under 5"}


def test_guides_active_with_free_places_and_expiring_certificates(figures):
    assert values(figures.table("guides")) == {
        "active": 2,
        "free_places": 1,
        "certificate_expiring": 1,
    }


def test_expiring_certificates_are_counted_within_the_configured_window(db, app, monkeypatch):
    org = build_data_set(db)
    settings = app.extensions["fritidsguide.settings"]

    def expiring_within(days: int) -> tuple[object, str]:
        changed = dataclasses.replace(settings, police_certificate_warning_days=days)
        monkeypatch.setitem(app.extensions, "fritidsguide.settings", changed)
        table = organisation_figures(organisation_id=org.id, period=YEAR_2026, today=TODAY)
        [row] = [row for row in table.table("guides").rows if row.key == "certificate_expiring"]
        return row.cells[0].value, str(row.label)

    # One certificate runs out on 1 February 2027 (17 days on), the other on 1 June 2028.
    assert expiring_within(10) == (0, "Politiattesten går ut innen 10 dager")
    assert expiring_within(17) == (1, "Politiattesten går ut innen 17 dager")
    assert expiring_within(600) == (2, "Politiattesten går ut innen 600 dager")


# --- a larger data set (tests/web/test_reports.py counts the page's statements on it) -----


def add_busy_cases(org, how_many: int) -> None:
    """Cases with a referral, a guide, an activity, a closure, a grant and a loan each."""
    referrer = factories.user(org, "referrer", second_factor=False)
    offer = factories.activity(org)
    fund = Fund(organisation_id=org.id, name="Fond", source="Stat", year=2026, budget=10**9)
    _db.session.add(fund)
    for number in range(how_many):
        submitted = at(dt.date(2026, 1 + number % 12, 1 + number % 28))
        case = refer(
            org,
            referrer,
            kind=list(ReferrerKind)[number % 6],
            submitted=submitted,
            area=f"Område {number % 7}",
        )
        case.guide_assigned_at = submitted + dt.timedelta(days=number % 9)
        case.first_activity_at = submitted + dt.timedelta(days=10 + number % 30)
        enroll(
            case,
            offer,
            started=case.first_activity_at.date(),
            ended_after=number % 200,
            end_reason="moved",
            is_own_choice=number % 2 == 0,
        )
        if number % 3 == 0:
            case.status, case.close_reason, case.closed_at = (
                "closed",
                "established",
                submitted + dt.timedelta(days=150),
            )
        _db.session.add_all(
            [
                SupportGrant(
                    organisation_id=org.id,
                    case_id=case.id,
                    fund=fund,
                    kind="membership_fee",
                    amount=1000,
                    payee_kind="club",
                    status="paid",
                    requested_by_id=referrer.id,
                    decided_at=submitted,
                ),
                EquipmentLoan(
                    organisation_id=org.id,
                    case_id=case.id,
                    item_type="Ski",
                    source="club",
                    lent_on=submitted.date(),
                    due_on=dt.date(2026, 6, 1),
                ),
            ]
        )
    _db.session.commit()
