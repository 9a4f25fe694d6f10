"""Small builders for test data: real models, real encryption, real password hashes."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select

from guide.accounts.models import User
from guide.accounts.passwords import hash_password
from guide.accounts.totp import new_secret as new_totp_secret
from guide.areas.models import Area, area_key
from guide.cases.identity import child_identity_digest, new_reference
from guide.cases.models import Case, Child, Guardian
from guide.database import utcnow
from guide.dates import local_date
from guide.extensions import db
from guide.guides.models import GuideProfile
from guide.roles import Role
from guide.tenant import Organisation, OrganisationKind

PASSWORD = "correct horse battery staple 42"
_numbers = itertools.count(1)


def organisation(name: str | None = None) -> Organisation:
    org = Organisation(
        name=name or f"Frivilligsentral {next(_numbers)}", kind=OrganisationKind.frivilligsentral
    )
    db.session.add(org)
    db.session.flush()
    return org


def area(
    org: Organisation,
    name: str,
    *,
    aliases: list[str] | None = None,
    neighbours: list[Area] | None = None,
    is_active: bool = True,
) -> Area:
    """The organisation's area called ``name``, made (with its neighbours, both ways) if new."""
    found = db.session.scalar(
        select(Area).where(Area.organisation_id == org.id, Area.name_key == area_key(name))
    )
    if found is None:
        found = Area(
            organisation_id=org.id,
            name=name,
            name_key=area_key(name),
            aliases=list(aliases or []),
            is_active=is_active,
        )
        db.session.add(found)
    for neighbour in neighbours or []:
        if neighbour not in found.neighbours:
            found.neighbours.append(neighbour)
            neighbour.neighbours.append(found)
    db.session.flush()
    return found


def place_child(case: Case, name: str | None, **area_fields) -> Area | None:
    """Put the case's child in the organisation's area ``name`` (made if new), or in none."""
    found = area(case.organisation, name, **area_fields) if name is not None else None
    case.child.area_id = found.id if found is not None else None
    case.child.area = found.name if found is not None else None
    return found


def user(
    org: Organisation,
    role: Role | str,
    *,
    email: str | None = None,
    second_factor: bool = True,
    **fields,
) -> User:
    """A user who can sign in with ``PASSWORD`` and, unless told otherwise, a TOTP app."""
    role = Role(role)
    account = User(
        organisation_id=org.id,
        email=email or f"{role.value}{next(_numbers)}@example.org",
        full_name=f"{role.value.title()} Person",
        role=role,
        password_hash=hash_password(PASSWORD),
        **{"is_active": True, **fields},
    )
    if second_factor:
        account.totp_secret = new_totp_secret()
        account.totp_enrolled_at = utcnow()
    db.session.add(account)
    if role == Role.guide:
        today = local_date()
        db.session.add(
            GuideProfile(
                organisation_id=org.id,
                user=account,
                languages=["nb"],
                areas=[area(org, "Nord")],
                interests=["football"],
                capacity=3,
                police_certificate_checked_on=today,
                confidentiality_signed_on=today,
                is_paused=False,
            )
        )
    db.session.flush()
    return account


def child_case(
    org: Organisation,
    *,
    first_name: str = "Testbarn",
    last_name: str = "Eksempelsen",
    birth_date: str = "2015-04-01",
    guardian_name: str = "Forelder Eksempelsen",
    guardian_phone: str = "+4799887766",
    guide: User | None = None,
    status: str = "referred",
    referred_at: dt.datetime | None = None,
) -> Case:
    child = Child(
        organisation_id=org.id,
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        identity_index=child_identity_digest(first_name, last_name, birth_date),
        languages=["nb"],
    )
    child.guardians.append(
        Guardian(
            organisation_id=org.id,
            full_name=guardian_name,
            phone=guardian_phone,
            relation="mother",
            has_parental_responsibility=True,
            preferred_language="nb",
            needs_interpreter=False,
        )
    )
    case = Case(
        organisation_id=org.id,
        child=child,
        reference=new_reference(),
        status=status,
        help_level="find_activity",
        interests_in_own_words="Vil spille gitar",
        interest_tags=["guitar"],
        barriers=["economy"],
        referred_at=referred_at or utcnow(),
        assigned_guide=guide.guide_profile if guide is not None else None,
    )
    db.session.add_all([child, case])
    db.session.flush()
    return case


