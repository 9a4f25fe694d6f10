"""A realistic fictional organisation at a chosen size, for the benchmark and the demo.

Each case follows the real course (referred → accepted → guide → first contact → activity
→ closed) on a timeline ending today, so old cases are closed and new ones wait; visits,
follow-ups, enrollments, consents, support grants and the audit events those writes imply
come with it. Rows go in with SQLAlchemy Core ``insert()`` executemany in batches, values
encrypted with the app's FieldCipher directly: the ORM would cost minutes at 100 000 cases.

The same seed gives the same plaintext (names, dates, statuses); ciphertexts differ, since
every encryption draws a fresh nonce.

``generate_organisation`` makes a whole organisation for the benchmark (``python -m
bench.data``); ``add_history`` gives an organisation made elsewhere (the demo's) a past of
its own, in the caller's transaction, with proposed and trial activities and equipment loans
besides.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import heapq
import json
import random
import secrets
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pyotp
from flask import current_app
from sqlalchemy import Connection, Table, insert, text

from guide.accounts.models import ReferrerKind, User
from guide.accounts.passwords import hash_password
from guide.activities.models import Activity, ActivityExtraCost, Club, Enrollment
from guide.areas.models import Area, area_key, area_neighbours
from guide.audit.models import AuditEvent
from guide.cases.identity import REFERENCE_ALPHABET, child_identity_digest
from guide.cases.models import (
    Case,
    CaseStatusChange,
    Child,
    FollowUp,
    Guardian,
    Visit,
)
from guide.consents.models import Consent, ConsentWithdrawal
from guide.crypto.cipher import FieldCipher
from guide.demo import vocabulary as words
from guide.extensions import db
from guide.guides.models import GuideProfile, guide_profile_areas
from guide.referrals.models import Referral
from guide.referrals.services import interest_tags
from guide.roles import Role
from guide.support.models import EquipmentLoan, Fund, SupportGrant
from guide.tenant import Organisation

#: Cases are referred evenly over this many days before today.
HISTORY_DAYS = 3 * 365
BENCH_EMAIL_DOMAIN = "bench.fritidsguide.example"
BENCH_ORGANISATION = "Fritidsguiden i Benchby (benchmark, fictional)"
CONSENT_TEXT_VERSION = "2026-1"
DAY = 86_400.0
#: SQLite's page cache while generating (its default is 2 MB).
SQLITE_CACHE_KIB = 512 * 1024

#: Tables in foreign-key order; batches are written in this order.
TABLES: tuple[Table, ...] = tuple(
    getattr(model, "__table__", model)
    for model in (
        Organisation,
        Area,
        area_neighbours,
        Club,
        User,
        GuideProfile,
        guide_profile_areas,
        Activity,
        ActivityExtraCost,
        Fund,
        Child,
        Guardian,
        Case,
        Referral,
        CaseStatusChange,
        Visit,
        FollowUp,
        Enrollment,
        Consent,
        ConsentWithdrawal,
        SupportGrant,
        EquipmentLoan,
        AuditEvent,
    )
)


@dataclass(frozen=True)
class BenchAccount:
    """An account the benchmark signs in with: password and TOTP secret known to it."""

    role: str
    email: str
    password: str
    totp_secret: str


def new_bench_accounts() -> list[BenchAccount]:
    """A coordinator and a referrer with fresh random passwords and TOTP secrets."""
    return [
        BenchAccount(
            role=role,
            email=f"bench-{role}@{BENCH_EMAIL_DOMAIN}",
            password=secrets.token_urlsafe(18),
            totp_secret=pyotp.random_base32(length=32),
        )
        for role in (Role.coordinator.value, Role.referrer.value)
    ]


@dataclass(frozen=True)
class GeneratedOrganisation:
    organisation_id: uuid.UUID
    accounts: list[BenchAccount]
    counts: dict[str, int]
    seconds: float


def generate_organisation(
    *,
    cases: int,
    seed: int,
    accounts: list[BenchAccount] | None = None,
    today: dt.date | None = None,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> GeneratedOrganisation:
    """Fill the app's (migrated) database with one organisation of ``cases`` cases."""
    started = time.perf_counter()
    accounts = accounts if accounts is not None else new_bench_accounts()
    anchor = dt.datetime.combine(today or dt.date.today(), dt.time(6), tzinfo=dt.UTC)
    builder = _Builder(seed=seed, cases=cases, now=anchor)
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Random UUID keys touch pages all over each index: keep them in memory.
            connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        writer = _Writer(connection)
        builder.build_organisation(writer, accounts)
        writer.flush()
        for first in range(0, cases, batch_size):
            for index in range(first, min(first + batch_size, cases)):
                builder.build_case(writer, index)
            # Later cases only add events after the next referral, so these are final.
            bound = builder.referred_at(first + batch_size) if first + batch_size < cases else None
            builder.emit_events(writer, before=bound)
            writer.flush()
            if progress is not None:
                progress(min(first + batch_size, cases))
        builder.emit_events(writer, before=None)
        writer.flush()
        _analyse(connection)
    return GeneratedOrganisation(
        organisation_id=builder.organisation_id,
        accounts=accounts,
        counts=dict(writer.counts),
        seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True)
class HistoryStaff:
    """The people of an existing organisation whose names the history's rows carry."""

    coordinators: list[uuid.UUID]
    #: (user id, referrer type)
    referrers: list[tuple[uuid.UUID, str]]
    #: (guide profile id, the guide's user id)
    guides: list[tuple[uuid.UUID, uuid.UUID]]


