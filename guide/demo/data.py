"""A fictional demo organisation with users for every role and children in every case state.

Every name here is made up. Loading twice changes nothing: the organisation is
looked up by its name first. Besides the named children below, the organisation gets a
past of its own (``guide.demo.history``, the benchmark's generator): a few hundred
children referred since before last year began, each through the stages a real course
has, made from a fixed seed, so the dashboard, the figures and last year's annual report
show real shapes.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from guide.accounts.models import ReferrerKind, User
from guide.accounts.passwords import hash_password
from guide.activities.models import Activity, ActivityExtraCost, Club, Enrollment
from guide.areas.models import Area, area_key
from guide.audit.services import record_event
from guide.cases.identity import child_identity_digest, new_reference
from guide.cases.models import Case, CaseStatusChange, Child, CloseReason, Guardian, Visit
from guide.cases.workflow import change_status
from guide.consents.services import record_consent
from guide.consents.sharing import share_with_club
from guide.consents.texts import CURRENT_TEXT_VERSION
from guide.database import utcnow
from guide.dates import local_date
from guide.demo.history import HistoryStaff, Offer, add_history
from guide.extensions import db
from guide.guides.models import GuideProfile
from guide.referrals.models import Referral, ReferralStatus
from guide.roles import Role
from guide.tenant import Organisation, OrganisationKind

DEMO_ORGANISATION = "Frivilligsentralen i Eksempelby (demo)"
DEMO_EMAIL_DOMAIN = "demo.fritidsguide.example"


#: The demo's past: always the same children, courses and dates (relative to today).
DEMO_SEED = 2026
#: About fifteen referrals a month, from two months before last year began (the annual
#: report shows last year) until today: between about 210 and 390 children.
REFERRALS_PER_30_DAYS = 15
HISTORY_LEAD_DAYS = 60
#: Referrers and guides of the past who cannot sign in, so that no guide carries a hundred
#: children and the referrals come from every type of referrer.
HISTORY_REFERRERS = 6
HISTORY_GUIDES = 12
#: What the demo shares with its club contact's club, under the family's consent.
SHARED_CATEGORIES = ("identity", "contact")


@dataclass(frozen=True)
class DemoAccount:
    """A demo account as printed once: who it is, how to sign in, and where it belongs."""

    role: Role
    full_name: str
    email: str
    password: str
    referrer_kind: ReferrerKind | None = None
    club_name: str | None = None


@dataclass(frozen=True)
class _Demo:
    """The demo organisation's people, places and activities, as the loader makes them."""

    organisation: Organisation
    users: dict[str, User]
    guides: list[GuideProfile]
    activities: list[Activity]
    areas: dict[str, Area]


#: (role, local part of the e-mail, full name, referrer kind)
DEMO_USERS = (
    (Role.admin, "admin", "Aud Admin", None),
    (Role.coordinator, "koordinator", "Kari Koordinator", None),
    (Role.coordinator, "koordinator2", "Knut Koordinator", None),
    (Role.referrer, "helsesykepleier", "Hanne Helsesykepleier", ReferrerKind.school_nurse),
    (Role.referrer, "laerer", "Lars Lærer", ReferrerKind.teacher),
    (Role.guide, "guide", "Guro Guide", None),
    (Role.guide, "guide2", "Gunnar Guide", None),
    (Role.guide, "guide3", "Gina Guide", None),
    (Role.club_contact, "klubb", "Kjell Klubbkontakt", None),
)

#: (area, other spellings, neighbouring areas); each neighbourhood is listed both ways.
DEMO_AREAS = (
    ("Nord", ["Nordbyen"], ["Sentrum"]),
    ("Sentrum", ["Sentrum øst"], ["Nord", "Sør"]),
    ("Sør", [], ["Sentrum"]),
)

#: (email local part, languages, areas, interests, capacity, cleared)
DEMO_GUIDES = (
    ("guide", ["nb", "ar"], ["Nord"], ["football", "music"], 3, True),
    ("guide2", ["nb", "en", "so"], ["Sentrum", "Sør"], ["dance", "scouting"], 2, True),
    ("guide3", ["nb", "uk"], ["Nord"], ["art", "gaming"], 2, False),
)

