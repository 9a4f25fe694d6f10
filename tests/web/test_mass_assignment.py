"""Extra form fields never change what the form is not about (no mass assignment).

Each test posts a real form with ``role``, ``organisation_id``, ``assigned_guide_id``,
``is_active`` (and friends) added, and checks that none of them took effect.
"""

from __future__ import annotations

from sqlalchemy import select

from guide.accounts.account_tokens import issue_token
from guide.accounts.invitations import INVITATION_VALID_FOR
from guide.accounts.models import AccountToken, TokenPurpose, User
from guide.cases.models import Case
from guide.roles import Role
from tests import factories
from tests.web.helpers import csrf_token, sign_in

NEW_PASSWORD = "blåbærsyltetøy vindmølle kakeboks 2031"


def smuggled(other_org, *, guide_profile_id=None) -> dict[str, str]:
    """Fields an attacker adds to any form, pointing at the most privileged values."""
    fields = {
        "role": "admin",
        "organisation_id": str(other_org.id),
        "is_active": "false",
        "club_id": "",
        "totp_enrolled_at": "2020-01-01T00:00:00",
        "id": "00000000-0000-0000-0000-000000000001",
    }
    if guide_profile_id is not None:
        fields["assigned_guide_id"] = str(guide_profile_id)
    return fields


def _reload(db, model, key):
    db.session.expire_all()
    return db.session.get(model, key)


def _signed_in(client, db, role: str) -> User:
    account = factories.user(factories.organisation(), role)
    db.session.commit()
    assert sign_in(client, account.email).status_code == 302
    return account


def test_sign_in_ignores_extra_fields(client, db):
    org, other = factories.organisation(), factories.organisation()
    referrer = factories.user(org, "referrer")
    db.session.commit()
    page = client.get("/sign-in")

    client.post(
        "/sign-in",
        data={
            "email": referrer.email,
            "password": factories.PASSWORD,
            "csrf_token": csrf_token(page.text),
            **smuggled(other),
        },
    )

    referrer = _reload(db, User, referrer.id)
    assert referrer.role == Role.referrer
    assert referrer.organisation_id == org.id
    assert referrer.is_active is True


def test_invitation_acceptance_takes_role_and_organisation_from_the_invitation(app, db):
    org, other = factories.organisation(), factories.organisation()
    admin = factories.user(org, "admin")
    _, token = issue_token(
        purpose=TokenPurpose.invitation,
        email="ny.henviser@example.org",
        organisation_id=org.id,
        valid_for=INVITATION_VALID_FOR,
        created_by_id=admin.id,
        role=Role.referrer,
    )
    db.session.commit()
    newcomer = app.test_client()
    page = newcomer.get(f"/invitation/{token}")
    assert page.status_code == 200

    response = newcomer.post(
        f"/invitation/{token}",
        data={
            "full_name": "Nina Ny",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
            "csrf_token": csrf_token(page.text),
            **smuggled(other),
        },
    )

    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "ny.henviser@example.org"))
    assert user.role == Role.referrer
    assert user.organisation_id == org.id
    assert user.is_active is True
    assert user.totp_enrolled_at is None
    assert str(user.id) != smuggled(other)["id"]


def test_invite_form_invites_into_the_inviters_own_organisation_only(client, db):
    coordinator = _signed_in(client, db, "coordinator")
    other = factories.organisation()
    db.session.commit()
    page = client.get("/users/invite")

    client.post(
        "/users/invite",
        data={
            "email": "ny.guide@example.org",
            "role": "guide",
            "club": "",
            "csrf_token": csrf_token(page.text),
            "organisation_id": str(other.id),
            "created_by_id": str(other.id),
        },
    )

    db.session.expire_all()
    invitation = db.session.scalar(select(AccountToken))
    assert invitation is not None and invitation.organisation_id == coordinator.organisation_id
    assert invitation.created_by_id == coordinator.id


def test_user_admin_actions_change_only_what_they_are_for(client, db):
    admin = _signed_in(client, db, "admin")
    org, other = admin.organisation, factories.organisation()
    referrer = factories.user(org, "referrer")
    coordinator = factories.user(org, "coordinator")
    guide = factories.user(org, "guide")
    case = factories.child_case(org, guide=guide)
    db.session.commit()
    token = csrf_token(client.get("/sign-in").text)
    extra = smuggled(other, guide_profile_id=guide.guide_profile.id)

    client.post(f"/users/{referrer.id}/deactivate", data={"csrf_token": token, **extra})
    client.post(f"/users/{referrer.id}/reactivate", data={"csrf_token": token, **extra})
    client.post(f"/users/{coordinator.id}/second-factor/reset", data={"csrf_token": token, **extra})
    client.post(
        f"/users/{coordinator.id}/role",
        data={"csrf_token": token, **extra, "role": "referrer", "is_active": "false"},
    )

    referrer = _reload(db, User, referrer.id)
    assert (referrer.role, referrer.organisation_id, referrer.is_active) == (
        Role.referrer,
        org.id,
        True,
    )
    coordinator = _reload(db, User, coordinator.id)
    assert coordinator.role == Role.referrer  # the one change the role form is for
    assert coordinator.organisation_id == org.id
    assert coordinator.is_active is True
    assert _reload(db, User, admin.id).role == Role.admin
    assert _reload(db, Case, case.id).assigned_guide_id == guide.guide_profile.id


def test_coordinator_cannot_smuggle_an_admin_role_into_a_guides_account(client, db):
    coordinator = _signed_in(client, db, "coordinator")
    guide = factories.user(coordinator.organisation, "guide")
    other = factories.organisation()
    db.session.commit()
    token = csrf_token(client.get("/sign-in").text)

    client.post(f"/users/{guide.id}/deactivate", data={"csrf_token": token, **smuggled(other)})

    guide = _reload(db, User, guide.id)
    assert guide.role == Role.guide
    assert guide.organisation_id == coordinator.organisation_id
    assert guide.is_active is False  # the deactivation itself went through
