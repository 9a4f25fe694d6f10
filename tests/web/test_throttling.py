"""Brute force: account back-off after failures, and request limits per client (also via Redis)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis
from flask_babel import force_locale, gettext
from sqlalchemy import select, update

from guide import create_app
from guide.accounts.models import User
from guide.accounts.throttling import throttle_delay
from guide.audit.models import AuditEvent
from guide.database import utcnow
from guide.extensions import db as _db
from guide.extensions import limiter
from tests.conftest import IsolatedClient
from tests.web.helpers import (
    csrf_token,
    enter_code,
    same_keys,
    saved_coordinator,
    sign_in,
    sign_in_with_password,
)

WRONG = "not the password at all"


def _fail_password(client, email: str, times: int) -> None:
    for _ in range(times):
        assert sign_in_with_password(client, email, WRONG).status_code == 400


def _stored(db, account: User) -> User:
    db.session.expire_all()
    return db.session.get(User, account.id)


def test_back_off_doubles_from_one_minute_up_to_an_hour():
    assert throttle_delay(4) is None
    minutes = [throttle_delay(n).total_seconds() / 60 for n in (5, 6, 7, 8, 10, 11, 12, 10_000)]
    assert minutes == [1, 2, 4, 8, 32, 60, 60, 60]


def test_five_failed_passwords_throttle_the_account(client, db):
    account = saved_coordinator(db)
    _fail_password(client, account.email, 4)
    assert _stored(db, account).throttled_until is None
    _fail_password(client, account.email, 1)

    stored = _stored(db, account)
    wait = stored.throttled_until - utcnow()
    assert dt.timedelta(seconds=50) < wait <= dt.timedelta(minutes=1)
    details = db.session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "sign_in_throttled")
    ).all()
    assert details == [{"reason": "too_many_failures", "failures": 5, "minutes": 1}]


def test_throttled_sign_in_says_when_and_not_whether_the_password_was_right(client, db):
    account = saved_coordinator(db)
    _fail_password(client, account.email, 5)
    until = _stored(db, account).throttled_until

    right = sign_in_with_password(client, account.email)
    wrong = sign_in_with_password(client, account.email, WRONG)

    assert right.status_code == wrong.status_code == 429
    assert _flash(right.text) == _flash(wrong.text)
    assert until.astimezone(ZoneInfo("Europe/Oslo")).strftime("%H:%M") in _flash(right.text)
    assert 0 < int(right.headers["Retry-After"]) <= 60
    assert client.get("/cases").status_code == 302
    refused = db.session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "sign_in_throttled")
    ).all()
    assert refused.count({"reason": "attempt_while_throttled"}) == 2
    assert _stored(db, account).failed_sign_ins == 5  # refused attempts are not checked


def _flash(html: str) -> str:
    start = html.index('class="ds-alert app-flash"')
    return html[start : html.index("</div>", start)]


def test_throttle_ends_and_a_full_sign_in_resets_the_count(client, db):
    account = saved_coordinator(db)
    _fail_password(client, account.email, 5)
    assert _stored(db, account).failed_sign_ins == 5
    db.session.execute(
        update(User)
        .where(User.id == account.id)
        .values(throttled_until=utcnow() - dt.timedelta(seconds=1))
    )
    db.session.commit()

    assert sign_in(client, account.email).status_code == 302
    assert client.get("/cases").status_code == 200
    stored = _stored(db, account)
    assert stored.failed_sign_ins == 0 and stored.throttled_until is None


def test_password_alone_does_not_reset_the_count(client, db):
    account = saved_coordinator(db)
    _fail_password(client, account.email, 3)
    assert sign_in_with_password(client, account.email).status_code == 302
    assert _stored(db, account).failed_sign_ins == 3


def test_wrong_codes_throttle_the_account_too(client, db):
    account = saved_coordinator(db)
    sign_in_with_password(client, account.email)
    for _ in range(4):
        assert enter_code(client, "000000").status_code == 400
    fifth = enter_code(client, "000000")
    assert fifth.headers["Location"].endswith("/sign-in")
    assert _stored(db, account).throttled_until is not None

    # The pending sign-in is gone, and the password with a right code is refused for now.
    assert client.get("/sign-in/code").headers["Location"].endswith("/sign-in")
    assert sign_in_with_password(client, account.email).status_code == 429
    assert client.get("/cases").status_code == 302


# --- request limits per client ----------------------------------------------------------


@pytest.fixture
def limited_app(app, database_url):
    limited = create_app(same_keys(app, database_url, rate_limits_enabled=True))
    limited.test_client_class = IsolatedClient
    yield limited
    with limited.app_context():
        _db.engine.dispose()


def _post_sign_in(client, token: str, email: str = "nobody@example.test"):
    return client.post("/sign-in", data={"email": email, "password": WRONG, "csrf_token": token})


def test_eleventh_sign_in_post_in_a_minute_gets_the_translated_429_page(limited_app, db):
    client = limited_app.test_client()
    token = csrf_token(client.get("/sign-in").text)
    statuses = [_post_sign_in(client, token).status_code for _ in range(10)]
    assert statuses == [400] * 10
    limited = _post_sign_in(client, token)
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    with limited_app.test_request_context(), force_locale("nb"):
        title = gettext("Too many attempts")
    assert title != "Too many attempts" and title in limited.text  # the Norwegian page
    assert client.get("/sign-in").status_code == 200  # reading the form is not limited


def test_second_factor_posts_are_limited(limited_app, db):
    account = saved_coordinator(db)
    client = limited_app.test_client()
    assert sign_in_with_password(client, account.email).status_code == 302
    token = csrf_token(client.get("/sign-in/code").text)
    # Empty codes: the form refuses them before they count against the account.
    statuses = [
        client.post("/sign-in/code", data={"code": "", "csrf_token": token}).status_code
        for _ in range(11)
    ]
    assert statuses == [400] * 10 + [429]
    assert "Retry-After" in client.post("/sign-in/code", data={"csrf_token": token}).headers


# --- two app instances sharing Redis ----------------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379/15"

#: A second app instance in its own process; it posts to /sign-in for each line it reads.
SECOND_INSTANCE = """
import json, re, sys
from guide import create_app
from guide.extensions import limiter
settings = json.loads(sys.argv[1])
app = create_app(settings)
app.config["RATELIMIT_KEY_PREFIX"] = sys.argv[2]
limiter.init_app(app)  # picks up the prefix
client = app.test_client()
page = client.get("/sign-in").text
token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
print("ready", flush=True)
for _line in sys.stdin:
    response = client.post(
        "/sign-in", data={"email": "nobody@example.test", "password": "x", "csrf_token": token}
    )
    print(response.status_code, flush=True)