# The tables below keep one club or child per row, which reads better than ruff's layout.
# fmt: off
#: (club, orgnr, area, activities: (name, category, min age, max age, weekday, fee kr, extras))
DEMO_CLUBS = (
    ("Eksempelby Ballklubb", "914778271", "Nord", (
        ("Fotball G10", "sport", 9, 11, 4, 1200, (("cups", "Cup i mai", 650),)),
        ("Fotball J12", "sport", 11, 13, 2, 1200, (("trips", "Treningsleir", 900),)),
    )),
    ("Eksempelby Kulturskole", None, "Sentrum", (
        ("Gitargruppe nybegynner", "music", 9, 15, 1, 900, ()),
        ("Band for unge", "music", 12, 16, 3, 1400, (("uniforms", "Konsert-t-skjorte", 150),)),
    )),
    ("1. Eksempelby Speidergruppe", None, "Sør", (
        ("Speiding 10–13 år", "scouting", 10, 13, 0, 600, (("camps", "Sommerleir", 1800),)),
    )),
    ("Dansestudio Sør", None, "Sør", (
        ("Hiphop 11–14", "dance", 11, 14, 2, 1600, ()),
    )),
)

#: (first, last, born, area, interests in own words, tags, status, guardian name, phone, lang)
DEMO_CHILDREN = (
    ("Emma", "Testesen", "2016-03-14", "Nord", "Jeg vil spille fotball med venninnene mine",
     ["football"], "referred", "Sara Testesen", "+4791234501", "nb"),
    ("Yusuf", "Haddadi", "2015-07-02", "Nord", "Gitar! Jeg vil lære å spille som broren min",
     ["guitar", "music"], "accepted", "Amina Haddadi", "+4791234502", "ar"),
    ("Olena", "Prøvesen", "2014-11-20", "Sentrum", "Tegne og male, kanskje manga",
     ["art"], "guide_assigned", "Iryna Prøvesen", "+4791234503", "uk"),
    ("Noah", "Demosen", "2013-01-09", "Sør", "Dans, helst hiphop",
     ["dance"], "in_progress", "Ingrid Demosen", "+4791234504", "nb"),
    ("Hodan", "Fiktiv", "2015-05-30", "Sør", "Være ute i skogen og lage bål",
     ["scouting", "outdoor"], "active", "Fadumo Fiktiv", "+4791234505", "so"),
    ("Filip", "Oppdiktet", "2012-09-17", "Nord", "Spille i band",
     ["music", "band"], "paused", "Marta Oppdiktet", "+4791234506", "pl"),
    ("Selam", "Påfunnet", "2014-02-25", "Sentrum", "Fotball",
     ["football"], "closed", "Tsega Påfunnet", "+4791234507", "ti"),
    ("Jonas", "Avslått", "2016-12-01", "Nord", "Vet ikke ennå",
     [], "declined", "Per Avslått", "+4791234508", "nb"),
)
# fmt: on

#: The referral's status for a case with each demo status; later statuses were accepted.
REFERRAL_STATUS_OF = {"referred": ReferralStatus.received, "declined": ReferralStatus.declined}
#: The course each demo status has passed through, in order.
COURSE = ("referred", "accepted", "guide_assigned", "in_progress", "active")
PATHS = {
    "referred": ("referred",),
    "declined": ("referred", "declined"),
    "accepted": COURSE[:2],
    "guide_assigned": COURSE[:3],
    "in_progress": COURSE[:4],
    "active": COURSE,
    "paused": (*COURSE, "paused"),
    "closed": (*COURSE, "closed"),
}


def demo_password() -> str:
    """A random pass phrase, long enough for the password rules."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


def demo_organisation() -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.name == DEMO_ORGANISATION))


def load_demo_data(*, today: dt.date | None = None) -> list[DemoAccount]:
    """Create the demo organisation and commit; returns the accounts (empty if it existed)."""
    if demo_organisation() is not None:
        return []
    today = today or local_date()
    organisation = Organisation(name=DEMO_ORGANISATION, kind=OrganisationKind.frivilligsentral)
    db.session.add(organisation)
    users, passwords = _add_users(organisation)
    areas = _add_areas(organisation)
    guides = _add_guides(organisation, users, areas, today)
    activities = _add_clubs(organisation, areas)
    demo = _Demo(organisation, users, guides, activities, areas)
    _add_history(demo, today=today)
    cases = _add_named_children(demo, today=today)
    _share_with_the_club_contacts_club(cases, users)
    record_event("demo_data_loaded", organisation_id=organisation.id)
    db.session.commit()
    return [_account(users[local_part], passwords[local_part]) for _r, local_part, *_ in DEMO_USERS]


def history_span(today: dt.date) -> tuple[int, int]:
    """(days, children) of the demo's past: all of last year and this year up to ``today``."""
    start = dt.date(today.year - 1, 1, 1) - dt.timedelta(days=HISTORY_LEAD_DAYS)
    days = (today - start).days
    return days, days * REFERRALS_PER_30_DAYS // 30


def _account(user: User, password: str) -> DemoAccount:
    return DemoAccount(
        role=Role(user.role),
        full_name=user.full_name,
        email=user.email,
        password=password,
        referrer_kind=user.referrer_kind,
        club_name=user.club.name if user.club is not None else None,
    )


