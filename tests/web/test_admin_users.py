"""User screens: admins look after staff, coordinators after guides and club contacts."""

from __future__ import annotations

from sqlalchemy import select

from guide.accounts.models import RecoveryCode, ReferrerKind, User, UserSession
from guide.accounts.second_factor import replace_recovery_codes
from guide.audit.models import AuditEvent
from guide.roles import Role
from tests import factories
from tests.web.helpers import csrf_token, sign_in


def _signed_in(client, db, role: str, org=None) -> User:
    account = factories.user(org or factories.organisation(), role)
    db.session.commit()
    assert sign_in(client, account.email).status_code == 302
    return account


def _person(org, role: str, name: str, **fields) -> User:
    account = factories.user(org, role, **fields)
    account.full_name = name
    return account


def _post(client, path: str, **data):
    token = csrf_token(client.get("/sign-in").text)
    return client.post(path, data={"csrf_token": token, **data})


def _reload(db, account: User) -> User:
    db.session.expire_all()
    return db.session.get(User, account.id)


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _changed(client, db, account: User, form: str, **data) -> User:
    """Send the account's ``form`` (role, referrer-kind) as the signed-in user; it is accepted."""
    response = _post(client, f"/users/{account.id}/{form}", **data)
    assert response.status_code == 302
    return _reload(db, account)


def _refused(client, db, account: User, form: str, status: int, **data) -> User:
    """Send the account's ``form`` as the signed-in user; it is refused with ``status``."""
    response = _post(client, f"/users/{account.id}/{form}", **data)
    assert response.status_code == status
    return _reload(db, account)


def _assert_logged(db, action: str, actor: User, before: str, after: str) -> None:
    [event] = _events(db, action)
    assert event.details == {"from": before, "to": after}
    assert event.actor_id == actor.id


def _live_sessions(db, account: User) -> int:
    db.session.expire_all()
    rows = db.session.scalars(
        select(UserSession).where(UserSession.user_id == account.id, UserSession.ended_at.is_(None))
    )
    return len(list(rows))


# --- the list ----------------------------------------------------------------------------


def test_admin_sees_staff_of_the_own_organisation_with_status_and_second_factor(client, db):
    admin = _signed_in(client, db, "admin")
    org = admin.organisation
    _person(org, "coordinator", "Kari Koordinator")
    _person(org, "referrer", "Lise Lærer", second_factor=False)
    _person(org, "guide", "Gunnar Guide")
    _person(factories.organisation(), "coordinator", "Fremmed Koordinator")
    db.session.commit()

    page = client.get("/users")

    assert page.status_code == 200
    assert "Kari Koordinator" in page.text and "Lise Lærer" in page.text
    assert "Gunnar Guide" not in page.text  # volunteers are the coordinator's
    assert "Fremmed Koordinator" not in page.text
    assert "Ikke satt opp" in page.text and "Satt opp" in page.text
    assert page.headers["Cache-Control"].startswith("no-store")


def test_coordinator_sees_guides_and_club_contacts_only(client, db):
    coordinator = _signed_in(client, db, "coordinator")
    org = coordinator.organisation
    _person(org, "guide", "Gunnar Guide")
    _person(org, "club_contact", "Klara Klubb")
    _person(org, "referrer", "Lise Lærer")
    db.session.commit()

    page = client.get("/users")

    assert "Gunnar Guide" in page.text and "Klara Klubb" in page.text
    assert "Lise Lærer" not in page.text


def test_user_list_links_to_the_invitation_form(client, db):
    _signed_in(client, db, "admin")
    assert 'href="/users/invite"' in client.get("/users").text


def test_admins_pages_show_no_childs_data(client, db):
    admin = _signed_in(client, db, "admin")
    guide = factories.user(admin.organisation, "guide")
    factories.child_case(admin.organisation, first_name="Hemmelig", guide=guide)
    db.session.commit()
    for path in ("/users", f"/users/{admin.id}", "/cases"):
        assert "Hemmelig" not in client.get(path).text


# --- deactivate and reactivate -------------------------------------------------------------


def test_deactivating_a_guide_ends_their_sessions_at_once(app, client, db):
    coordinator = _signed_in(client, db, "coordinator")
    guide = factories.user(coordinator.organisation, "guide")
    db.session.commit()
    guide_browser = app.test_client()
    assert sign_in(guide_browser, guide.email).status_code == 302
    assert guide_browser.get("/account/recovery-codes").status_code == 200

    response = _post(client, f"/users/{guide.id}/deactivate")

    assert response.status_code == 302
    assert _reload(db, guide).is_active is False
    assert _live_sessions(db, guide) == 0
    assert guide_browser.get("/account/recovery-codes").headers["Location"].startswith("/sign-in")
    [event] = _events(db, "user_deactivated")
    assert event.actor_id == coordinator.id and event.object_id == str(guide.id)
    assert event.details == {"sessions_ended": 1}


def test_deactivated_user_cannot_sign_in_until_reactivated(app, client, db):
    admin = _signed_in(client, db, "admin")
    referrer = factories.user(admin.organisation, "referrer")
    db.session.commit()
    _post(client, f"/users/{referrer.id}/deactivate")
    assert sign_in(app.test_client(), referrer.email).status_code != 302

    assert _post(client, f"/users/{referrer.id}/reactivate").status_code == 302

    assert _reload(db, referrer).is_active is True
    assert sign_in(app.test_client(), referrer.email).status_code == 302
    assert len(_events(db, "user_reactivated")) == 1


