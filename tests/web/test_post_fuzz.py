"""Every POST survives any body: never an answer ≥ 500, never partial rows, 400 with messages.

Each POST endpoint of the URL map is posted arbitrary and malformed bodies (see
tests/web/form_fuzzing.py) over the fields its form really has, by a visitor allowed to use
it: the policy names the role, the authorisation matrix's builders give real objects of the
visitor's organisation for the address, and public endpoints are posted anonymously with a
real link token. Every body carries a valid CSRF token: CSRF stays on here, and the tests
beside each form check that a POST without one is refused.

Each example runs in a savepoint of one transaction that is rolled back after it, so every
example starts from the same rows: what a successful example used up (a link, a case it
closed, the session it signed out) is there again for the next, and hypothesis can replay an
example exactly when it shrinks one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock
from urllib.parse import urlencode

import pytest
from flask import Flask, appcontext_tearing_down, g
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from markupsafe import escape
from sqlalchemy import Connection, Select, func, select
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.test import EnvironBuilder

from guide.access import PUBLIC
from guide.accounts.models import Role, User
from guide.app import register_blueprints
from guide.consents.links import create_link
from guide.extensions import db as _db
from guide.policy import roles_with
from guide.validation.forms import Form
from guide.web.errors import ERROR_TEXTS
from tests import factories
from tests.factories import PASSWORD
from tests.sharing_helpers import scene
from tests.web.form_fuzzing import Body, FieldSpec, PageField, bodies, field_specs, page_fields
from tests.web.helpers import authenticator_code, csrf_token, sign_in, sign_in_with_password
from tests.web.test_authorisation_matrix import (
    ENDS_SESSION,
    ROLES,
    build_targets,
    build_world,
    declared_rule,
    object_arguments,
    outcome_matches,
    probes_for,
)

#: Examples per endpoint. CI runs 200; set FRITIDSGUIDE_FUZZ_EXAMPLES lower for a quick look.
EXAMPLES = int(os.environ.get("FRITIDSGUIDE_FUZZ_EXAMPLES", "200"))
settings.register_profile(
    "post-fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
FUZZ = settings.get_profile("post-fuzz")

#: Tables any request may write, even one that is refused: the audit log and the claims of
#: one-time submission tokens (given back when the form is refused).
WRITTEN_BY_ANY_REQUEST = frozenset({"audit_events", "submissions"})
#: A password the password rules accept, for the forms that set one.
NEW_PASSWORD = "Blåbærsyltetøy på lørdagsmorgen 1987"


def _post_endpoints() -> list[str]:
    """The POST endpoints of the app's blueprints, read without building the app."""
    bare = Flask(__name__)
    register_blueprints(bare)
    return sorted({rule.endpoint for rule in bare.url_map.iter_rules() if "POST" in rule.methods})


POST_ENDPOINTS = _post_endpoints()


# --- one transaction, one savepoint per example -----------------------------------------------


@contextlib.contextmanager
def one_transaction(app) -> Iterator[Connection]:
    """Every database session the app opens works in savepoints of one transaction on one
    connection; the transaction is rolled back at the end."""
    with app.app_context():
        _db.session.remove()
        connection = _db.engine.connect()
    outer = connection.begin()
    if connection.dialect.name == "sqlite":
        # pysqlite starts a transaction only before a write; without this, releasing the
        # first savepoint would commit.
        connection.exec_driver_sql("BEGIN")
    factory = _db.session.session_factory
    bound = {**factory.kw, "bind": connection, "join_transaction_mode": "create_savepoint"}
    try:
        with (
            mock.patch.object(factory, "kw", bound),
            mock.patch.object(factory.class_, "get_bind", lambda *args, **kwargs: connection),
        ):
            try:
                yield connection
            finally:
                _db.session.remove()
    finally:
        outer.rollback()
        connection.close()


# --- what a request read --------------------------------------------------------------------