def add_history(
    *,
    organisation_id: uuid.UUID,
    staff: HistoryStaff,
    offers: list[Offer],
    cases: int,
    seed: int,
    today: dt.date,
    history_days: int,
    email_domain: str,
    areas: Mapping[str, Area],
    extra_referrers: int = 0,
    extra_guides: int = 0,
) -> dict[str, int]:
    """Give an existing organisation ``cases`` children referred over ``history_days``.

    Their courses run up to ``today`` as in the benchmark, with the support funds of those
    years, some more referrers (of every type in turn) and guides (who cannot sign in),
    proposed and trial activities and equipment loans. The rows go into the session's
    transaction (flushed first); the caller commits. Returns the number of rows per table.
    """
    db.session.flush()
    anchor = dt.datetime.combine(today, dt.time(6), tzinfo=dt.UTC)
    builder = _Builder(
        seed=seed,
        cases=cases,
        now=anchor,
        history_days=history_days,
        email_domain=email_domain,
        areas=tuple(areas),
        extras=True,
    )
    builder.organisation_id = organisation_id
    builder.area_ids = {name: area.id for name, area in areas.items()}
    builder.staff.coordinators = list(staff.coordinators)
    for user_id, kind in staff.referrers:
        builder.staff.referrers.append(user_id)
        builder.staff.referrer_kinds[user_id] = kind
    builder.staff.guides = list(staff.guides)
    builder.offers = list(offers)
    writer = _Writer(db.session.connection(), commit=False)
    builder.add_staff(
        writer,
        referrers=extra_referrers,
        guides=extra_guides,
        password_hash=hash_password(secrets.token_urlsafe(24)),
        prefix="tidligere-",
        referrer_kinds=tuple(ReferrerKind),
    )
    builder.add_funds(writer)
    writer.flush()
    for index in range(cases):
        builder.build_case(writer, index)
    builder.emit_events(writer, before=None)
    writer.flush()
    return dict(writer.counts)


def _analyse(connection: Connection) -> None:
    # Fresh statistics, so the planner sees the tables as they now are.
    connection.execute(text("ANALYZE"))
    connection.commit()


class _Writer:
    """Buffers rows per table and writes them with one executemany per table."""

    def __init__(self, connection: Connection, *, commit: bool = True) -> None:
        self.connection = connection
        #: False when the rows go into the caller's transaction, which the caller commits.
        self.commit = commit
        self.rows: dict[str, list[dict[str, Any]]] = {table.name: [] for table in TABLES}
        self.counts: dict[str, int] = {table.name: 0 for table in TABLES}

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.rows[table.name].append(row)

    def flush(self) -> None:
        for table in TABLES:
            rows = self.rows[table.name]
            if rows:
                self.connection.execute(insert(table), rows)
                self.counts[table.name] += len(rows)
                self.rows[table.name] = []
        if self.commit:
            self.connection.commit()


#: A queued audit event: (microseconds since the epoch, sequence number, action, actor id,
#: object type, object id, details); plain tuples keep the heap fast.
_Event = tuple[int, int, str, uuid.UUID | None, str | None, str | None, dict[str, Any]]


@dataclass
class _Staff:
    coordinators: list[uuid.UUID] = field(default_factory=list)
    referrers: list[uuid.UUID] = field(default_factory=list)
    #: Each referrer's type, which their referrals carry.
    referrer_kinds: dict[uuid.UUID, str] = field(default_factory=dict)
    #: (guide profile id, the guide's user id)
    guides: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)


@dataclass(frozen=True)
class Offer:
    """An activity that a history case may take part in."""

    activity_id: uuid.UUID
    club_id: uuid.UUID
    fee: int
    area: str