def _add_history(demo: _Demo, *, today: dt.date) -> None:
    """The demo's past: a few hundred children referred since before last year (fixed seed)."""
    db.session.flush()
    people = list(demo.users.values())
    days, cases = history_span(today)
    add_history(
        organisation_id=demo.organisation.id,
        staff=HistoryStaff(
            coordinators=[user.id for user in people if user.role == Role.coordinator],
            referrers=[
                (user.id, str(user.referrer_kind)) for user in people if user.role == Role.referrer
            ],
            guides=[(profile.id, profile.user_id) for profile in demo.guides],
        ),
        offers=[
            Offer(activity.id, activity.club_id, activity.fee_per_season or 0, activity.area or "")
            for activity in demo.activities
        ],
        cases=cases,
        seed=DEMO_SEED,
        today=today,
        history_days=days,
        email_domain=DEMO_EMAIL_DOMAIN,
        areas=demo.areas,
        extra_referrers=HISTORY_REFERRERS,
        extra_guides=HISTORY_GUIDES,
    )


def _add_named_children(demo: _Demo, *, today: dt.date) -> list[Case]:
    """The children the walk-through names, one in each state, referred in the last weeks."""
    referrers = [
        demo.users[local_part] for _r, local_part, _n, kind in DEMO_USERS if kind is not None
    ]
    return [
        _add_child_case(
            demo.organisation,
            child_row,
            referrer=referrers[number % len(referrers)],
            coordinator=demo.users["koordinator"],
            guide=demo.guides[number % 2],
            activity=demo.activities[number % len(demo.activities)],
            referred_on=today - dt.timedelta(days=5 + 9 * number),
            areas=demo.areas,
        )
        for number, child_row in enumerate(DEMO_CHILDREN)
    ]


def _share_with_the_club_contacts_club(cases: list[Case], users: dict[str, User]) -> None:
    """The family of the child in an activity agreed to tell its club; the club contact
    speaks for that club, so the club's page shows the child."""
    case = next(case for case in cases if case.status == "active")
    enrollment = case.enrollments[0]
    club = enrollment.activity.club
    guide_user = case.assigned_guide.user
    contact = users["klubb"]
    contact.club = club
    db.session.flush()
    child = case.child
    given_at = dt.datetime.combine(enrollment.started_on, dt.time(18), tzinfo=dt.UTC)
    record_consent(
        child=child,
        by=guide_user,
        guardian=child.guardians[0],
        basis="parental_responsibility",
        child_heard=True,
        child_view="Gleder meg til å være med!",
        purpose="start_activity",
        categories=SHARED_CATEGORIES,
        club=club,
        method="verbal_documented",
        text_version=CURRENT_TEXT_VERSION,
        text_language="nb",
        given_at=given_at - dt.timedelta(days=2),
    )
    share_with_club(child=child, club=club, categories=SHARED_CATEGORIES, by=guide_user)


def _add_users(organisation: Organisation) -> tuple[dict[str, User], dict[str, str]]:
    users, passwords = {}, {}
    for role, local_part, full_name, referrer_kind in DEMO_USERS:
        password = demo_password()
        email = f"{local_part}@{DEMO_EMAIL_DOMAIN}"
        user = User(
            organisation=organisation,
            email=email,
            full_name=full_name,
            role=role,
            referrer_kind=referrer_kind,
            password_hash=hash_password(password),
            password_changed_at=utcnow(),
            is_active=True,
        )
        db.session.add(user)
        users[local_part] = user
        passwords[local_part] = password
    return users, passwords


def _add_areas(organisation: Organisation) -> dict[str, Area]:
    areas = {
        name: Area(organisation=organisation, name=name, name_key=area_key(name), aliases=aliases)
        for name, aliases, _neighbours in DEMO_AREAS
    }
    for name, _aliases, neighbours in DEMO_AREAS:
        areas[name].neighbours = [areas[neighbour] for neighbour in neighbours]
    db.session.add_all(areas.values())
    db.session.flush()  # rows below point at the areas by id alone
    return areas


def _add_guides(
    organisation: Organisation, users: dict[str, User], areas: dict[str, Area], today: dt.date
) -> list[GuideProfile]:
    profiles = []
    cleared_on = today - dt.timedelta(days=200)
    for local_part, languages, area_names, interests, capacity, cleared in DEMO_GUIDES:
        profile = GuideProfile(
            organisation=organisation,
            user=users[local_part],
            languages=languages,
            areas=[areas[name] for name in area_names],
            interests=interests,
            capacity=capacity,
            availability_notes="Ettermiddager og helger",
            police_certificate_checked_on=cleared_on if cleared else None,
            confidentiality_signed_on=cleared_on if cleared else None,
            is_paused=False,
        )
        db.session.add(profile)
        profiles.append(profile)
    return profiles