@dataclasses.dataclass
class Reads:
    """What the last request read from its body: the names it asked for and the forms it built."""

    names: set[str] = dataclasses.field(default_factory=set)
    forms: list[Form] = dataclasses.field(default_factory=list)

    def clear(self) -> None:
        self.names.clear()
        self.forms.clear()


@pytest.fixture
def reads(app, monkeypatch) -> Iterator[Reads]:
    """Record, for each request, the body names read and the forms built."""
    seen = Reads()

    class RecordingDict(ImmutableMultiDict):
        def __getitem__(self, key):
            seen.names.add(key)
            return super().__getitem__(key)

        def get(self, key, default=None, type=None):
            seen.names.add(key)
            return super().get(key, default, type)

        def getlist(self, key, type=None):
            seen.names.add(key)
            return super().getlist(key, type)

        def __contains__(self, key):
            seen.names.add(key)
            return super().__contains__(key)

    request_class = type(
        "RecordingRequest", (app.request_class,), {"parameter_storage_class": RecordingDict}
    )
    monkeypatch.setattr(app, "request_class", request_class)

    def keep_forms(sender, **extra):
        seen.forms[:] = g.get("forms", [])  # every form the request built registers there

    with appcontext_tearing_down.connected_to(keep_forms, app):
        yield seen


# --- who posts, and where -------------------------------------------------------------------


@dataclasses.dataclass
class Visit:
    """Where an endpoint is posted to, and values a real user would send for some fields."""

    path: str
    hints: dict[str, str] = dataclasses.field(default_factory=dict)


def _account(db, role: Role = Role.coordinator) -> User:
    account = factories.user(factories.organisation(), role)
    db.session.commit()
    return account


def _sign_in_form(db, client) -> Visit:
    account = _account(db)
    return Visit("/sign-in", {"email": account.email, "password": PASSWORD})


def _password_step_passed(db, client) -> Visit:
    account = _account(db)
    sign_in_with_password(client, account.email)
    return Visit("/sign-in/code", {"code": authenticator_code(client.application, account.email)})


def _forgotten_password(db, client) -> Visit:
    return Visit("/password/forgot", {"email": _account(db).email})


