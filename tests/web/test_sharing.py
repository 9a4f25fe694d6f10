"""Sharing a child with a club: only under a valid consent, recorded, and the club told."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from consent import Category, Reason
from guide.activities.models import Club
from guide.audit.models import AuditEvent
from guide.consents.models import Share
from guide.consents.sharing import ShareRefused, share_with_club
from guide.database import utcnow
from guide.outbox.models import OutboxMessage
from guide.tasks import Task, TaskKind
from tests.sharing_helpers import (
    CHILD_FIRST_NAME,
    CHILD_LAST_NAME,
    GUARDIAN_PHONE,
    give,
    scene,
    withdraw,
)
from tests.web.helpers import csrf_token, sign_in

IDENTITY_AND_CONTACT = (Category.IDENTITY, Category.CONTACT)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _share(app, s, categories=IDENTITY_AND_CONTACT):
    with app.test_request_context():
        return share_with_club(child=s.child, club=s.club, categories=categories, by=s.coordinator)


def _refused(app, db, s, categories=IDENTITY_AND_CONTACT) -> ShareRefused:
    # Mail from before (a withdrawal tells the guide) is not the refused share's.
    mails_before, tasks_before = _count(db, OutboxMessage), _count(db, Task)
    with pytest.raises(ShareRefused) as caught:
        _share(app, s, categories)
    db.session.commit()  # whatever the service left behind would be stored now
    assert _count(db, Share) == 0
    assert (_count(db, OutboxMessage), _count(db, Task)) == (mails_before, tasks_before)
    return caught.value


def test_share_under_consent_is_recorded_audited_and_the_club_told(app, db):
    s = scene()
    consent = give(s)
    db.session.commit()

    shares = _share(app, s)
    db.session.commit()

    assert [share.consent_id for share in shares] == [consent.id]
    stored = db.session.scalars(select(Share)).one()
    assert (stored.club_id, stored.child_id, stored.shared_by_id) == (
        s.club.id,
        s.child.id,
        s.coordinator.id,
    )
    assert sorted(stored.categories) == ["contact", "identity"]
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "child_shared_with_club")
    ).object_id == str(stored.id)
    # The club contact is told, and the case's guide (a task, and its e-mail).
    mails = db.session.scalars(select(OutboxMessage)).all()
    guide = s.case.assigned_guide.user
    assert sorted(mail.recipient for mail in mails) == sorted([s.contact.email, guide.email])
    for mail in mails:
        for personal in (CHILD_FIRST_NAME, CHILD_LAST_NAME, GUARDIAN_PHONE):
            assert personal not in mail.body_text and personal not in mail.subject
    task = db.session.scalars(select(Task)).one()
    assert (task.user_id, task.kind) == (guide.id, TaskKind.SHARED_WITH_CLUB)


def test_share_without_any_consent_is_refused(app, db):
    s = scene()
    db.session.commit()
    refusal = _refused(app, db, s)
    assert {reason for _category, reason in refusal.missing} == {Reason.NO_CONSENT}


def test_share_under_expired_consent_is_refused(app, db):
    s = scene()
    now = utcnow()
    give(s, given_at=now - dt.timedelta(days=10), valid_until=now - dt.timedelta(days=1))
    db.session.commit()
    refusal = _refused(app, db, s)
    assert {reason for _category, reason in refusal.missing} == {Reason.EXPIRED}


def test_share_under_withdrawn_consent_is_refused(app, db):
    s = scene()
    consent = give(s)
    withdraw(s, consent)
    db.session.commit()
    refusal = _refused(app, db, s)
    assert {reason for _category, reason in refusal.missing} == {Reason.WITHDRAWN}


def test_consent_for_another_club_does_not_cover_this_one(app, db):
    s = scene()
    other = Club(organisation_id=s.org.id, name="Sørby Sjakklubb", is_active=True)
    db.session.add(other)
    give(s, club=other)
    db.session.commit()
    refusal = _refused(app, db, s)
    assert {reason for _category, reason in refusal.missing} == {Reason.OTHER_RECIPIENT}


def test_consent_to_the_scheme_does_not_cover_a_club(app, db):
    s = scene()
    give(s, club=None)
    db.session.commit()
    _refused(app, db, s)


def test_one_missing_category_refuses_the_whole_share(app, db):
    s = scene()
    give(s, (Category.IDENTITY,))
    db.session.commit()
    refusal = _refused(app, db, s)
    assert refusal.missing == [(Category.CONTACT, Reason.CATEGORY_NOT_COVERED)]


@pytest.mark.parametrize("category", [Category.HEALTH_RELATED, Category.ECONOMY])
def test_health_and_economy_are_never_shared_with_a_club(app, db, category):
    s = scene()
    give(s)
    db.session.commit()
    refusal = _refused(app, db, s, (Category.IDENTITY, category))
    assert refusal.missing == [(category, Reason.NEVER_SHARED_WITH_CLUBS)]


def _send_share_screen(client, s, **fields):
    """The scene's coordinator signs in and sends the case's share screen with ``fields``."""
    assert sign_in(client, s.coordinator.email).status_code == 302
    url = f"/cases/{s.case.id}/share"
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, data={"csrf_token": csrf_token(page.text), **fields})


def test_the_screen_names_the_missing_consent_and_records_nothing(app, db, client):
    s = scene()
    give(s, (Category.IDENTITY,))
    db.session.commit()
    response = _send_share_screen(
        client, s, club=str(s.club.id), categories=["identity", "contact"]
    )

    assert response.status_code == 400
    assert "Nothing was shared" in response.text or "Ingenting ble delt" in response.text
    assert s.club.name in response.text
    assert "kontakt" in response.text.lower() or "contact" in response.text.lower()
    assert _count(db, Share) == 0
    assert _count(db, OutboxMessage) == 0


def test_the_screen_says_which_choice_is_missing_in_the_staff_words(app, db, client):
    s = scene()
    give(s)
    db.session.commit()
    response = _send_share_screen(client, s, club="")

    assert response.status_code == 400
    assert "Velg klubben." in response.text
    assert "Velg minst én type opplysninger." in response.text
    assert "påkrevd" not in response.text
    assert _count(db, Share) == 0


def test_the_screen_shares_when_consent_covers_everything(app, db, client):
    s = scene()
    give(s)
    db.session.commit()
    response = _send_share_screen(
        client, s, club=str(s.club.id), categories=["identity", "contact"]
    )

    assert response.status_code == 302
    assert _count(db, Share) == 1
    assert _count(db, OutboxMessage) == 2  # the club contact, and the guide (a task)


def test_a_guide_not_assigned_to_the_case_cannot_share(app, db, client):
    from tests import factories

    s = scene()
    give(s)
    outsider = factories.user(s.org, "guide")
    db.session.commit()
    assert sign_in(client, outsider.email).status_code == 302
    assert client.get(f"/cases/{s.case.id}/share").status_code == 404