def _add_clubs(organisation: Organisation, areas: dict[str, Area]) -> list[Activity]:
    activities = []
    for club_name, org_number, area, club_activities in DEMO_CLUBS:
        club = Club(
            organisation=organisation,
            name=club_name,
            org_number=org_number,
            contact_person="Klubbkontakt",
            email=f"post@{club_name.split()[-1].lower()}.{DEMO_EMAIL_DOMAIN}",
            area=area,
            area_id=areas[area].id,
            is_active=True,
        )
        db.session.add(club)
        for name, category, min_age, max_age, weekday, fee_kr, extras in club_activities:
            activity = Activity(
                organisation=organisation,
                club=club,
                name=name,
                category_key=category,
                min_age=min_age,
                max_age=max_age,
                area=area,
                area_id=areas[area].id,
                weekday=weekday,
                season="Høst",
                fee_per_season=fee_kr * 100,
                equipment_can_be_borrowed=True,
                leader_languages=["nb"],
                has_free_trial=True,
                has_waiting_list=False,
                is_active=True,
            )
            for kind, label, amount_kr in extras:
                activity.extra_costs.append(
                    ActivityExtraCost(kind=kind, label=label, amount=amount_kr * 100)
                )
            db.session.add(activity)
            activities.append(activity)
    return activities


def _add_child_case(
    organisation: Organisation,
    row: tuple,
    *,
    referrer: User,
    coordinator: User,
    guide: GuideProfile,
    activity: Activity,
    referred_on: dt.date,
    areas: dict[str, Area],
) -> Case:
    first, last, born, area, own_words, tags, status, guardian_name, phone, language = row
    child = Child(
        organisation=organisation,
        first_name=first,
        last_name=last,
        birth_date=born,
        identity_index=child_identity_digest(first, last, born),
        school="Eksempelby skole",
        school_class="5B",
        area=area,
        area_id=areas[area].id,
        languages=[language],
    )
    child.guardians.append(
        Guardian(
            organisation=organisation,
            full_name=guardian_name,
            phone=phone,
            relation="mother",
            has_parental_responsibility=True,
            preferred_language=language,
            needs_interpreter=language not in ("nb", "nn"),
        )
    )
    referred_at = dt.datetime.combine(referred_on, dt.time(9, 30), tzinfo=dt.UTC)
    case = Case(
        organisation=organisation,
        child=child,
        reference=new_reference(),
        status="referred",
        help_level="follow_first_times",
        interests_in_own_words=own_words,
        interest_tags=tags,
        barriers=["economy"],
        referred_at=referred_at,
    )
    db.session.add_all([child, case])
    db.session.add(
        Referral(
            organisation=organisation,
            reference=new_reference("HV"),
            child=child,
            case=case,
            referred_by=referrer,
            referrer_kind=referrer.referrer_kind,
            status=REFERRAL_STATUS_OF.get(status, ReferralStatus.accepted),
            reason="Familien har dårlig råd, og barnet er ikke med på noe etter skolen.",
            interests_in_own_words=own_words,
            barriers=["economy"],
            help_level="follow_first_times",
            consent_given_by=guardian_name,
            consent_relation="mother",
            consent_method="verbal_documented",
            consent_given_on=referred_on,
            submitted_at=referred_at,
        )
    )
    _walk_course(case, PATHS[status], by=coordinator, guide=guide, activity=activity)
    return case


def _walk_course(
    case: Case, path: tuple[str, ...], *, by: User, guide: GuideProfile, activity: Activity
) -> None:
    """Record the course a real case would have had, a few days per step."""
    moment = case.referred_at
    case.status_changes.append(
        CaseStatusChange(from_status=None, to_status="referred", changed_by=by, changed_at=moment)
    )
    for step in path[1:]:
        moment += dt.timedelta(days=3)
        if step == "guide_assigned":
            case.assigned_guide = guide
        elif step == "in_progress":
            case.visits.append(
                Visit(
                    author=guide.user,
                    kind="home_visit",
                    occurred_on=moment.date(),
                    duration_minutes=60,
                    notes="Hyggelig besøk. Vi snakket om hva barnet har lyst til.",
                    child_words="Gleder meg!",
                )
            )
        elif step == "active":
            case.enrollments.append(
                Enrollment(
                    activity=activity,
                    status="enrolled",
                    is_main=True,
                    is_own_choice=True,
                    started_on=moment.date(),
                )
            )
        change_status(
            case,
            step,
            by=by,
            at=moment,
            close_reason=CloseReason.established if step == "closed" else None,
        )