def _password_reset_link(db, client) -> Visit:
    token = factories.reset_token(_account(db))
    db.session.commit()
    return Visit(
        f"/password/reset/{token}", {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )


def _invitation_link(db, client) -> Visit:
    inviter = _account(db)
    token = factories.invitation_token(
        inviter.organisation, "invited.fuzz@example.org", created_by_id=inviter.id
    )
    db.session.commit()
    hints = {"full_name": "Kari Nordmann", "password": NEW_PASSWORD}
    return Visit(f"/invitation/{token}", {**hints, "password_confirm": NEW_PASSWORD})


def _consent_link(db, client) -> Visit:
    family = scene()
    _link, token = create_link(
        child=family.child, guardian=family.guardian, purpose="give", by=family.coordinator
    )
    db.session.commit()
    return Visit(f"/samtykke/{token}")


def _language_picker(db, client) -> Visit:
    return Visit("/language", {"locale": "nn"})


#: How each public POST endpoint is reached anonymously, with a real link where it needs one.
PUBLIC_VISITS: dict[str, Callable[[Any, Any], Visit]] = {
    "accounts.sign_in": _sign_in_form,
    "twofactor.sign_in_code": _password_step_passed,
    "passwords.forgot": _forgotten_password,
    "passwords.reset": _password_reset_link,
    "invitations.accept": _invitation_link,
    "family.consent_link": _consent_link,
    "web.change_language": _language_picker,
}


def _without_second_factor(user: User) -> None:
    user.totp_secret = None
    user.totp_enrolled_at = None


def _enrollment_started(user: User) -> None:
    user.totp_enrolled_at = None


#: Endpoints that only act for an account in a certain state.
VISITOR_STATES: dict[str, Callable[[User], None]] = {
    "twofactor.start_enrollment": _without_second_factor,
    "twofactor.confirm_enrollment": _enrollment_started,
}


def signed_in_visit(app, db, client, rule) -> Visit:
    """Sign in as the first role the policy allows, with its own organisation's objects."""
    permissions, _roles = declared_rule(app.view_functions[rule.endpoint])
    other = set(rule.arguments) - set(object_arguments(rule))
    assert not other, f"{rule.endpoint}: no fuzz set-up for <{'>, <'.join(sorted(other))}>"
    for role in (role for role in ROLES if role in roles_with(*permissions)):
        world = build_world(db, role)
        VISITOR_STATES.get(rule.endpoint, lambda user: None)(world.visitor)
        db.session.commit()
        # Objects of every kind, also where the address names none: a form offers them.
        targets = build_targets(db, world)
        allowed = [
            probe.url
            for probe in probes_for(app, rule, role, targets)
            if probe.method == "POST" and probe.expectation == "allowed"
        ]
        if not allowed:
            continue
        email = world.visitor.email
        sign_in(client, email)
        hints = {"code": authenticator_code(app, email)} if world.visitor.totp_secret else {}
        return Visit(allowed[0], hints)
    raise AssertionError(f"{rule.endpoint}: no role may post to it with an object it reaches")


def visit_for(app, db, client, rule) -> Visit:
    if PUBLIC in declared_rule(app.view_functions[rule.endpoint])[1]:
        set_up = PUBLIC_VISITS.get(rule.endpoint)
        assert set_up is not None, f"add a fuzz set-up for {rule.endpoint} to PUBLIC_VISITS"
        return set_up(db, client)
    return signed_in_visit(app, db, client, rule)


# --- the examples ---------------------------------------------------------------------------


@functools.cache
def _counting() -> Select:
    columns = []
    for table in _db.metadata.sorted_tables:
        if table.name in WRITTEN_BY_ANY_REQUEST:
            continue
        columns.append(select(func.count()).select_from(table).scalar_subquery().label(table.name))
        if "version" in table.c:
            total = func.coalesce(func.sum(table.c.version), 0)
            columns.append(select(total).scalar_subquery().label(f"{table.name}.version"))
    return select(*columns)


def table_counts(connection: Connection) -> dict[str, int]:
    """Rows per table (and the sum of versions where rows have one), but the always-written."""
    return dict(connection.execute(_counting()).one()._mapping)


def leaf_fields(form) -> Iterator[Any]:
    """The fields a user fills in, inside field lists and nested forms too."""
    for field in form:
        if hasattr(field, "entries"):
            for entry in field.entries:
                yield from leaf_fields(entry.form) if hasattr(entry, "form") else [entry]
        elif hasattr(field, "form") and hasattr(field.form, "_fields"):
            yield from leaf_fields(field.form)
        else:
            yield field


def is_hidden(field) -> bool:
    return getattr(field.widget, "input_type", None) == "hidden"


def shown(field, html: str) -> bool:
    """The page shows the field for the user to correct (not hidden, not left out)."""
    return not is_hidden(field) and f'id="{field.id}"' in html


def has_errors(form) -> bool:
    return bool(form.form_errors) or any(field.errors for field in leaf_fields(form))


def messages_missing(html: str, forms: list[Form]) -> list[str]:
    """Messages of the invalid forms that the page does not show, or not beside their field."""
    missing = []
    for form in forms:
        for message in form.form_errors:
            if str(escape(str(message))) not in html:
                missing.append(f"form: {message}")
        for field in leaf_fields(form):
            for message in field.errors if isinstance(field.errors, list | tuple) else []:
                if str(escape(str(message))) not in html:
                    missing.append(f"{field.name}: {message}")
                elif shown(field, html) and f'id="{field.id}-error"' not in html:
                    missing.append(f"{field.name}: {message} (not beside the field)")
    return missing


def bad_request_titles(app) -> set[str]:
    """The title of the generic 400 page in every language the app speaks."""
    settings_ = app.extensions["fritidsguide.settings"]
    with app.test_request_context():
        titles = set()
        for locale in settings_.locales:
            with force_locale(locale):
                titles.add(str(escape(str(ERROR_TEXTS[400][0]))))
    return titles


@dataclasses.dataclass
class Fuzzing:
    """One endpoint ready for examples: its address, the visitor's cookie and the fields."""

    app: Any
    connection: Connection
    reads: Reads
    path: str
    cookie: str
    csrf: str
    fields: list[FieldSpec]
    ends_session: bool
    csrf_names: list[str] = dataclasses.field(default_factory=lambda: ["csrf_token"])
    baseline: dict[str, int] = dataclasses.field(default_factory=dict)
    error_titles: set[str] = dataclasses.field(default_factory=set)

    def __post_init__(self) -> None:
        self.client = self.app.test_client(use_cookies=False)

    def request(self, method: str, path: str, **kwargs: Any):
        self.reads.clear()
        headers = {"Cookie": self.cookie, **kwargs.pop("headers", {})}
        builder = EnvironBuilder(path=path, method=method, headers=headers, **kwargs)
        environ = builder.get_environ()
        builder.close()
        try:
            return self.client.open(environ)
        finally:
            # The test client leaves a large body's temporary file open.
            environ["wsgi.input"].close()

    def post(self, body: Body):
        return self.request("POST", self.path, **body.request_arguments(self.csrf, self.csrf_names))

    @contextlib.contextmanager
    def undone(self) -> Iterator[None]:
        savepoint = self.connection.begin_nested()
        try:
            yield
        finally:
            savepoint.rollback()

    def check(self, body: Body) -> None:
        with self.undone():
            self.judge(self.post(body))

    def judge(self, response) -> None:
        status = response.status_code
        assert status < 500, f"answered {status}"
        invalid = [form for form in self.reads.forms if has_errors(form)]
        if any(field.errors and not is_hidden(field) for f in invalid for field in leaf_fields(f)):
            assert status == 400, f"invalid input answered {status}: {_errors(invalid)}"
        elif invalid:
            # Only hidden fields (a stale or forged page): the page again, or back with a note.
            assert status == 400 or 300 <= status < 400, f"answered {status}: {_errors(invalid)}"
        if status == 400 and invalid:
            missing = messages_missing(response.text, invalid)
            assert not missing, f"400 without its messages: {missing}"
        elif status == 400:
            html = response.text
            assert 'role="alert"' in html or any(t in html for t in self.error_titles), (
                "400 that says nothing"
            )
        if 400 <= status < 500:
            changed = {
                name: (self.baseline[name], count)
                for name, count in table_counts(self.connection).items()
                if count != self.baseline[name]
            }
            assert not changed, f"{status} left rows behind: {changed}"


def _errors(forms) -> list[dict]:
    return [
        {field.name: field.errors for field in leaf_fields(form) if field.errors}
        | ({"(form)": form.form_errors} if form.form_errors else {})
        for form in forms
    ]


def find_form_page(fuzzing: Fuzzing, rule) -> tuple[str, str] | None:
    """The page (path, html) whose form posts to the endpoint: its own address or a parent."""
    adapter = fuzzing.app.url_map.bind("localhost")
    path = fuzzing.path
    while path:
        try:
            adapter.match(path, method="GET")
        except HTTPException:
            pass
        else:
            response = fuzzing.request("GET", path)
            if response.status_code == 200 and f'action="{fuzzing.path}"' in response.text:
                return path, response.text
            if response.status_code == 200 and path == fuzzing.path:
                return path, response.text
        path = path.rsplit("/", 1)[0]
    return None


def form_page(fuzzing: Fuzzing, rule) -> dict[str, PageField]:
    """What the form that posts to the endpoint sends. A choice asked for first (a GET form
    leading to the form, like a consent's recipient) goes into the endpoint's address."""
    found = find_form_page(fuzzing, rule)
    if found is None:
        return {}
    page_path, html = found
    fields = page_fields(html, page_path=page_path, path=fuzzing.path)
    if fields or page_path != fuzzing.path:
        return fields
    chooser = page_fields(html, page_path=page_path, path=fuzzing.path, method="get")
    if not chooser:
        return {}
    choice = [(name, value) for name, field in chooser.items() for value in field.sent]
    fuzzing.path = f"{page_path}?{urlencode(choice)}"
    html = fuzzing.request("GET", fuzzing.path).text
    return page_fields(html, page_path=page_path, path=page_path)


def discover_fields(fuzzing: Fuzzing, rule, hints: dict[str, str]) -> list[FieldSpec]:
    """The names the endpoint reads and the values a browser sends, from its page and its forms."""
    with fuzzing.undone():
        page = form_page(fuzzing, rule)
    for name, value in hints.items():
        if name in page:
            page[name].sent = [value]
    names = list(page)
    form_fields: dict[str, Any] = {}
    bodies_to_try = [Body([], "urlencoded")]
    as_sent = [(name, value) for name in names for value in page[name].sent]
    as_sent += [(name, value) for name, value in hints.items() if name not in page]
    bodies_to_try.append(Body(as_sent, "urlencoded"))
    for body in bodies_to_try:
        with fuzzing.undone():
            response = fuzzing.post(body)
        expected = "public" if rule.endpoint in PUBLIC_VISITS else "allowed"
        assert outcome_matches(expected, response, ends_session=fuzzing.ends_session), (
            f"the set-up does not reach {rule.endpoint}: {response.status_code}"
        )
        assert response.status_code not in (401, 403, 404)
        for form in fuzzing.reads.forms:
            for field in leaf_fields(form):
                form_fields.setdefault(field.name, field)
        names += sorted(name for name in fuzzing.reads.names if isinstance(name, str))
    names += list(form_fields)
    names = list(dict.fromkeys(names))
    # Every CSRF field gets the valid token: a form of the page may have a prefix.
    fuzzing.csrf_names = [name for name in names if name.endswith("csrf_token")] or ["csrf_token"]
    names = [name for name in names if name not in fuzzing.csrf_names]
    specs = field_specs(names, page, form_fields)
    for spec in specs:
        if spec.name in hints and not spec.sent:
            spec.sent = (hints[spec.name],)
    return specs


def prepared(app, client, reads, connection, rule) -> Fuzzing:
    with app.app_context():
        visit = visit_for(app, _db, client, rule)
        html = client.get(visit.path).text if "GET" in rule.methods else ""
        if 'name="csrf_token"' not in html:
            html = client.get("/sign-in").text
        token = csrf_token(html)
        _db.session.commit()
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    fuzzing = Fuzzing(
        app=app,
        connection=connection,
        reads=reads,
        path=visit.path,
        cookie=f"{cookie.key}={cookie.value}" if cookie is not None else "",
        csrf=token,
        fields=[],
        ends_session=rule.endpoint in ENDS_SESSION,
    )
    fuzzing.fields = discover_fields(fuzzing, rule, visit.hints)
    fuzzing.baseline = table_counts(connection)
    fuzzing.error_titles = bad_request_titles(app)
    return fuzzing


def post_rule(app, endpoint: str):
    (rule,) = [r for r in app.url_map.iter_rules(endpoint) if "POST" in r.methods]
    return rule


# --- the tests ------------------------------------------------------------------------------


def test_every_post_endpoint_of_the_app_is_fuzzed(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts == set(POST_ENDPOINTS)
    assert len(POST_ENDPOINTS) > 50
    assert set(VISITOR_STATES) <= posts  # a renamed endpoint must not lose its set-up


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_post_survives_any_body(app, client, reads, endpoint):
    rule = post_rule(app, endpoint)
    with one_transaction(app) as connection:
        fuzzing = prepared(app, client, reads, connection, rule)

        @FUZZ
        @given(body=bodies(fuzzing.fields))
        def survives(body: Body) -> None:
            fuzzing.check(body)

        survives()
        assert table_counts(connection) == fuzzing.baseline, "an example was not undone"
