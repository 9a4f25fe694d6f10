"""The second factor: enrollment, codes that work once, recovery codes, enforcement, reset."""

from __future__ import annotations

import re
import uuid

import pyotp
import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from guide import create_app
from guide.accounts import totp
from guide.accounts.models import RecoveryCode, User, UserSession
from guide.accounts.second_factor import replace_recovery_codes, reset_second_factor
from guide.accounts.twofactor_views import OPEN_BEFORE_ENROLLMENT
from guide.audit.models import AuditEvent
from guide.demo.data import DEMO_EMAIL_DOMAIN
from guide.extensions import db as _db
from tests import factories
from tests.conftest import IsolatedClient
from tests.web.helpers import (
    authenticator_code,
    csrf_token,
    enter_code,
    same_keys,
    saved_coordinator,
    sign_in,
    sign_in_with_password,
)

ENROLL_PATH = "/account/second-factor"
RECOVERY_CODE = re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$")


def _sign_out(client) -> None:
    page = client.get("/sign-in")  # any page carries the sign-out form's CSRF token
    response = client.post("/sign-out", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302


# --- signing in with a code -------------------------------------------------------------


def test_password_alone_does_not_sign_in_an_enrolled_user(client, db):
    account = saved_coordinator(db)
    response = sign_in_with_password(client, account.email)
    assert response.headers["Location"].endswith("/sign-in/code")
    assert client.get("/cases").headers["Location"].startswith("/sign-in")
    assert db.session.scalars(select(UserSession)).all() == []


def test_code_from_the_app_completes_sign_in(client, db):
    account = saved_coordinator(db)
    sign_in_with_password(client, account.email)
    response = enter_code(client, authenticator_code(client.application, account.email))
    assert response.status_code == 302
    assert client.get("/cases").status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "signed_in"))
    assert event.details == {"second_factor": "totp"}


def test_totp_code_cannot_be_used_twice(client, db):
    account = saved_coordinator(db)
    code = authenticator_code(client.application, account.email)
    sign_in_with_password(client, account.email)
    assert enter_code(client, code).status_code == 302
    _sign_out(client)

    sign_in_with_password(client, account.email)
    replay = enter_code(client, code)
    assert replay.status_code == 400
    with client.application.test_request_context(), force_locale("nb"):
        assert gettext("The code is wrong or has already been used.") in replay.text
    assert client.get("/cases").status_code == 302


def test_wrong_code_is_refused_and_audited(client, db):
    account = saved_coordinator(db)
    sign_in_with_password(client, account.email)
    good = authenticator_code(client.application, account.email)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    assert enter_code(client, wrong).status_code == 400
    assert client.get("/cases").status_code == 302
    failures = db.session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "sign_in_failed")
    ).all()
    assert {"reason": "wrong_code"} in failures


def test_code_step_without_password_step_goes_back_to_sign_in(client, db):
    response = client.get("/sign-in/code")
    assert response.headers["Location"].endswith("/sign-in")


def test_waiting_for_the_code_expires_after_five_minutes(client, db, monkeypatch):
    import datetime as dt

    from guide.accounts import sessions

    account = saved_coordinator(db)
    sign_in_with_password(client, account.email)
    later = sessions.utcnow() + dt.timedelta(minutes=6)
    monkeypatch.setattr(sessions, "utcnow", lambda: later)
    response = client.get("/sign-in/code")
    assert response.headers["Location"].endswith("/sign-in")


def test_codes_from_neighbouring_time_steps_are_accepted_but_not_older_ones():
    secret = totp.new_secret()
    now = 1_800_000_000.0
    step = totp.current_step(now)
    code_for = pyotp.TOTP(secret).at
    assert totp.matching_step(secret, code_for(now - 30), last_step=None, now=now) == step - 1
    assert totp.matching_step(secret, code_for(now + 30), last_step=None, now=now) == step + 1
    assert totp.matching_step(secret, code_for(now - 60), last_step=None, now=now) is None
    assert totp.matching_step(secret, code_for(now), last_step=step, now=now) is None
    assert totp.matching_step(secret, code_for(now + 30), last_step=step, now=now) == step + 1


# --- recovery codes ---------------------------------------------------------------------


