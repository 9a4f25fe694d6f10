"""Password sign-in and sign-out."""

from __future__ import annotations

from sqlalchemy import select

from guide.audit.models import AuditEvent
from tests import factories
from tests.web.helpers import csrf_token, sign_in


def test_coordinator_signs_in_and_lands_on_the_dashboard(client, db):
    account = factories.user(factories.organisation(), "coordinator")
    db.session.commit()
    response = sign_in(client, account.email.upper())
    assert response.status_code == 302
    assert client.get("/").headers["Location"].endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200


def test_wrong_password_is_refused_and_audited(client, db):
    account = factories.user(factories.organisation(), "coordinator")
    db.session.commit()
    response = sign_in(client, account.email, "not the password at all")
    assert response.status_code == 400
    assert client.get("/cases").status_code == 302
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "sign_in_failed" in actions


def test_unknown_address_gets_the_same_message(client, db):
    account = factories.user(factories.organisation(), "coordinator")
    db.session.commit()
    wrong_password = sign_in(client, account.email, "not the password at all").text
    unknown = sign_in(client, "nobody@example.org").text
    assert "wrong" in unknown.lower() or "feil" in unknown.lower()
    assert _flash(wrong_password) == _flash(unknown)


def _flash(html: str) -> str:
    start = html.index('role="alert"') if 'role="alert"' in html else html.index("ds-alert")
    return html[start : start + 300].split("</")[0]


def test_deactivated_user_cannot_sign_in(client, db):
    account = factories.user(factories.organisation(), "coordinator", is_active=False)
    db.session.commit()
    assert sign_in(client, account.email).status_code == 400


def test_sign_out_ends_access(client, db):
    account = factories.user(factories.organisation(), "coordinator")
    db.session.commit()
    sign_in(client, account.email)
    page = client.get("/cases")
    assert page.status_code == 200
    response = client.post("/sign-out", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    assert client.get("/cases").status_code == 302


def test_hash_made_with_other_settings_is_upgraded_at_sign_in(client, db):
    from argon2 import PasswordHasher, Type, extract_parameters

    from guide.accounts.models import User
    from tests.factories import PASSWORD

    account = factories.user(factories.organisation(), "coordinator")
    old_hash = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1, type=Type.ID).hash(
        PASSWORD
    )
    account.password_hash = old_hash
    db.session.commit()
    assert sign_in(client, account.email).status_code == 302
    stored = db.session.get(User, account.id).password_hash
    assert stored != old_hash
    settings = client.application.extensions["fritidsguide.settings"]
    parameters = extract_parameters(stored)
    assert (parameters.time_cost, parameters.memory_cost) == (
        settings.password_time_cost,
        settings.password_memory_kib,
    )
