"""Invitations: who may invite whom, the e-mail, and accepting a single-use link."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from guide.accounts.invitations import invite_user
from guide.accounts.models import AccountToken, RecoveryCode, User, UserSession
from guide.accounts.passwords import verify_password
from guide.activities.models import Club
from guide.audit.models import AuditEvent
from guide.database import utcnow
from guide.outbox.models import OutboxMessage
from guide.roles import Role
from tests import factories
from tests.web.helpers import csrf_token, sign_in

NEW_ADDRESS = "ny.koordinator@example.com"
NEW_PASSWORD = "kanel fjelltopp sykkelbjelle 1987"
LINK = re.compile(r"http://127\.0\.0\.1:5000(/invitation/[A-Za-z0-9_-]+)")


def _signed_in(client, db, role: str, org=None) -> User:
    account = factories.user(org or factories.organisation(), role)
    db.session.commit()
    assert sign_in(client, account.email).status_code == 302
    return account


def _invite(client, email: str = NEW_ADDRESS, role: str = "coordinator", club: str = ""):
    page = client.get("/users/invite")
    assert page.status_code == 200
    data = {"email": email, "role": role, "csrf_token": csrf_token(page.text)}
    if club:
        data["club"] = club
    return client.post("/users/invite", data=data)


def _link_in_mail(db, address: str = NEW_ADDRESS) -> str:
    db.session.expire_all()
    bodies = [
        m.body_text
        for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at))
        if m.recipient == address
    ]
    assert bodies, f"no mail to {address} in the outbox"
    match = LINK.search(bodies[-1])
    assert match, "no invitation link in the mail"
    return match.group(1)


def _accept(client, path: str, *, password: str = NEW_PASSWORD, name: str = "Nora Ny"):
    page = client.get(path)
    assert page.status_code == 200
    data = {
        "full_name": name,
        "password": password,
        "password_confirm": password,
        "csrf_token": csrf_token(page.text),
    }
    return client.post(path, data=data)


def _offered(html: str, name: str = "role") -> list[str]:
    """The values of the <select name=...>'s options, placeholder left out."""
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    return [value for value in re.findall(r'<option[^>]*value="([a-z_]*)"', select_html) if value]


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


# --- inviting ---------------------------------------------------------------------------


def test_admin_invites_a_coordinator_by_email(client, db):
    admin = _signed_in(client, db, "admin")

    response = _invite(client)

    assert response.status_code == 302
    message = db.session.scalar(select(OutboxMessage))
    assert message.recipient == NEW_ADDRESS
    assert message.organisation_id == admin.organisation_id
    assert message.locale == "nb"
    assert message.subject == "Du er invitert til Fritidsguide"
    path = _link_in_mail(db)
    token = path.rsplit("/", 1)[1]
    invitation = db.session.scalar(select(AccountToken))
    assert invitation.role == Role.coordinator
    assert invitation.email == NEW_ADDRESS
    assert token not in invitation.token_hash and len(token) >= 43
    assert dt.timedelta(hours=71) < invitation.expires_at - utcnow() <= dt.timedelta(hours=72)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user_invited"))
    assert event.actor_id == admin.id
    assert event.details == {"role": "coordinator"}


def test_invitation_mail_names_nobody(client, db):
    admin = _signed_in(client, db, "admin")
    _invite(client)
    message = db.session.scalar(select(OutboxMessage))
    text = message.subject + message.body_text
    assert admin.full_name not in text
    assert admin.email not in text
    assert NEW_ADDRESS not in text


def test_coordinator_is_offered_only_guide_and_club_contact(client, db):
    _signed_in(client, db, "coordinator")
    page = client.get("/users/invite")
    assert _offered(page.text) == ["guide", "club_contact"]
    assert 'name="referrer_kind"' not in page.text
    response = _invite(client, role="admin")
    assert response.status_code == 400
    assert db.session.scalars(select(AccountToken)).all() == []


def test_admin_is_offered_admin_coordinator_and_referrer(client, db):
    _signed_in(client, db, "admin")
    page = client.get("/users/invite")
    assert _offered(page.text) == ["admin", "coordinator", "referrer"]