"""


def _delete_keys(store: redis.Redis, prefix: str) -> None:
    for key in store.scan_iter(match=f"*{prefix}*"):
        store.delete(key)


@pytest.fixture
def shared_redis():
    """A Redis store (failing, never skipping, when Redis is down) and this run's key prefix."""
    store = redis.Redis.from_url(REDIS_URL)
    store.ping()
    prefix = f"fritidsguide-test-{uuid.uuid4().hex}"
    _delete_keys(store, prefix)
    yield store, prefix
    _delete_keys(store, prefix)
    store.close()


def test_limit_holds_across_two_instances_sharing_redis(
    app, database_url, shared_redis, db, tmp_path
):
    store, prefix = shared_redis
    settings = same_keys(app, database_url, rate_limits_enabled=True, redis_url=REDIS_URL)
    first = create_app(settings)
    first.test_client_class = IsolatedClient
    first.config["RATELIMIT_KEY_PREFIX"] = prefix
    limiter.init_app(first)  # picks up the prefix (there is no setting for it)
    command = [sys.executable, "-c", SECOND_INSTANCE, json.dumps(settings), prefix]
    project = Path(__file__).resolve().parents[2]
    errors = tmp_path / "second-instance.log"
    with (
        errors.open("w") as error_log,
        subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=error_log,
            text=True,
            cwd=project,
        ) as second,
    ):
        ready = second.stdout.readline().strip()
        assert ready == "ready", errors.read_text()[-2000:]
        client = first.test_client()
        token = csrf_token(client.get("/sign-in").text)

        def post_on_second() -> int:
            second.stdin.write("post\n")
            second.stdin.flush()
            return int(second.stdout.readline())

        statuses = []
        for _ in range(5):
            statuses.append(_post_sign_in(client, token).status_code)
            statuses.append(post_on_second())
        assert statuses == [400] * 10
        assert post_on_second() == 429
        assert _post_sign_in(client, token).status_code == 429
        second.stdin.close()
    assert list(store.scan_iter(match=f"*{prefix}*")), "the limiter did not use Redis"
    with first.app_context():
        _db.engine.dispose()