def activity(
    org: Organisation,
    *,
    name: str = "Gitargruppe",
    category_key: str = "music",
    fee_per_season: int = 90000,
    extra_costs: tuple[tuple[str, int], ...] = (),
    club=None,
    **fields,
):
    """An open activity (in a new active club unless ``club`` is given); amounts in øre.

    ``area="Nord"`` puts it in the organisation's area of that name (made if new).
    """
    from guide.activities.models import Activity, ActivityExtraCost, Club

    if fields.get("area") is not None:
        fields["area_id"] = area(org, fields["area"]).id
    if club is None:
        club = Club(organisation_id=org.id, name=f"Klubb {next(_numbers)}", is_active=True)
        db.session.add(club)
    offer = Activity(
        organisation_id=org.id,
        club=club,
        name=name,
        category_key=category_key,
        fee_per_season=fee_per_season,
        **{"leader_languages": ["nb"], "is_active": True, **fields},
    )
    for kind, amount in extra_costs:
        offer.extra_costs.append(ActivityExtraCost(kind=kind, amount=amount))
    db.session.add(offer)
    db.session.flush()
    return offer


def fund(org: Organisation, *, budget: int = 1_000_000, name: str | None = None, **fields):
    """An active fund (budget in øre)."""
    from guide.support.models import Fund

    account = Fund(
        organisation_id=org.id,
        name=name or f"Fritidsstipend {next(_numbers)}",
        source="municipality",
        year=2027,
        budget=budget,
        **{"is_active": True, **fields},
    )
    db.session.add(account)
    db.session.flush()
    return account


def enrolled(case: Case, offer):
    """The case's child enrolled in ``offer`` (an Activity)."""
    from guide.activities.models import Enrollment, EnrollmentStatus

    enrollment = Enrollment(
        case_id=case.id,
        activity_id=offer.id,
        status=EnrollmentStatus.enrolled,
        started_on=local_date(),
    )
    db.session.add(enrollment)
    db.session.flush()
    return enrollment


def grant(case: Case, *, requested_by: User, amount: int, offer=None, **fields):
    """A support grant paid to ``offer``'s club (or a shop without one); requested unless told."""
    from guide.support.models import SupportGrant

    payee = (
        {"payee_kind": "club", "payee_club_id": offer.club_id, "activity_id": offer.id}
        if offer is not None
        else {"payee_kind": "shop", "payee_name": "Sportsbutikken AS"}
    )
    item = SupportGrant(
        organisation_id=case.organisation_id,
        case_id=case.id,
        requested_by_id=requested_by.id,
        amount=amount,
        **{"kind": "membership_fee", "status": "requested", **payee, **fields},
    )
    db.session.add(item)
    db.session.flush()
    return item


def invitation_token(org: Organisation, email: str, *, role: Role = Role.guide, **fields) -> str:
    """An open invitation to ``org`` for ``email``: the token of its /invitation/<token> link."""
    from guide.accounts.account_tokens import issue_token
    from guide.accounts.models import TokenPurpose

    _row, token = issue_token(
        purpose=TokenPurpose.invitation,
        email=email,
        organisation_id=org.id,
        valid_for=dt.timedelta(hours=1),
        role=role,
        **fields,
    )
    return token


def reset_token(account: User) -> str:
    """An open password reset for ``account``: the token of its /password/reset/<token> link."""
    from guide.accounts.account_tokens import issue_token
    from guide.accounts.models import TokenPurpose

    _row, token = issue_token(
        purpose=TokenPurpose.password_reset,
        email=account.email,
        organisation_id=account.organisation_id,
        valid_for=dt.timedelta(hours=1),
        user_id=account.id,
    )
    return token
