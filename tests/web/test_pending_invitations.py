"""Pending invitations: listed to whoever may invite, sent again, withdrawn, replaced; the
referrer's type chosen at invitation (an admin corrects it: tests/web/test_admin_users.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from guide.accounts.invitations import invite_user
from guide.accounts.models import AccountToken, ReferrerKind, User
from guide.audit.models import AuditEvent
from guide.outbox.models import OutboxMessage
from guide.roles import Role
from tests import factories
from tests.web.helpers import csrf_token, sign_in
from tests.web.test_invitations import NEW_ADDRESS, _accept, _link_in_mail, _signed_in

REFERRER_ADDRESS = "ny.helsesykepleier@example.com"
DONE_EVENT = {"resend": "invitation_resent", "revoke": "invitation_revoked"}


def _invite(client, email: str = NEW_ADDRESS, role: str = "coordinator", **extra):
    page = client.get("/users/invite")
    assert page.status_code == 200
    data = {"email": email, "role": role, "csrf_token": csrf_token(page.text), **extra}
    return client.post("/users/invite", data=data)


def _action(client, invitation: AccountToken, action: str, *, with_csrf: bool = True):
    data = {"csrf_token": csrf_token(client.get("/users/invite").text)} if with_csrf else {}
    return client.post(f"/users/invitations/{invitation.id}/{action}", data=data)


def _pending(db) -> list[AccountToken]:
    db.session.expire_all()
    return list(db.session.scalars(select(AccountToken).where(AccountToken.used_at.is_(None))))


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _mails_to(db, address: str) -> int:
    db.session.expire_all()
    return [m.recipient for m in db.session.scalars(select(OutboxMessage))].count(address)


# --- the list ---------------------------------------------------------------------------


def test_pending_invitations_are_listed_to_the_inviter(client, db):
    _signed_in(client, db, "admin")
    assert _invite(client).status_code == 302

    page = client.get("/users/invite")

    assert "Ventende invitasjoner" in page.text
    assert f"<td>{NEW_ADDRESS}</td>" in page.text
    invitation = _pending(db)[0]
    assert f"/users/invitations/{invitation.id}/resend" in page.text
    assert f"/users/invitations/{invitation.id}/revoke" in page.text


def test_coordinator_sees_only_invitations_of_roles_it_may_give(client, db):
    org = factories.organisation()
    admin = factories.user(org, "admin")
    coordinator = factories.user(org, "coordinator")
    stranger = factories.user(factories.organisation(), "coordinator")
    db.session.commit()
    invite_user(email="staff@example.com", role="coordinator", organisation=org, invited_by=admin)
    invite_user(email="guide@example.com", role="guide", organisation=org, invited_by=coordinator)
    invite_user(
        email="elsewhere@example.com",
        role="guide",
        organisation=stranger.organisation,
        invited_by=stranger,
    )
    db.session.commit()

    assert sign_in(client, coordinator.email).status_code == 302
    page = client.get("/users/invite").text

    assert "<td>guide@example.com</td>" in page
    assert "staff@example.com" not in page
    assert "elsewhere@example.com" not in page


@pytest.mark.parametrize("role", ["referrer", "guide", "club_contact"])
def test_roles_that_cannot_invite_see_no_list(client, db, role):
    _signed_in(client, db, role)
    assert client.get("/users/invite").status_code == 403


# --- inviting the same address again (the link: tests/web/test_invitations.py) -----------


def test_another_organisation_inviting_the_address_leaves_the_first_invitation(client, db):
    first_org, second_org = factories.organisation(), factories.organisation()
    first_admin = factories.user(first_org, "admin")
    second_admin = factories.user(second_org, "admin")
    db.session.commit()
    invite_user(
        email=NEW_ADDRESS, role="coordinator", organisation=first_org, invited_by=first_admin
    )
    invite_user(
        email=NEW_ADDRESS, role="coordinator", organisation=second_org, invited_by=second_admin
    )
    db.session.commit()

    assert {row.organisation_id for row in _pending(db)} == {first_org.id, second_org.id}


# --- resend and revoke ------------------------------------------------------------------


def test_resend_sends_a_new_link_and_the_old_one_stops_working(client, app, db):
    admin = _signed_in(client, db, "admin")
    _invite(client, email=REFERRER_ADDRESS, role="referrer", referrer_kind="school_nurse")
    old_link = _link_in_mail(db, REFERRER_ADDRESS)
    invitation = _pending(db)[0]

    response = _action(client, invitation, "resend")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/users/invite")
    assert _mails_to(db, REFERRER_ADDRESS) == 2
    new_link = _link_in_mail(db, REFERRER_ADDRESS)
    assert new_link != old_link
    (fresh,) = _pending(db)
    assert fresh.id != invitation.id
    assert (fresh.role, fresh.referrer_kind) == (Role.referrer, ReferrerKind.school_nurse)
    visitor = app.test_client()
    assert visitor.get(old_link).status_code == 404
    assert visitor.get(new_link).status_code == 200
    (event,) = _events(db, "invitation_resent")
    assert event.actor_id == admin.id
    assert event.object_id == str(fresh.id)
    assert REFERRER_ADDRESS not in str(event.details)


def test_revoke_withdraws_the_invitation_and_its_link(client, app, db):
    admin = _signed_in(client, db, "admin")
    _invite(client)
    link = _link_in_mail(db)
    invitation = _pending(db)[0]

    response = _action(client, invitation, "revoke")

    assert response.status_code == 302
    assert _pending(db) == []
    assert app.test_client().get(link).status_code == 404
    assert f"<td>{NEW_ADDRESS}</td>" not in client.get("/users/invite").text
    (event,) = _events(db, "invitation_revoked")
    assert (event.actor_id, event.object_id) == (admin.id, str(invitation.id))
    assert event.details == {"role": "coordinator"}
    # A withdrawn invitation cannot be withdrawn or sent again.
    assert _action(client, invitation, "revoke").status_code == 404
    assert _action(client, invitation, "resend").status_code == 404


@pytest.mark.parametrize("action", ["resend", "revoke"])
def test_resend_and_revoke_need_the_csrf_token(client, db, action):
    _signed_in(client, db, "admin")
    _invite(client)
    invitation = _pending(db)[0]

    response = _action(client, invitation, action, with_csrf=False)

    assert response.status_code == 400
    assert _pending(db)[0].id == invitation.id
    assert _mails_to(db, NEW_ADDRESS) == 1
    assert _events(db, DONE_EVENT[action]) == []


@pytest.mark.parametrize("action", ["resend", "revoke"])
def test_coordinator_cannot_touch_an_invitation_of_a_staff_role(client, db, action):
    org = factories.organisation()
    admin = factories.user(org, "admin")
    coordinator = factories.user(org, "coordinator")
    db.session.commit()
    invitation = invite_user(
        email=NEW_ADDRESS, role="coordinator", organisation=org, invited_by=admin
    )
    db.session.commit()
    assert sign_in(client, coordinator.email).status_code == 302

    assert _action(client, invitation, action).status_code == 404

    assert [row.id for row in _pending(db)] == [invitation.id]
    (denied,) = _events(db, "invitation_access_denied")
    assert denied.actor_id == coordinator.id
    assert _mails_to(db, NEW_ADDRESS) == 1


@pytest.mark.parametrize("action", ["resend", "revoke"])
def test_an_invitation_of_another_organisation_is_not_found(client, db, action):
    other_org = factories.organisation()
    other_admin = factories.user(other_org, "admin")
    db.session.commit()
    invitation = invite_user(
        email=NEW_ADDRESS, role="coordinator", organisation=other_org, invited_by=other_admin
    )
    db.session.commit()
    _signed_in(client, db, "admin")

    assert _action(client, invitation, action).status_code == 404
    assert [row.id for row in _pending(db)] == [invitation.id]


def test_coordinator_resends_a_guide_invitation(client, db):
    _signed_in(client, db, "coordinator")
    _invite(client, role="guide")
    invitation = _pending(db)[0]

    assert _action(client, invitation, "resend").status_code == 302
    assert _mails_to(db, NEW_ADDRESS) == 2
    assert len(_pending(db)) == 1


# --- the referrer's type ----------------------------------------------------------------


def test_the_referrer_type_chosen_at_invitation_lands_on_the_account(client, app, db):
    _signed_in(client, db, "admin")
    page = client.get("/users/invite").text
    assert 'name="referrer_kind"' in page
    assert "Helsesykepleier" in page

    response = _invite(client, email=REFERRER_ADDRESS, role="referrer", referrer_kind="nav")
    assert response.status_code == 302
    assert _pending(db)[0].referrer_kind == ReferrerKind.nav

    newcomer = app.test_client()
    assert _accept(newcomer, _link_in_mail(db, REFERRER_ADDRESS)).status_code == 302
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == REFERRER_ADDRESS))
    assert (user.role, user.referrer_kind) == (Role.referrer, ReferrerKind.nav)


def test_a_referrer_needs_a_type_and_no_one_else_gets_one(client, db):
    _signed_in(client, db, "admin")

    missing = _invite(client, email=REFERRER_ADDRESS, role="referrer")
    assert missing.status_code == 400
    assert "Velg hva slags henviser" in missing.text
    assert _invite(client, role="coordinator", referrer_kind="teacher").status_code == 400
    assert _invite(client, role="referrer", referrer_kind="astronaut").status_code == 400
    assert _pending(db) == []
    assert db.session.scalars(select(OutboxMessage)).all() == []