def test_nobody_deactivates_their_own_account(client, db):
    admin = _signed_in(client, db, "admin")
    response = _post(client, f"/users/{admin.id}/deactivate")
    assert response.status_code == 302
    assert _reload(db, admin).is_active is True
    assert "Du kan ikke endre din egen konto her." in client.get(f"/users/{admin.id}").text
    assert _events(db, "user_deactivated") == []


def test_coordinator_cannot_touch_staff_accounts(client, db):
    coordinator = _signed_in(client, db, "coordinator")
    referrer = factories.user(coordinator.organisation, "referrer")
    db.session.commit()
    assert client.get(f"/users/{referrer.id}").status_code == 404
    assert _post(client, f"/users/{referrer.id}/deactivate").status_code == 404
    assert _reload(db, referrer).is_active is True
    assert len(_events(db, "user_access_denied")) == 2


def test_deactivation_needs_a_csrf_token(client, db):
    admin = _signed_in(client, db, "admin")
    referrer = factories.user(admin.organisation, "referrer")
    db.session.commit()
    response = client.post(f"/users/{referrer.id}/deactivate")
    assert response.status_code == 400
    assert _reload(db, referrer).is_active is True


# --- roles -------------------------------------------------------------------------------------


def test_admin_changes_a_referrers_role_and_it_is_logged(client, db):
    admin = _signed_in(client, db, "admin")
    referrer = factories.user(admin.organisation, "referrer")
    db.session.commit()

    assert _changed(client, db, referrer, "role", role="coordinator").role == Role.coordinator
    _assert_logged(db, "user_role_changed", admin, "referrer", "coordinator")


def test_admin_cannot_give_a_volunteer_role_or_change_their_own(client, db):
    admin = _signed_in(client, db, "admin")
    other_admin = factories.user(admin.organisation, "admin")
    db.session.commit()

    assert _post(client, f"/users/{other_admin.id}/role", role="guide").status_code == 400
    assert _post(client, f"/users/{admin.id}/role", role="referrer").status_code == 400

    assert _reload(db, other_admin).role == Role.admin
    assert _reload(db, admin).role == Role.admin
    assert _events(db, "user_role_changed") == []


def test_coordinator_cannot_change_roles_let_alone_make_an_admin(client, db):
    coordinator = _signed_in(client, db, "coordinator")
    guide = factories.user(coordinator.organisation, "guide")
    db.session.commit()
    assert "Endre rolle" not in client.get(f"/users/{guide.id}").text

    assert _refused(client, db, guide, "role", 404, role="admin").role == Role.guide


# --- second factor -------------------------------------------------------------------------------


def test_coordinator_resets_a_guides_lost_second_factor(app, client, db):
    coordinator = _signed_in(client, db, "coordinator")
    guide = factories.user(coordinator.organisation, "guide")
    replace_recovery_codes(guide)
    db.session.commit()
    guide_browser = app.test_client()
    assert sign_in(guide_browser, guide.email).status_code == 302

    response = _post(client, f"/users/{guide.id}/second-factor/reset")

    assert response.status_code == 302
    guide = _reload(db, guide)
    assert guide.totp_enrolled_at is None and guide.totp_secret is None
    assert (
        db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == guide.id)).all() == []
    )
    assert _live_sessions(db, guide) == 0
    [event] = _events(db, "second_factor_reset")
    assert event.actor_id == coordinator.id and event.object_id == str(guide.id)


def test_user_pages_are_in_bokmal_by_default(client, db):
    admin = _signed_in(client, db, "admin")
    referrer = factories.user(admin.organisation, "referrer")
    db.session.commit()
    page = client.get(f"/users/{referrer.id}").text
    for text in ("Deaktiver", "Tilbakestill totrinnsbekreftelse", "Endre rolle", "Sist innlogget"):
        assert text in page


# --- a referrer's type --------------------------------------------------------------------


def test_admin_corrects_a_referrers_type(client, db):
    admin = _signed_in(client, db, "admin")
    referrer = factories.user(admin.organisation, "referrer", referrer_kind=ReferrerKind.teacher)
    db.session.commit()
    assert "Lærer" in client.get(f"/users/{referrer.id}").text

    changed = _changed(client, db, referrer, "referrer-kind", referrer_kind="child_welfare")
    assert changed.referrer_kind == ReferrerKind.child_welfare
    _assert_logged(db, "user_referrer_kind_changed", admin, "teacher", "child_welfare")


def test_only_referrers_have_a_type(client, db):
    admin = _signed_in(client, db, "admin")
    coordinator = factories.user(admin.organisation, "coordinator")
    db.session.commit()
    assert 'name="referrer_kind"' not in client.get(f"/users/{coordinator.id}").text

    refused = _refused(client, db, coordinator, "referrer-kind", 400, referrer_kind="teacher")
    assert refused.referrer_kind is None


def test_a_referrers_type_must_be_one_of_the_list(client, db):
    admin = _signed_in(client, db, "admin")
    referrer = factories.user(admin.organisation, "referrer", referrer_kind=ReferrerKind.nav)
    db.session.commit()
    for kind in ("", "astronaut"):
        response = _post(client, f"/users/{referrer.id}/referrer-kind", referrer_kind=kind)
        assert response.status_code == 400
    assert _reload(db, referrer).referrer_kind == ReferrerKind.nav


def test_coordinator_cannot_change_a_referrers_type(client, db):
    coordinator = _signed_in(client, db, "coordinator")
    referrer = factories.user(coordinator.organisation, "referrer")
    db.session.commit()

    # Without the permission, an object's address answers 404 (guide.access.refusal_status).
    refused = _refused(client, db, referrer, "referrer-kind", 404, referrer_kind="nav")
    assert refused.referrer_kind is None
    assert [event.actor_id for event in _events(db, "permission_denied")] == [coordinator.id]
