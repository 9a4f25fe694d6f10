"""Builders for the consent-link, sharing and club-portal tests: a child, a club, consents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from consent import Category
from guide.accounts.models import User
from guide.activities.models import Activity, Club, Enrollment
from guide.cases.models import Case
from guide.consents.models import Consent, ConsentMethod
from guide.consents.services import record_consent, withdraw_consent
from guide.consents.texts import CURRENT_TEXT_VERSION
from guide.database import utcnow
from guide.extensions import db
from guide.tenant import Organisation
from tests import factories

CHILD_FIRST_NAME = "Amira"
CHILD_LAST_NAME = "Hemmeligsen"
CHILD_BIRTH_DATE = "2015-04-01"
GUARDIAN_NAME = "Layla Hemmeligsen"
GUARDIAN_PHONE = "+4791234567"
GUARDIAN_EMAIL = "layla.hemmelig@example.net"
CLUB_NAME = "Nordby Fotballklubb"


@dataclass
class Scene:
    org: Organisation
    coordinator: User
    case: Case
    club: Club
    activity: Activity
    contact: User

    @property
    def child(self):
        return self.case.child

    @property
    def guardian(self):
        return self.case.child.guardians[0]


def scene(*, guardian_language: str = "nb", enrolled: bool = True) -> Scene:
    """A coordinator, a child in progress with one guardian, a football club and its contact."""
    org = factories.organisation()
    coordinator = factories.user(org, "coordinator")
    case = factories.child_case(
        org,
        first_name=CHILD_FIRST_NAME,
        last_name=CHILD_LAST_NAME,
        birth_date=CHILD_BIRTH_DATE,
        guardian_name=GUARDIAN_NAME,
        guardian_phone=GUARDIAN_PHONE,
        guide=factories.user(org, "guide"),
        status="in_progress",
    )
    guardian = case.child.guardians[0]
    guardian.email = GUARDIAN_EMAIL
    guardian.preferred_language = guardian_language
    club = Club(organisation_id=org.id, name=CLUB_NAME, is_active=True)
    db.session.add(club)
    activity = factories.activity(org, name="Fotball G10", category_key="sport", club=club)
    if enrolled:
        db.session.add(Enrollment(case_id=case.id, activity_id=activity.id))
    contact = factories.user(org, "club_contact", club_id=club.id)
    db.session.flush()
    return Scene(org, coordinator, case, club, activity, contact)


def give(
    s: Scene,
    categories: tuple[Category, ...] = (Category.IDENTITY, Category.CONTACT),
    *,
    club: Club | bool | None = True,
    given_at: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
) -> Consent:
    """A verbal consent documented by the coordinator; ``club=True`` means the scene's club."""
    return record_consent(
        child=s.child,
        by=s.coordinator,
        guardian=s.guardian,
        basis="parental_responsibility",
        child_heard=True,
        child_view=None,
        purpose="start_activity",
        categories=categories,
        club=s.club if club is True else (club or None),
        method=ConsentMethod.verbal_documented,
        text_version=CURRENT_TEXT_VERSION,
        text_language="nb",
        given_at=given_at or utcnow() - dt.timedelta(minutes=1),
        valid_until=valid_until,
    )


def withdraw(s: Scene, consent: Consent) -> None:
    withdraw_consent(consent, by=s.coordinator, channel="phone")