def test_recovery_code_works_once_whatever_the_case_spaces_and_dashes(client, db):
    account = saved_coordinator(db)
    codes = replace_recovery_codes(account)
    db.session.commit()
    typed = codes[0].lower().replace("-", " ")

    sign_in_with_password(client, account.email)
    response = enter_code(client, f" {typed} ")
    assert response.status_code == 302
    landing = client.get(response.headers["Location"], follow_redirects=True).text
    warning = re.search(r'data-color="warning"[^>]*>\s*<p[^>]*>([^<]*)<', landing).group(1)
    assert re.search(r"\b9\b", warning)  # nine codes left
    _sign_out(client)

    sign_in_with_password(client, account.email)
    assert enter_code(client, codes[0]).status_code == 400
    assert client.get("/cases").status_code == 302
    used = db.session.scalars(select(RecoveryCode).where(RecoveryCode.used_at.is_not(None))).all()
    assert len(used) == 1


def test_recovery_codes_are_stored_only_as_keyed_hashes(db):
    account = saved_coordinator(db)
    codes = replace_recovery_codes(account)
    db.session.commit()
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(codes) == len(set(codes)) == len(stored) == 10
    assert all(RECOVERY_CODE.match(code) for code in codes)
    for code in codes:
        bare = code.replace("-", "")
        assert not any(bare in value or code in value for value in stored)