@pytest.mark.parametrize("role", ["referrer", "guide", "club_contact"])
def test_other_roles_cannot_open_the_invite_page(client, db, role):
    _signed_in(client, db, role)
    assert client.get("/users/invite").status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get("/users/invite")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(
    ("inviter_role", "role"),
    [
        ("coordinator", "admin"),
        ("coordinator", "coordinator"),
        ("admin", "guide"),
        ("guide", "guide"),
    ],
)
def test_service_refuses_roles_the_inviter_may_not_give(db, inviter_role, role):
    org = factories.organisation()
    inviter = factories.user(org, inviter_role)
    with pytest.raises(PermissionError):
        invite_user(email=NEW_ADDRESS, role=role, organisation=org, invited_by=inviter)
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_a_deactivated_coordinator_invites_nobody(db):
    org = factories.organisation()
    coordinator = factories.user(org, "coordinator", is_active=False)
    with pytest.raises(PermissionError):
        invite_user(email=NEW_ADDRESS, role="guide", organisation=org, invited_by=coordinator)
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_service_refuses_inviting_into_another_organisation(db):
    admin = factories.user(factories.organisation(), "admin")
    with pytest.raises(PermissionError):
        invite_user(
            email=NEW_ADDRESS,
            role="coordinator",
            organisation=factories.organisation(),
            invited_by=admin,
        )


def test_club_contact_is_invited_for_a_club_of_the_own_organisation(client, db):
    coordinator = _signed_in(client, db, "coordinator")
    own = Club(organisation_id=coordinator.organisation_id, name="Eksempelby IL")
    other = Club(organisation_id=factories.organisation().id, name="Annet IL")
    db.session.add_all([own, other])
    db.session.commit()

    assert _invite(client, role="club_contact").status_code == 400  # no club chosen
    assert _invite(client, role="club_contact", club=str(other.id)).status_code == 400
    assert _invite(client, role="club_contact", club=str(own.id)).status_code == 302

    invitation = db.session.scalar(select(AccountToken))
    assert invitation.club_id == own.id


def test_address_with_an_active_account_is_not_invited_again(client, db):
    admin = _signed_in(client, db, "admin")
    existing = factories.user(factories.organisation(), "coordinator", email=NEW_ADDRESS)
    db.session.commit()
    response = _invite(client, email=existing.email.upper())
    assert response.status_code == 400
    assert "har allerede en konto" in response.text
    assert db.session.scalars(select(AccountToken)).all() == []
    assert admin.id  # the admin stays signed in and nothing was queued
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_invite_without_csrf_token_is_refused(client, db):
    _signed_in(client, db, "admin")
    response = client.post("/users/invite", data={"email": NEW_ADDRESS, "role": "coordinator"})
    assert response.status_code == 400
    assert db.session.scalars(select(OutboxMessage)).all() == []


# --- accepting --------------------------------------------------------------------------


def test_invited_person_chooses_a_password_and_goes_on_to_the_second_factor(client, app, db):
    _signed_in(client, db, "admin")
    _invite(client)
    path = _link_in_mail(db)
    newcomer = app.test_client()

    form = newcomer.get(path)
    assert f'value="{NEW_ADDRESS}"' in form.text
    assert "readonly" in form.text
    response = _accept(newcomer, path)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/second-factor")
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == NEW_ADDRESS))
    assert user.role == Role.coordinator
    assert user.full_name == "Nora Ny"
    assert user.is_active
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert user.totp_enrolled_at is None
    assert db.session.scalar(select(AccountToken)).used_at is not None
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    # Signed in, but nothing with personal data opens before the second factor is set up.
    assert newcomer.get("/cases").headers["Location"].endswith("/account/second-factor")
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "invitation_accepted" in actions


def test_accepting_in_a_signed_in_browser_signs_the_other_account_out(client, db):
    admin = _signed_in(client, db, "admin")
    _invite(client)

    response = _accept(client, _link_in_mail(db))

    assert response.status_code == 302
    db.session.expire_all()
    admins_session = db.session.scalar(select(UserSession).where(UserSession.user_id == admin.id))
    assert admins_session.ended_reason == "replaced"
    newcomer = db.session.scalar(select(User).where(User.email == NEW_ADDRESS))
    live = select(UserSession).where(UserSession.ended_at.is_(None))
    assert [row.user_id for row in db.session.scalars(live)] == [newcomer.id]
    assert client.get("/users/invite").headers["Location"].endswith("/account/second-factor")


