"""The guide roster: who can take a child now, and why not when they cannot."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from guide.access import load_scoped
from guide.accounts.models import User
from guide.areas.services import area_in
from guide.audit.services import record_event
from guide.cases.models import Case
from guide.cases.services import GUIDE_OPEN_STATUSES
from guide.dates import local_date
from guide.extensions import db
from guide.guides.certificates import CertificateState, certificate_expiry, certificate_state
from guide.guides.models import GuideProfile
from guide.roles import Role
from guide.tenant import Organisation


class Blocker(enum.StrEnum):
    """A reason a guide cannot be given a new child."""

    no_profile = "no_profile"
    account_inactive = "account_inactive"
    police_certificate_missing = "police_certificate_missing"
    police_certificate_expired = "police_certificate_expired"
    confidentiality_missing = "confidentiality_missing"
    paused = "paused"


BLOCKER_LABELS = {
    Blocker.no_profile: _l("The guide profile has not been filled in yet."),
    Blocker.account_inactive: _l("The user account is deactivated."),
    Blocker.police_certificate_missing: _l("The police certificate has not been checked."),
    Blocker.police_certificate_expired: _l(
        "The police certificate is too old; check a new one before the guide meets children."
    ),
    Blocker.confidentiality_missing: _l("The confidentiality declaration has not been signed."),
    Blocker.paused: _l("The guide has paused and takes no new children for now."),
}


@dataclass(frozen=True)
class RosterEntry:
    """One guide on the roster, with the figures the coordinator needs to choose."""

    user: User
    profile: GuideProfile | None
    open_cases: int
    certificate: CertificateState
    certificate_expires_on: dt.date | None
    blockers: tuple[Blocker, ...]

    @property
    def places_left(self) -> int:
        return max((self.profile.capacity if self.profile else 0) - self.open_cases, 0)

    @property
    def blocker_labels(self) -> list[str]:
        return [str(BLOCKER_LABELS[blocker]) for blocker in self.blockers]


def assignment_blockers(
    profile: GuideProfile | None,
    organisation: Organisation,
    *,
    today: dt.date,
    account_active: bool = True,
) -> tuple[Blocker, ...]:
    """Every reason this guide cannot be given a new child now; empty when they can."""
    if profile is None:
        return (Blocker.no_profile,)
    blockers = []
    if not account_active:
        blockers.append(Blocker.account_inactive)
    state = certificate_state(
        profile.police_certificate_checked_on,
        organisation.police_certificate_valid_months,
        today=today,
    )
    if state == CertificateState.missing:
        blockers.append(Blocker.police_certificate_missing)
    elif state == CertificateState.expired:
        blockers.append(Blocker.police_certificate_expired)
    if profile.confidentiality_signed_on is None:
        blockers.append(Blocker.confidentiality_missing)
    if profile.is_paused:
        blockers.append(Blocker.paused)
    return tuple(blockers)


def open_case_counts(
    organisation_id: uuid.UUID, guide_ids: Iterable[uuid.UUID] | None = None
) -> dict[uuid.UUID, int]:
    """Open cases per guide profile id, in one grouped query."""
    query = (
        select(Case.assigned_guide_id, func.count(Case.id))
        .where(
            Case.organisation_id == organisation_id,
            Case.assigned_guide_id.is_not(None),
            Case.status.in_(GUIDE_OPEN_STATUSES),  # each takes one of its guide's places
        )
        .group_by(Case.assigned_guide_id)
    )
    if guide_ids is not None:
        query = query.where(Case.assigned_guide_id.in_(list(guide_ids)))
    return {guide_id: count for guide_id, count in db.session.execute(query)}


def guide_roster(*, organisation: Organisation, today: dt.date | None = None) -> list[RosterEntry]:
    """Every guide account of the organisation, by name, with places and clearance."""
    today = today or local_date()
    users = db.session.scalars(
        select(User)
        .where(User.organisation_id == organisation.id, User.role == Role.guide)
        .options(joinedload(User.guide_profile).selectinload(GuideProfile.areas))
        .order_by(User.full_name, User.email)
    ).all()
    counts = open_case_counts(organisation.id)
    valid_months = organisation.police_certificate_valid_months
    entries = []
    for user in users:
        profile = user.guide_profile
        checked_on = profile.police_certificate_checked_on if profile else None
        entries.append(
            RosterEntry(
                user=user,
                profile=profile,
                open_cases=counts.get(profile.id, 0) if profile else 0,
                certificate=certificate_state(checked_on, valid_months, today=today),
                certificate_expires_on=certificate_expiry(checked_on, valid_months),
                blockers=assignment_blockers(
                    profile, organisation, today=today, account_active=user.is_active
                ),
            )
        )
    return entries


def load_organisation_user(*, viewer: User, user_id: uuid.UUID) -> User:
    """A user of the viewer's organisation, with any guide profile, else 404."""
    user = load_scoped(
        select(User)
        .where(User.id == user_id, User.organisation_id == viewer.organisation_id)
        .options(joinedload(User.guide_profile)),
        kind="user",
        object_id=user_id,
    )
    return user


def update_guide_profile(
    *,
    user: User,
    by: User,
    languages: list[str],
    area_ids: Sequence[uuid.UUID],
    interests: list[str],
    capacity: int,
    availability_notes: str | None,
    police_certificate_checked_on: dt.date | None,
    confidentiality_signed_on: dt.date | None,
    is_paused: bool,
) -> GuideProfile:
    """Write the guide's profile (creating it the first time) and audit which fields changed."""
    profile = user.guide_profile
    if profile is None:
        profile = GuideProfile(organisation_id=user.organisation_id, user=user)
        db.session.add(profile)
    values = {
        "languages": list(languages),
        "interests": list(interests),
        "capacity": capacity,
        "availability_notes": availability_notes or None,
        "police_certificate_checked_on": police_certificate_checked_on,
        "confidentiality_signed_on": confidentiality_signed_on,
        "is_paused": is_paused,
    }
    changed = sorted(name for name, value in values.items() if getattr(profile, name) != value)
    for name, value in values.items():
        setattr(profile, name, value)
    areas = [area for area_id in area_ids if (area := area_in(user.organisation_id, area_id))]
    if {area.id for area in profile.areas} != {area.id for area in areas}:
        profile.areas = areas
        changed = sorted([*changed, "areas"])
    # Field names only: the values are the volunteer's, and the log is not the place for them.
    record_event("guide_profile_updated", actor=by, obj=profile, details={"fields": changed})
    db.session.flush()
    return profile