def test_new_recovery_codes_need_a_code_from_the_app_and_replace_the_old(client, db):
    account = saved_coordinator(db)
    old_codes = replace_recovery_codes(account)
    db.session.commit()
    sign_in(client, account.email)
    page = client.get("/account/recovery-codes")
    assert page.status_code == 200

    with_recovery_code = client.post(
        "/account/recovery-codes", data={"code": old_codes[1], "csrf_token": csrf_token(page.text)}
    )
    assert with_recovery_code.status_code == 400

    fresh = authenticator_code(client.application, account.email)
    response = client.post(
        "/account/recovery-codes", data={"code": fresh, "csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 200
    new_codes = re.findall(r'<code translate="no">([^<]+)</code>', response.text)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    _sign_out(client)
    sign_in_with_password(client, account.email)
    assert enter_code(client, old_codes[2]).status_code == 400


# --- enrollment --------------------------------------------------------------------------


def test_user_enrolls_with_qr_code_and_gets_recovery_codes(client, db):
    account = saved_coordinator(db, second_factor=False)
    response = sign_in(client, account.email)
    assert response.headers["Location"].endswith(ENROLL_PATH)

    intro = client.get(ENROLL_PATH)
    assert "<svg" not in intro.text
    client.post(f"{ENROLL_PATH}/start", data={"csrf_token": csrf_token(intro.text)})
    page = client.get(ENROLL_PATH)
    assert page.status_code == 200
    svg = re.search(r"<svg.*?</svg>", page.text, re.DOTALL).group(0)
    assert "style=" not in svg and "<script" not in svg
    shown = re.search(r'class="app-secret" translate="no">([A-Z2-7 ]+)<', page.text).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", shown)
    secret = shown.replace(" ", "")

    wrong = client.post(ENROLL_PATH, data={"code": "000000", "csrf_token": csrf_token(page.text)})
    assert wrong.status_code == 400
    assert client.get("/cases").headers["Location"].endswith(ENROLL_PATH)

    done = client.post(
        ENROLL_PATH, data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(page.text)}
    )
    assert done.status_code == 200
    codes = re.findall(r'<code translate="no">([^<]+)</code>', done.text)
    assert len(codes) == 10 and all(RECOVERY_CODE.match(code) for code in codes)
    assert client.get("/cases").status_code == 200

    db.session.expire_all()
    stored = db.session.get(User, account.id)
    assert stored.totp_enrolled_at is not None
    assert stored.totp_secret == secret
    assert secret.encode() not in stored._totp_secret_sealed
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "second_factor_enrolled" in actions


def test_unenrolled_user_can_sign_out(client, db):
    account = saved_coordinator(db, second_factor=False)
    sign_in(client, account.email)
    page = client.get(ENROLL_PATH)
    response = client.post("/sign-out", data={"csrf_token": csrf_token(page.text)})
    assert response.headers["Location"].endswith("/sign-in")
    assert client.get(ENROLL_PATH).headers["Location"].startswith("/sign-in")


def test_every_page_that_is_not_public_sends_an_unenrolled_user_to_enrollment(app, client, db):
    account = saved_coordinator(db, second_factor=False)
    sign_in(client, account.email)
    token = csrf_token(client.get(ENROLL_PATH).text)
    checked = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint in OPEN_BEFORE_ENROLLMENT or "public" in view.required_roles:
            continue
        url = rule.build({name: _sample_argument(rule, name) for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 302, (rule.endpoint, method)
            assert response.headers["Location"].endswith(ENROLL_PATH), (rule.endpoint, method)
            checked.append(rule.endpoint)
    assert "cases.case_list" in checked


def _sample_argument(rule, name: str) -> object:
    converters = dict(
        (argument, converter)
        for converter, argument in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule)
    )
    converter = converters.get(name) or "default"
    if converter == "uuid":
        return uuid.uuid4()
    return 1 if converter in {"int", "float"} else "sample"


def test_enrolled_user_is_not_sent_to_enrollment_again(client, db):
    account = saved_coordinator(db)
    sign_in(client, account.email)
    assert client.get("/cases").status_code == 200
    assert client.get(ENROLL_PATH).headers["Location"].endswith("/")


# --- demo accounts ----------------------------------------------------------------------


@pytest.fixture
def demo_app(app, database_url):
    demo = create_app(same_keys(app, database_url, demo_mode=True))
    demo.test_client_class = IsolatedClient
    yield demo
    with demo.app_context():
        _db.engine.dispose()


def _demo_user(db, *, second_factor: bool, local_part: str = "koordinator") -> User:
    account = factories.user(
        factories.organisation(),
        "coordinator",
        email=f"{local_part}@{DEMO_EMAIL_DOMAIN}",
        second_factor=second_factor,
    )
    db.session.commit()
    return account


def test_demo_accounts_skip_the_second_factor_in_demo_mode(demo_app, db):
    unenrolled = _demo_user(db, second_factor=False)
    enrolled = _demo_user(db, second_factor=True, local_part="koordinator2")
    for account in (unenrolled, enrolled):
        client = demo_app.test_client()
        response = sign_in_with_password(client, account.email)
        assert response.status_code == 302
        assert not response.headers["Location"].endswith(("/sign-in/code", ENROLL_PATH))
        assert client.get("/cases").status_code == 200


def test_other_accounts_need_the_second_factor_even_in_demo_mode(demo_app, db):
    account = saved_coordinator(db, second_factor=False)
    client = demo_app.test_client()
    assert sign_in_with_password(client, account.email).headers["Location"].endswith(ENROLL_PATH)
    assert client.get("/cases").headers["Location"].endswith(ENROLL_PATH)


def test_demo_accounts_need_the_second_factor_outside_demo_mode(client, db):
    unenrolled = _demo_user(db, second_factor=False)
    assert sign_in_with_password(client, unenrolled.email).headers["Location"].endswith(ENROLL_PATH)
    assert client.get("/cases").headers["Location"].endswith(ENROLL_PATH)


# --- reset by an admin ------------------------------------------------------------------


def test_reset_second_factor_clears_it_and_ends_sessions(client, db):
    org = factories.organisation()
    account = factories.user(org, "coordinator")
    admin = factories.user(org, "admin")
    replace_recovery_codes(account)
    db.session.commit()
    sign_in(client, account.email)
    assert client.get("/cases").status_code == 200

    reset_second_factor(account, by=admin)
    db.session.commit()

    assert client.get("/cases").headers["Location"].startswith("/sign-in")
    db.session.expire_all()
    stored = db.session.get(User, account.id)
    assert stored.totp_secret is None and stored.totp_enrolled_at is None
    assert db.session.scalars(select(RecoveryCode)).all() == []
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "second_factor_reset"))
    assert event.actor_id == admin.id and event.object_id == str(account.id)
    # Next time the password leads to enrollment, not to a code.
    fresh = client.application.test_client()
    assert sign_in_with_password(fresh, account.email).headers["Location"].endswith(ENROLL_PATH)