def test_weak_password_is_refused_with_advice_in_norwegian(client, app, db):
    _signed_in(client, db, "admin")
    _invite(client)
    path = _link_in_mail(db)
    newcomer = app.test_client()

    response = _accept(newcomer, path, password="password1234")

    assert response.status_code == 400
    assert "Dette passordet er for lett å gjette." in response.text
    assert "Legg til et ord eller to til; uvanlige ord er best." in response.text
    assert db.session.scalar(select(User).where(User.email == NEW_ADDRESS)) is None
    # The link still works for a better password.
    assert _accept(newcomer, path).status_code == 302


def test_password_made_of_the_persons_own_name_is_refused(client, app, db):
    _signed_in(client, db, "admin")
    _invite(client, email="nora.nyberg@example.com")
    path = _link_in_mail(db, "nora.nyberg@example.com")
    response = _accept(app.test_client(), path, password="nyberg nora nyberg", name="Nora Nyberg")
    assert response.status_code == 400
    assert "Ikke bruk navnet eller e-postadressen din i passordet." in response.text


def test_a_name_with_a_nul_character_is_refused_beside_the_field(client, app, db):
    _signed_in(client, db, "admin")
    _invite(client)
    path = _link_in_mail(db)

    response = _accept(app.test_client(), path, name="Nora\x00Ny")

    assert response.status_code == 400
    assert 'id="full_name-error"' in response.text
    assert "usynlige kontrolltegn" in response.text
    assert db.session.scalar(select(User).where(User.email == NEW_ADDRESS)) is None


def test_used_expired_and_unknown_links_look_the_same(client, app, db):
    _signed_in(client, db, "admin")
    _invite(client, email="brukt@example.com")
    used = _link_in_mail(db, "brukt@example.com")
    assert _accept(app.test_client(), used).status_code == 302
    _invite(client, email="utlopt@example.com")
    expired = _link_in_mail(db, "utlopt@example.com")
    row = db.session.scalar(select(AccountToken).where(AccountToken.email == "utlopt@example.com"))
    row.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    unknown = "/invitation/" + "A" * 43

    visitor = app.test_client()
    pages = [visitor.get(path) for path in (used, expired, unknown)]

    assert [page.status_code for page in pages] == [404, 404, 404]
    assert len({_main(page.text) for page in pages}) == 1
    assert "Denne lenken kan ikke brukes" in pages[0].text
    # Posting to a dead link changes nothing either.
    response = visitor.post(expired, data={"csrf_token": csrf_token(pages[1].text)})
    assert response.status_code == 404
    assert db.session.scalar(select(User).where(User.email == "utlopt@example.com")) is None


def test_a_new_invitation_replaces_the_earlier_link(client, app, db):
    _signed_in(client, db, "admin")
    _invite(client)
    first = _link_in_mail(db)
    _invite(client)
    second = _link_in_mail(db)
    assert first != second
    visitor = app.test_client()
    assert visitor.get(first).status_code == 404
    assert visitor.get(second).status_code == 200
    # One pending invitation, listed once; the audit log says it replaced the first.
    db.session.expire_all()
    pending = db.session.scalars(select(AccountToken).where(AccountToken.used_at.is_(None)))
    assert len(pending.all()) == 1
    assert client.get("/users/invite").text.count(f"<td>{NEW_ADDRESS}</td>") == 1
    details = db.session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "user_invited")
    ).all()
    assert sorted(details, key=len) == [
        {"role": "coordinator"},
        {"role": "coordinator", "replaced": 1},
    ]


def test_deactivated_account_returns_with_a_fresh_second_factor(client, app, db):
    admin = _signed_in(client, db, "admin")
    former = factories.user(
        factories.organisation(), "referrer", email=NEW_ADDRESS, is_active=False
    )
    db.session.add(RecoveryCode(user_id=former.id, code_hash="x"))
    db.session.commit()
    _invite(client, role="coordinator")

    assert _accept(app.test_client(), _link_in_mail(db)).status_code == 302

    db.session.expire_all()
    returned = db.session.get(User, former.id)
    assert returned.is_active
    assert returned.role == Role.coordinator
    assert returned.organisation_id == admin.organisation_id
    assert returned.totp_secret is None and returned.totp_enrolled_at is None
    assert db.session.scalars(select(RecoveryCode)).all() == []


def test_accept_post_is_rate_limited(make_app, db):
    limited = make_app(rate_limits_enabled=True)
    client = limited.test_client()
    path = "/invitation/" + "B" * 43
    token = csrf_token(client.get(path).text)
    statuses = [client.post(path, data={"csrf_token": token}).status_code for _ in range(11)]
    assert statuses == [404] * 10 + [429]