def _stamp(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _ascii(name: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ś": "s"})
    return name.lower().translate(table)


class _Builder:
    """Makes the rows; plaintext comes from per-case random streams seeded by ``seed``."""

    def __init__(
        self,
        *,
        seed: int,
        cases: int,
        now: dt.datetime,
        history_days: int = HISTORY_DAYS,
        email_domain: str = BENCH_EMAIL_DOMAIN,
        areas: tuple[str, ...] = words.AREAS,
        extras: bool = False,
    ) -> None:
        self.seed = seed
        self.cases = cases
        self.now = now.timestamp()
        self.start = self.now - history_days * DAY
        self.email_domain = email_domain
        self.areas = areas
        #: Also proposed and trial activities and equipment loans (the demo; not the bench).
        self.extras = extras
        self.rng = random.Random(f"bench:{seed}:organisation")
        self.cipher: FieldCipher = current_app.extensions["fritidsguide.cipher"]
        self.organisation_id = self._uuid(self.rng)
        self.staff = _Staff()
        self.offers: list[Offer] = []
        self.area_ids: dict[str, uuid.UUID] = {}
        self.funds: dict[int, uuid.UUID] = {}
        self.references: set[str] = set()
        self.events: list[_Event] = []
        self.event_order = 0
        self.last_event_at = 0

    # --- helpers -------------------------------------------------------------------------

    @staticmethod
    def _uuid(rng: random.Random) -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    def _seal(self, table: Table, column: str, row_id: uuid.UUID, value: str | None) -> Any:
        if value is None:
            return None
        return self.cipher.encrypt(value, table=table.name, column=column, row_id=str(row_id))

    def _reference(self, rng: random.Random, prefix: str) -> str:
        while True:
            code = prefix + "-" + "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(6))
            if code not in self.references:
                self.references.add(code)
                return code

    def referred_at(self, index: int) -> float:
        """When case ``index`` was referred: evenly spread, oldest first."""
        span = (self.now - self.start) / self.cases
        return self.start + (index + 0.5) * span

    def _event(
        self,
        at: float,
        action: str,
        *,
        actor: uuid.UUID | None,
        obj: tuple[str, uuid.UUID] | None = None,
        **details: Any,
    ) -> None:
        self.event_order += 1
        object_type, object_id = (obj[0], str(obj[1])) if obj else (None, None)
        heapq.heappush(
            self.events,
            (int(at * 1_000_000), self.event_order, action, actor, object_type, object_id, details),
        )

    def emit_events(self, writer: _Writer, *, before: float | None) -> None:
        """Write the queued events up to ``before``, in time order; the sealer chains them."""
        bound = None if before is None else int(before * 1_000_000)
        table = AuditEvent.__table__
        while self.events and (bound is None or self.events[0][0] < bound):
            queued_at, _order, action, actor_id, object_type, object_id, details = heapq.heappop(
                self.events
            )
            # Numbered by the database in time order; no two events share an instant.
            at = max(queued_at, self.last_event_at + 1)
            self.last_event_at = at
            event = SimpleNamespace(
                id=uuid.uuid4(),
                organisation_id=self.organisation_id,
                actor_id=actor_id,
                action=action,
                object_type=object_type,
                object_id=object_id,
                occurred_at=dt.datetime.fromtimestamp(at // 1_000_000, dt.UTC).replace(
                    microsecond=at % 1_000_000
                ),
                details=details,
            )
            writer.add(table, vars(event))

    # --- the organisation ----------------------------------------------------------------

    def build_organisation(self, writer: _Writer, accounts: list[BenchAccount]) -> None:
        rng = self.rng
        created = _stamp(self.start - 30 * DAY)
        writer.add(
            Organisation.__table__,
            {
                "id": self.organisation_id,
                "name": BENCH_ORGANISATION,
                "kind": "frivilligsentral",
                "municipality_number": None,
                "retention_days": 730,
                "follow_up_months": [1, 3, 6],
                "no_visit_nudge_weeks": 3,
                "police_certificate_valid_months": 36,
                "is_active": True,
                "created_at": created,
            },
        )
        self._build_areas(writer, created)
        clubs = self._build_catalogue(writer, created)
        # Staff who never sign in during the benchmark share one hash of a discarded password.
        shared_hash = hash_password(secrets.token_urlsafe(24))
        size = self.cases
        self._add_user(writer, Role.admin, "admin", "Aud Admin", shared_hash)
        for number in range(2 + size // 25_000):
            self.staff.coordinators.append(
                self._add_user(writer, Role.coordinator, f"koordinator{number}",
                               self._person(rng), shared_hash)
            )  # fmt: skip
        self.add_staff(
            writer,
            referrers=max(5, min(600, size // 150)),
            guides=max(8, min(3000, size // 40)),
            password_hash=shared_hash,
        )
        for number, club_id in enumerate(clubs[::2]):
            self._add_user(writer, Role.club_contact, f"klubb{number}", self._person(rng),
                           shared_hash, club_id=club_id)  # fmt: skip
        for account in accounts:
            self._add_bench_account(writer, account)
        self.add_funds(writer)

    def add_staff(
        self,
        writer: _Writer,
        *,
        referrers: int,
        guides: int,
        password_hash: str,
        prefix: str = "",
        referrer_kinds: tuple[ReferrerKind, ...] = (),
    ) -> None:
        """Referrers and guides with profiles, who never sign in.

        The referrers' types are ``referrer_kinds`` in turn, or drawn at random without them.
        """
        rng = self.rng
        for number in range(referrers):
            drawn = rng.choice(list(ReferrerKind))
            kind = referrer_kinds[number % len(referrer_kinds)] if referrer_kinds else drawn
            user_id = self._add_user(
                writer,
                Role.referrer,
                f"{prefix}henviser{number}",
                self._person(rng),
                password_hash,
                referrer_kind=kind.value,
            )
            self.staff.referrers.append(user_id)
            self.staff.referrer_kinds[user_id] = kind.value
        for number in range(guides):
            user_id = self._add_user(
                writer, Role.guide, f"{prefix}guide{number}", self._person(rng), password_hash
            )
            self.staff.guides.append((self._add_guide_profile(writer, user_id), user_id))

    def add_funds(self, writer: _Writer) -> None:
        """One support fund for each year of the history; only this year's is open."""
        rng, size = self.rng, self.cases
        for year in range(_stamp(self.start).year, _stamp(self.now).year + 1):
            fund_id = self._uuid(rng)
            self.funds[year] = fund_id
            writer.add(
                Fund.__table__,
                {
                    "id": fund_id,
                    "organisation_id": self.organisation_id,
                    "name": f"Fritidsstipend {year}",
                    "source": "Kommunen",
                    "year": year,
                    "budget": max(250_000, size * 400) * 100,
                    "notes": None,
                    "is_active": year == _stamp(self.now).year,
                    "created_at": _stamp(
                        max(self.start, dt.datetime(year, 1, 2, tzinfo=dt.UTC).timestamp())
                    ),
                },
            )

    def _person(self, rng: random.Random) -> str:
        return f"{rng.choice(words.ADULT_FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}"

    def _add_user(
        self,
        writer: _Writer,
        role: Role,
        local_part: str,
        full_name: str,
        password_hash: str,
        *,
        referrer_kind: str | None = None,
        club_id: uuid.UUID | None = None,
        email: str | None = None,
        totp_secret: str | None = None,
    ) -> uuid.UUID:
        user_id = self._uuid(self.rng)
        created = _stamp(self.start - 20 * DAY)
        table = User.__table__
        writer.add(
            table,
            {
                "id": user_id,
                "organisation_id": self.organisation_id,
                "email": email or f"{local_part}@{self.email_domain}",
                "full_name": full_name,
                "role": role.value,
                "referrer_kind": referrer_kind,
                "club_id": club_id,
                "password_hash": password_hash,
                "password_changed_at": created,
                "totp_secret": self._seal(table, "totp_secret", user_id, totp_secret),
                "totp_enrolled_at": created if totp_secret else None,
                "totp_last_step": None,
                "preferred_locale": "nb",
                "is_active": True,
                "failed_sign_ins": 0,
                "throttled_until": None,
                "last_sign_in_at": None,
                "created_at": created,
            },
        )
        return user_id

    def _add_bench_account(self, writer: _Writer, account: BenchAccount) -> None:
        role = Role(account.role)
        user_id = self._add_user(
            writer,
            role,
            "",
            f"Bench {role.value.title()}",
            hash_password(account.password),
            referrer_kind=ReferrerKind.school_nurse.value if role == Role.referrer else None,
            email=account.email,
            totp_secret=account.totp_secret,
        )
        if role == Role.coordinator:
            self.staff.coordinators.append(user_id)

    def _build_areas(self, writer: _Writer, created: dt.datetime) -> None:
        """The vocabulary's areas, each neighbouring the next; ids from the names, no draws."""
        self.area_ids = {name: uuid.uuid5(self.organisation_id, name) for name in self.areas}
        for name, area_id in self.area_ids.items():
            writer.add(
                Area.__table__,
                {
                    "id": area_id,
                    "organisation_id": self.organisation_id,
                    "name": name,
                    "name_key": area_key(name),
                    "aliases": [],
                    "is_active": True,
                    "version": 1,
                    "created_at": created,
                },
            )
        for first, second in zip(self.areas, self.areas[1:], strict=False):
            for area, neighbour in ((first, second), (second, first)):
                writer.add(
                    area_neighbours,
                    {"area_id": self.area_ids[area], "neighbour_id": self.area_ids[neighbour]},
                )

    def _add_guide_profile(self, writer: _Writer, user_id: uuid.UUID) -> uuid.UUID:
        rng = self.rng
        profile_id = self._uuid(rng)
        cleared = _stamp(self.start - 10 * DAY).date()
        languages = ["nb", *rng.sample(["en", "ar", "so", "uk", "pl", "ti"], k=1)]
        for area in rng.sample(self.areas, k=2):
            writer.add(
                guide_profile_areas,
                {"guide_profile_id": profile_id, "area_id": self.area_ids[area]},
            )
        writer.add(
            GuideProfile.__table__,
            {
                "id": profile_id,
                "organisation_id": self.organisation_id,
                "user_id": user_id,
                "languages": languages,
                "unmapped_areas": [],
                "interests": sorted(rng.sample(["football", "music", "dance", "chess"], k=2)),
                "capacity": rng.randint(1, 4),
                "availability_notes": None,
                "police_certificate_checked_on": cleared,
                "confidentiality_signed_on": cleared,
                "is_paused": False,
                "created_at": _stamp(self.start - 15 * DAY),
            },
        )
        return profile_id

    def _build_catalogue(self, writer: _Writer, created: dt.datetime) -> list[uuid.UUID]:
        rng = self.rng
        clubs = []
        for number in range(max(8, min(120, self.cases // 800))):
            club_id = self._uuid(rng)
            area = rng.choice(self.areas)
            name = f"{area} {rng.choice(words.CLUB_KINDS)} {number + 1}"
            writer.add(
                Club.__table__,
                {
                    "id": club_id,
                    "organisation_id": self.organisation_id,
                    "name": name,
                    "org_number": None,
                    "contact_person": self._person(rng),
                    "email": f"post@klubb{number + 1}.example.org",
                    "phone": None,
                    "website": None,
                    "area": area,
                    "area_id": self.area_ids[area],
                    "is_active": True,
                    "created_at": created,
                },
            )
            clubs.append(club_id)
            category, names = rng.choice(words.ACTIVITIES_BY_CATEGORY)
            for _ in range(rng.randint(1, 5)):
                self._add_activity(writer, club_id, area, category, rng.choice(names), created)
        return clubs

    def _add_activity(
        self,
        writer: _Writer,
        club_id: uuid.UUID,
        area: str,
        category: str,
        name: str,
        created: dt.datetime,
    ) -> None:
        rng = self.rng
        activity_id = self._uuid(rng)
        low = rng.randint(6, 13)
        fee = rng.choice([0, 300, 600, 900, 1200, 1600, 2400]) * 100
        writer.add(
            Activity.__table__,
            {
                "id": activity_id,
                "organisation_id": self.organisation_id,
                "club_id": club_id,
                "category_key": category,
                "name": f"{name} {low}–{low + 3} år",
                "description": None,
                "min_age": low,
                "max_age": low + 3,
                "area": area,
                "area_id": self.area_ids[area],
                "meeting_place": f"{area} flerbrukshall",
                "weekday": rng.randint(0, 6),
                "starts_at": dt.time(17),
                "ends_at": dt.time(18, 30),
                "season": "Høst og vår",
                "fee_per_season": fee,
                "equipment_needed": None,
                "equipment_can_be_borrowed": rng.random() < 0.5,
                "leader_languages": ["nb"],
                "accessibility_notes": None,
                "has_free_trial": rng.random() < 0.6,
                "places_left": rng.choice([None, 0, 2, 5, 10]),
                "has_waiting_list": False,
                "is_active": True,
                "created_at": created,
            },
        )
        if rng.random() < 0.4:
            writer.add(
                ActivityExtraCost.__table__,
                {
                    "id": self._uuid(rng),
                    "activity_id": activity_id,
                    "kind": rng.choice(["trips", "cups", "camps"]),
                    "label": None,
                    "amount": rng.choice([300, 650, 900, 1800]) * 100,
                },
            )
        self.offers.append(Offer(activity_id, club_id, fee, area))

    # --- one case --------------------------------------------------------------------------

    def build_case(self, writer: _Writer, index: int) -> None:
        """Child, guardians, consents, referral, case and its course up to today."""
        _CaseBuilder(self, writer, index).build()


class _CaseBuilder:
    """One child's course; its plaintext depends only on the seed and the case number."""

    def __init__(self, org: _Builder, writer: _Writer, index: int) -> None:
        self.org = org
        self.writer = writer
        self.rng = random.Random(f"bench:{org.seed}:case:{index}")
        self.t0 = org.referred_at(index)
        self.case_id = org._uuid(self.rng)
        self.child_id = org._uuid(self.rng)
        #: For what only the demo adds, so the bench's stream stays as it was.
        self.extra_rng = random.Random(f"bench:{org.seed}:case:{index}:extras")
        self.status_changes: list[tuple[float, str | None, str, uuid.UUID]] = []
        self.guide: tuple[uuid.UUID, uuid.UUID] | None = None

    def _open(self, at: float) -> bool:
        return at < self.org.now

    def build(self) -> None:
        rng, org = self.rng, self.org
        referrer = rng.choice(org.staff.referrers)
        coordinator = rng.choice(org.staff.coordinators)
        guardians = self._child_and_guardians()
        self._scheme_consent(guardians[0], referrer)
        times = self._course()
        case_row = self._case_row(times, referrer, coordinator)
        self._referral(times, referrer, coordinator, guardians[0])
        self._history(times, referrer, coordinator)
        if times.get("in_progress") is not None:
            case_row["last_visit_on"] = self._visits(times)
        # Added once its last visit is known; rows go in table by table, so this order is free.
        self.writer.add(Case.__table__, case_row)
        if times.get("active") is not None:
            self._activity(times, guardians[0], coordinator)
        if org.extras:
            self._extras(times)

    def _extras(self, times: dict[str, Any]) -> None:
        """A proposed or trial activity while the guide looks; equipment lent once started."""
        rng, org = self.extra_rng, self.org
        if "in_progress" in times and "active" not in times and "closed" not in times:
            proposed = times["in_progress"] + rng.uniform(2, 10) * DAY
            if self._open(proposed):
                nearby = [offer for offer in org.offers if offer.area == self.area]
                offer = rng.choice(nearby or org.offers)
                trial = rng.random() < 0.5 and self._open(proposed + 7 * DAY)
                self.writer.add(
                    Enrollment.__table__,
                    {
                        "id": org._uuid(rng),
                        "case_id": self.case_id,
                        "activity_id": offer.activity_id,
                        "status": "trial" if trial else "proposed",
                        "is_main": False,
                        "is_own_choice": True,
                        "proposed_by_id": self.guide[1] if self.guide else None,
                        "started_on": _stamp(proposed + 7 * DAY).date() if trial else None,
                        "ended_on": None,
                        "end_reason": None,
                        "created_at": _stamp(proposed),
                    },
                )
        if "active" in times and rng.random() < 0.4:
            self._loan(times, rng)

    def _loan(self, times: dict[str, Any], rng: random.Random) -> None:
        org = self.org
        lent = _stamp(times["active"] - rng.uniform(0, 5) * DAY).date()
        due = lent + dt.timedelta(days=rng.choice([90, 120, 180, 270]))
        today = _stamp(org.now).date()
        closed = times.get("closed")
        # Most come back on time; a few are late and some are still out past their date.
        back = due + dt.timedelta(days=rng.randint(-40, 20))
        if closed is not None:
            back = min(back, _stamp(closed).date())
        returned = back if back <= today and rng.random() < 0.85 else None
        loan_id = org._uuid(rng)
        self.writer.add(
            EquipmentLoan.__table__,
            {
                "id": loan_id,
                "organisation_id": org.organisation_id,
                "case_id": self.case_id,
                "item_id": None,
                "item_type": rng.choice(words.LOAN_ITEMS),
                "size": rng.choice([None, "S", "M", "L", "36", "38"]),
                "condition": rng.choice(["ny", "god", "brukt"]),
                "source": rng.choice(["own_store", "equipment_library", "club"]),
                "lent_on": lent,
                "due_on": due,
                "returned_on": returned,
                "note": None,
                "reminder_sent_at": None,
            },
        )

    def _course(self) -> dict[str, float | None]:
        """The instants of each transition; those after today did not happen yet."""
        rng = self.rng
        t = self.t0 + rng.uniform(0.5, 10) * DAY
        times: dict[str, float | None] = {}
        if rng.random() < 0.08:
            times["declined"] = t
            return self._until_today(times)
        times["accepted"] = t
        t += rng.uniform(2, 40) * DAY
        times["guide_assigned"] = t
        t += rng.uniform(1, 14) * DAY
        times["in_progress"] = t
        if rng.random() < 0.12:
            times["closed"] = t + rng.uniform(20, 90) * DAY
            times["close_reason"] = rng.choice(["family_declined", "no_contact", "moved"])
            return self._until_today(times)
        t += rng.uniform(7, 45) * DAY
        times["active"] = t
        if rng.random() < 0.1:
            times["paused"] = t + rng.uniform(30, 120) * DAY
        times["closed"] = t + rng.uniform(120, 420) * DAY
        times["close_reason"] = rng.choices(
            ["established", "dropped_out", "moved", "other"], weights=[70, 20, 5, 5]
        )[0]
        return self._until_today(times)

    def _until_today(self, times: dict[str, Any]) -> dict[str, Any]:
        kept = {key: value for key, value in times.items() if key == "close_reason" or (
            value is not None and self._open(value))}  # fmt: skip
        if "closed" not in kept:
            kept.pop("close_reason", None)
        return kept

    def _status(self, times: dict[str, Any]) -> str:
        for status in ("closed", "declined", "paused", "active", "in_progress",
                       "guide_assigned", "accepted"):  # fmt: skip
            if status in times:
                return status
        return "referred"

    def _child_and_guardians(self) -> list[tuple[uuid.UUID, str, str]]:
        rng, org, writer = self.rng, self.org, self.writer
        first = rng.choice(words.CHILD_FIRST_NAMES)
        last = rng.choice(words.LAST_NAMES)
        referred = _stamp(self.t0)
        born = referred.date() - dt.timedelta(days=rng.randint(6 * 365, 16 * 365))
        area = rng.choice(org.areas)
        age = (referred.date() - born).days // 365
        table = Child.__table__
        second_language = rng.choice(["", "", "ar", "so", "uk", "pl", "ti", "en"])
        writer.add(
            table,
            {
                "id": self.child_id,
                "organisation_id": org.organisation_id,
                "first_name": org._seal(table, "first_name", self.child_id, first),
                "last_name": org._seal(table, "last_name", self.child_id, last),
                "birth_date": org._seal(table, "birth_date", self.child_id, born.isoformat()),
                "national_id": None,
                "identity_index": child_identity_digest(first, last, born),
                "school": f"{area} skole",
                "school_class": f"{max(1, min(10, age - 5))}{rng.choice('ABC')}",
                "area": area,
                "area_id": org.area_ids[area],
                "languages": ["nb", second_language] if second_language else ["nb"],
                "created_at": referred,
                "updated_at": referred,
            },
        )
        self.area = area
        guardians = []
        table = Guardian.__table__
        for number in range(1 if rng.random() < 0.4 else 2):
            guardian_id = org._uuid(rng)
            relation = ("mother", "father")[number] if rng.random() < 0.9 else "other_guardian"
            given = rng.choice(words.ADULT_FIRST_NAMES)
            full_name = f"{given} {last}"
            street = f"{rng.choice(words.STREETS)} {rng.randint(1, 120)}"
            language = second_language or "nb"
            writer.add(
                table,
                {
                    "id": guardian_id,
                    "organisation_id": org.organisation_id,
                    "child_id": self.child_id,
                    "full_name": org._seal(table, "full_name", guardian_id, full_name),
                    "phone": org._seal(
                        table, "phone", guardian_id, f"+47 9{rng.randint(0, 9_999_999):07d}"
                    ),
                    "email": org._seal(
                        table,
                        "email",
                        guardian_id,
                        f"{_ascii(given)}.{_ascii(last)}{rng.randint(1, 999)}@example.org",
                    ),
                    "address": org._seal(table, "address", guardian_id, f"{street}, 1234 Benchby"),
                    "relation": relation,
                    "has_parental_responsibility": True,
                    "preferred_language": language,
                    "needs_interpreter": language not in {"nb", "en"} and rng.random() < 0.5,
                    "created_at": referred,
                },
            )
            guardians.append((guardian_id, full_name, relation))
        self.guardian_count = len(guardians)
        return guardians

    def _consent(
        self,
        guardian: tuple[uuid.UUID, str, str],
        *,
        at: float,
        recorded_by: uuid.UUID,
        purpose: str,
        categories: list[str],
        club_id: uuid.UUID | None,
        valid_until: float | None,
    ) -> None:
        rng, org = self.rng, self.org
        consent_id = org._uuid(rng)
        table = Consent.__table__
        method = rng.choice(["signed_paper", "verbal_documented"])
        language = "nb"
        self.writer.add(
            table,
            {
                "id": consent_id,
                "organisation_id": org.organisation_id,
                "child_id": self.child_id,
                "guardian_id": guardian[0],
                "given_by_name": org._seal(table, "given_by_name", consent_id, guardian[1]),
                "given_by_relation": guardian[2],
                "basis": "parental_responsibility",
                "child_heard": True,
                "child_view": None,
                "purpose": purpose,
                "categories": categories,
                "recipient_kind": "club" if club_id else "scheme",
                "recipient_club_id": club_id,
                "method": method,
                "documented_by_id": recorded_by if method == "verbal_documented" else None,
                "scan": None,
                "scan_sha256": None,
                "scan_content_type": None,
                "text_version": CONSENT_TEXT_VERSION,
                "text_language": language,
                # A stand-in fingerprint: the bench does not render consent texts.
                "text_sha256": hashlib.sha256(
                    f"bench consent text {CONSENT_TEXT_VERSION} {language}".encode()
                ).hexdigest(),
                "given_at": _stamp(at),
                "valid_until": _stamp(valid_until) if valid_until else None,
                "recorded_by_id": recorded_by,
                "created_at": _stamp(at),
            },
        )
        org._event(at, "consent_recorded", actor=recorded_by, obj=("Consent", consent_id),
                   child_id=str(self.child_id), method=method,
                   recipient_kind="club" if club_id else "scheme",
                   club_id=str(club_id) if club_id else None, categories=categories,
                   text_version=CONSENT_TEXT_VERSION, text_language=language,
                   has_scan=False)  # fmt: skip
        withdrawn = at + rng.uniform(10, 300) * DAY
        if rng.random() < 0.03 and self._open(withdrawn):
            self.writer.add(
                ConsentWithdrawal.__table__,
                {
                    "id": org._uuid(rng),
                    "consent_id": consent_id,
                    "withdrawn_at": _stamp(withdrawn),
                    "withdrawn_by_name": None,
                    "channel": "phone",
                    "recorded_by_id": recorded_by,
                },
            )
            org._event(withdrawn, "consent_withdrawn", actor=recorded_by,
                       obj=("Consent", consent_id), channel="phone")  # fmt: skip

    def _scheme_consent(self, guardian: tuple[uuid.UUID, str, str], referrer: uuid.UUID) -> None:
        self._consent(
            guardian,
            at=self.t0 - self.rng.uniform(0, 7) * DAY,
            recorded_by=referrer,
            purpose="follow_up",
            categories=["contact", "identity", "practical_needs"],
            club_id=None,
            valid_until=None,
        )

    def _case_row(
        self, times: dict[str, Any], referrer: uuid.UUID, coord: uuid.UUID
    ) -> dict[str, Any]:
        rng, org = self.rng, self.org
        status = self._status(times)
        if "guide_assigned" in times:
            self.guide = rng.choice(org.staff.guides)
        interests = rng.choice(words.INTERESTS)
        barriers = ["economy"] if rng.random() < 0.8 else []
        barriers += rng.sample(["transport", "language", "social", "unaware_of_offers"], k=1)
        transitions = [key for key in ("accepted", "declined", "guide_assigned", "in_progress",
                                       "active", "paused", "closed") if key in times]  # fmt: skip
        last_change = max([self.t0, *(times[key] for key in transitions)])
        table = Case.__table__
        return {
            "id": self.case_id,
            "organisation_id": org.organisation_id,
            "child_id": self.child_id,
            "reference": org._reference(rng, "FG"),
            "status": status,
            "help_level": rng.choice(
                ["information", "find_activity", "follow_first_times", "full_follow_up"]
            ),
            "interests_in_own_words": org._seal(
                table, "interests_in_own_words", self.case_id, interests
            ),
            "interest_tags": interest_tags(interests),
            "barriers": sorted(barriers),
            "assigned_guide_id": self.guide[0] if self.guide else None,
            "referred_at": _stamp(self.t0),
            "accepted_at": _stamp(times["accepted"]) if "accepted" in times else None,
            "guide_assigned_at": _stamp(times["guide_assigned"]) if self.guide else None,
            "first_contact_at": _stamp(times["in_progress"]) if "in_progress" in times else None,
            "first_activity_at": _stamp(times["active"]) if "active" in times else None,
            "closed_at": _stamp(times["closed"]) if "closed" in times else None,
            "last_visit_on": None,
            "close_reason": times.get("close_reason"),
            "close_note": None,
            # Each update after the insert raised the optimistic-locking version by one.
            "version": 1 + len(transitions),
            "created_at": _stamp(self.t0),
            "updated_at": _stamp(last_change),
        }

    def _referral(
        self,
        times: dict[str, Any],
        referrer: uuid.UUID,
        coordinator: uuid.UUID,
        guardian: tuple[uuid.UUID, str, str],
    ) -> None:
        rng, org = self.rng, self.org
        referral_id = org._uuid(rng)
        table = Referral.__table__
        reference = org._reference(rng, "HV")
        drawn_kind = rng.choice(list(ReferrerKind)).value  # drawn always: the stream stays put
        decided = times.get("accepted") or times.get("declined")
        status = "received" if decided is None else ("accepted" if "accepted" in times else
                                                     "declined")  # fmt: skip
        self.writer.add(
            table,
            {
                "id": referral_id,
                "organisation_id": org.organisation_id,
                "reference": reference,
                "child_id": self.child_id,
                "case_id": self.case_id,
                "referred_by_id": referrer,
                "referrer_kind": org.staff.referrer_kinds.get(referrer, drawn_kind),
                "status": status,
                "reason": org._seal(table, "reason", referral_id,
                                    rng.choice(words.REFERRAL_REASONS)),
                "interests_in_own_words": None,
                "barriers": ["economy"],
                "help_level": "find_activity",
                "consent_given_by": org._seal(table, "consent_given_by", referral_id,
                                              guardian[1]),
                "consent_relation": guardian[2],
                "consent_method": "signed_paper",
                "consent_given_on": _stamp(self.t0).date(),
                "submitted_at": _stamp(self.t0),
                "decided_by_id": coordinator if decided else None,
                "decided_at": _stamp(decided) if decided else None,
                "decline_reason": org._seal(table, "decline_reason", referral_id,
                                            "Utenfor ordningens målgruppe.")
                if status == "declined" else None,
            },
        )  # fmt: skip
        org._event(self.t0, "referral_submitted", actor=referrer,
                   obj=("Referral", referral_id), case_id=str(self.case_id),
                   guardians=self.guardian_count)  # fmt: skip
        if decided is not None:
            org._event(decided, f"referral_{status}", actor=coordinator,
                       obj=("Referral", referral_id), case_id=str(self.case_id))  # fmt: skip

    def _history(self, times: dict[str, Any], referrer: uuid.UUID, coordinator: uuid.UUID) -> None:
        org = self.org
        guide_user = self.guide[1] if self.guide else None
        actors = {
            "accepted": coordinator,
            "declined": coordinator,
            "guide_assigned": coordinator,
            "in_progress": guide_user,
            "active": guide_user,
            "paused": coordinator,
            "closed": coordinator,
        }
        steps = [(self.t0, None, "referred", referrer)]
        previous = "referred"
        for status in ("accepted", "declined", "guide_assigned", "in_progress", "active",
                       "paused", "closed"):  # fmt: skip
            if status in times:
                steps.append((times[status], previous, status, actors[status]))
                previous = status
        table = CaseStatusChange.__table__
        for at, before, after, actor in steps:
            self.writer.add(
                table,
                {
                    "id": org._uuid(self.rng),
                    "case_id": self.case_id,
                    "from_status": before,
                    "to_status": after,
                    "changed_by_id": actor,
                    "changed_at": _stamp(at),
                    "note": None,
                },
            )
            if before is not None:
                org._event(at, "case_status_changed", actor=actor, obj=("Case", self.case_id),
                           **{"from": before, "to": after})  # fmt: skip
            if after == "guide_assigned" and self.guide:
                org._event(at + 1, "case_guide_assigned", actor=actor,
                           obj=("Case", self.case_id), guide_id=str(self.guide[0]))  # fmt: skip

    def _visits(self, times: dict[str, Any]) -> dt.date | None:
        """The visits up to today (or the closing); returns the last one's date."""
        rng, org = self.rng, self.org
        assert self.guide is not None
        author = self.guide[1]
        end = min(times.get("closed", org.now), org.now)
        at = times["in_progress"]
        kind = "home_visit"
        table = Visit.__table__
        last_visit_on = None
        for _ in range(24):
            if at >= end:
                break
            visit_id = org._uuid(rng)
            last_visit_on = _stamp(at).date()
            self.writer.add(
                table,
                {
                    "id": visit_id,
                    "case_id": self.case_id,
                    "author_id": author,
                    "kind": kind,
                    "occurred_on": last_visit_on,
                    "duration_minutes": rng.choice([15, 30, 45, 60, 90]),
                    "notes": org._seal(table, "notes", visit_id, rng.choice(words.VISIT_NOTES)),
                    "child_words": org._seal(table, "child_words", visit_id,
                                             rng.choice(words.CHILD_WORDS))
                    if rng.random() < 0.5 else None,
                    "created_at": _stamp(at + 3600),
                },
            )  # fmt: skip
            org._event(at + 3600, "visit_logged", actor=author, obj=("Case", self.case_id),
                       kind=kind)  # fmt: skip
            at += rng.uniform(10, 45) * DAY
            kind = rng.choice(["phone_call", "accompanied_session", "club_meeting", "follow_up"])
        return last_visit_on

    def _activity(
        self, times: dict[str, Any], guardian: tuple[uuid.UUID, str, str], coordinator: uuid.UUID
    ) -> None:
        rng, org = self.rng, self.org
        assert self.guide is not None
        guide_user = self.guide[1]
        started = times["active"]
        nearby = [offer for offer in org.offers if offer.area == self.area]
        offer = rng.choice(nearby if nearby and rng.random() < 0.7 else org.offers)
        closed = times.get("closed")
        ended = closed is not None and times.get("close_reason") != "established"
        enrollment_id = org._uuid(rng)
        self.writer.add(
            Enrollment.__table__,
            {
                "id": enrollment_id,
                "case_id": self.case_id,
                "activity_id": offer.activity_id,
                "status": "ended" if ended else "enrolled",
                "is_main": True,
                "is_own_choice": rng.random() < 0.85,
                "proposed_by_id": guide_user,
                "started_on": _stamp(started).date(),
                "ended_on": _stamp(closed).date() if ended and closed else None,
                "end_reason": rng.choice(["lost_interest", "too_expensive", "social_reasons"])
                if ended
                else None,
                "created_at": _stamp(started - 7 * DAY),
            },
        )
        org._event(started, "enrollment_enrolled", actor=guide_user, obj=("Case", self.case_id),
                   enrollment_id=str(enrollment_id), activity_id=str(offer.activity_id),
                   status="enrolled")  # fmt: skip
        self._consent(
            guardian,
            at=started - 2 * DAY,
            recorded_by=guide_user,
            purpose="start_activity",
            categories=["contact", "identity"],
            club_id=offer.club_id,
            valid_until=started + 365 * DAY,
        )
        self._follow_ups(started, closed, guide_user)
        self._grants(offer, started, guide_user, coordinator)

    def _follow_ups(self, started: float, closed: float | None, guide_user: uuid.UUID) -> None:
        rng, org = self.rng, self.org
        org._event(started + 1, "follow_ups_scheduled", actor=None, obj=("Case", self.case_id),
                   months=[1, 3, 6])  # fmt: skip
        for months in (1, 3, 6):
            due = started + months * 30.4 * DAY
            if closed is not None and due > closed:
                break
            done = due + rng.uniform(-5, 12) * DAY
            is_done = self._open(done) and rng.random() < 0.9
            # Closing the case called it off if it was not done by then.
            cancelled = closed is not None and (not is_done or done > closed)
            follow_up_id = org._uuid(rng)
            self.writer.add(
                FollowUp.__table__,
                {
                    "id": follow_up_id,
                    "case_id": self.case_id,
                    "months_after": months,
                    "due_on": _stamp(due).date(),
                    "done_at": _stamp(done) if is_done else None,
                    "done_by_id": guide_user if is_done else None,
                    "cancelled_at": _stamp(closed) if cancelled else None,
                    "note": None,
                },
            )
            if is_done:
                org._event(done, "follow_up_done", actor=guide_user, obj=("Case", self.case_id),
                           follow_up_id=str(follow_up_id))  # fmt: skip

    def _grants(
        self, offer: Offer, started: float, guide_user: uuid.UUID, coordinator: uuid.UUID
    ) -> None:
        rng, org = self.rng, self.org
        wanted = []
        if offer.fee and rng.random() < 0.85:
            wanted.append(("membership_fee", offer.fee))
        if rng.random() < 0.3:
            wanted.append(("equipment", rng.randint(3, 15) * 10_000))
        if rng.random() < 0.2:
            wanted.append(("trips_events", rng.randint(2, 18) * 10_000))
        table = SupportGrant.__table__
        for kind, amount in wanted:
            grant_id = org._uuid(rng)
            requested = started - rng.uniform(1, 5) * DAY
            decided = requested + rng.uniform(1, 7) * DAY
            paid = decided + rng.uniform(3, 20) * DAY
            steps = [("requested", requested, guide_user)]
            if self._open(decided):
                steps.append(("approved", decided, coordinator))
            if self._open(paid):
                steps.append(("paid", paid, coordinator))
            self.writer.add(
                table,
                {
                    "id": grant_id,
                    "organisation_id": org.organisation_id,
                    "case_id": self.case_id,
                    "fund_id": org.funds.get(_stamp(requested).year),
                    "kind": kind,
                    "amount": amount,
                    "activity_id": offer.activity_id,
                    "payee_kind": "club",
                    "payee_club_id": offer.club_id,
                    "payee_name": None,
                    "reason": None,
                    "status": steps[-1][0],
                    "requested_by_id": guide_user,
                    "requested_at": _stamp(requested),
                    "decided_by_id": coordinator if len(steps) > 1 else None,
                    "decided_at": _stamp(decided) if len(steps) > 1 else None,
                    "decision_note": None,
                    "override_reason": None,
                    "paid_by_id": coordinator if len(steps) > 2 else None,
                    "paid_at": _stamp(paid) if len(steps) > 2 else None,
                    "payment_reference": f"BILAG-{rng.randint(10_000, 99_999)}"
                    if len(steps) > 2
                    else None,
                    "version": len(steps),
                },
            )
            for step, at, actor in steps:
                org._event(at, f"support_grant_{step}", actor=actor,
                           obj=("SupportGrant", grant_id), kind=kind)  # fmt: skip


def iter_counts(counts: dict[str, int]) -> Iterator[str]:
    """Lines such as ``cases: 1 000`` for the CLI, in foreign-key order."""
    for table in TABLES:
        yield f"{table.name}: {counts.get(table.name, 0):,}".replace(",", " ")


def dumps_accounts(accounts: list[BenchAccount]) -> str:
    """The bench accounts as JSON, for the file the benchmark driver reads."""
    return json.dumps([dataclasses.asdict(account) for account in accounts], indent=2)
