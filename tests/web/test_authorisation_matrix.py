"""The authorisation matrix: every endpoint × anonymous and each role × own and others' objects.

The expectations come from guide.policy, not from this file: a view declares a
permission, the policy says which roles hold it and under which scope, and each
object made here states which scopes reach it. A new endpoint without a declared
rule, or with an object argument this file cannot fill, fails the suite.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from collections.abc import Iterator

import pytest
from werkzeug.routing import Rule

from guide.access import PUBLIC
from guide.accounts.account_tokens import issue_token
from guide.accounts.models import ReferrerKind, TokenPurpose, User
from guide.activities.models import CatalogueImport, Enrollment
from guide.cases.models import FollowUp
from guide.policy import Scope, invitable_roles, managed_roles, scope_for
from guide.referrals.models import ConsentToReferMethod, Referral
from guide.roles import Role
from guide.support.models import EquipmentItem, EquipmentLoan
from guide.tenant import Organisation
from tests import factories
from tests.consent_helpers import signed_consent
from tests.web.helpers import csrf_token, sign_in

ROLES = tuple(Role)
#: Endpoints that end the visitor's session; they run last so the others see a signed-in user.
ENDS_SESSION = frozenset({"accounts.sign_out"})
#: Stand-in for path arguments that are not object ids (tokens in e-mailed links).
NOT_AN_OBJECT = "not-a-real-token"
#: Where an argument name means a narrower kind of object than elsewhere: (blueprint, argument).
ARGUMENT_KINDS = {("guides", "user_id"): "guide_account"}

OWN = frozenset({Scope.own_organisation})
NONE: frozenset[Scope] = frozenset()


@dataclasses.dataclass(frozen=True)
class Target:
    """One object to put in a URL, and the scopes through which the visitor could reach it."""

    label: str
    object_id: uuid.UUID
    scopes: frozenset[Scope]
    #: Ids of objects that belong to this one, for URLs that name both (a case's follow-up).
    related: dict[str, uuid.UUID] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class World:
    """Two organisations; the visitor (None for anonymous) belongs to the first."""

    home: Organisation
    other: Organisation
    role: Role | None
    visitor: User | None


def build_world(db, role: Role | None) -> World:
    home, other = factories.organisation(), factories.organisation()
    visitor = factories.user(home, role) if role is not None else None
    db.session.commit()
    return World(home=home, other=other, role=role, visitor=visitor)


def _referral(db, org: Organisation, referrer: User, case) -> uuid.UUID:
    referral = Referral(
        organisation_id=org.id,
        child_id=case.child_id,
        referred_by_id=referrer.id,
        referrer_kind=ReferrerKind.teacher,
        reason="Fiktiv grunn",
        barriers=["economy"],
        help_level="find_activity",
        consent_given_by="Fiktiv Forelder",
        consent_relation="mother",
        consent_method=ConsentToReferMethod.signed_paper,
        consent_given_on=dt.date(2026, 1, 5),
    )
    db.session.add(referral)
    db.session.flush()
    return referral.id


def _upload(db, org: Organisation) -> uuid.UUID:
    upload = CatalogueImport(
        organisation_id=org.id, filename="katalog.csv", content=b"navn;klubb\n"
    )
    db.session.add(upload)
    db.session.flush()
    return upload.id


def _invitation(org: Organisation, role: Role) -> uuid.UUID:
    row, _token = issue_token(
        purpose=TokenPurpose.invitation,
        email=f"invited.{role.value}.{uuid.uuid4().hex[:8]}@example.org",
        organisation_id=org.id,
        valid_for=dt.timedelta(hours=72),
        role=role,
    )
    return row.id


def _item(db, org: Organisation) -> uuid.UUID:
    item = EquipmentItem(organisation_id=org.id, name="Ski", is_available=True)
    db.session.add(item)
    db.session.flush()
    return item.id


def _case(db, org: Organisation, guide: User, label: str, scopes) -> Target:
    case = factories.child_case(org, guide=guide, status="active")
    follow_up = FollowUp(case_id=case.id, months_after=1, due_on=dt.date(2026, 2, 1))
    enrollment = Enrollment(case_id=case.id, activity_id=factories.activity(org).id)
    loan = EquipmentLoan(
        organisation_id=org.id,
        case_id=case.id,
        item_type="Skøyter",
        source="equipment_library",
        lent_on=dt.date(2026, 1, 5),
        due_on=dt.date(2026, 3, 1),
    )
    db.session.add_all([follow_up, enrollment, loan])
    db.session.flush()
    related = {"follow_up_id": follow_up.id, "enrollment_id": enrollment.id, "loan_id": loan.id}
    related["consent_id"] = signed_consent(case).id
    related["grant_id"] = factories.grant(case, requested_by=guide, amount=50_000).id
    return Target(label, case.id, scopes, related=related)


def _task(db, org: Organisation, person: User) -> uuid.UUID:
    """A task about no case, of a kind every role may see: only its person reaches it."""
    from guide.tasks import Task, TaskKind

    task = Task(
        organisation_id=org.id, user_id=person.id, kind=TaskKind.GUIDE_UNASSIGNED, link="/todo"
    )
    db.session.add(task)
    db.session.flush()
    return task.id


def _child_shared_with_club_of(db, contact: User) -> uuid.UUID:
    """A child consented and shared with a new club that ``contact`` now speaks for."""
    from guide.consents.models import Share

    offer = factories.activity(contact.organisation)
    contact.club_id = offer.club_id
    case = factories.child_case(contact.organisation, status="in_progress")
    consent = signed_consent(case, club=offer.club, categories=("identity",))
    db.session.add(
        Share(
            organisation_id=case.organisation_id,
            consent_id=consent.id,
            child_id=case.child_id,
            club_id=offer.club_id,
            categories=["identity"],
            shared_by_id=factories.user(contact.organisation, Role.coordinator).id,
        )
    )
    db.session.flush()
    return case.child_id


def build_targets(db, world: World) -> dict[str, list[Target]]:
    """Fresh objects of both organisations for each kind of object argument."""
    home, other, role, visitor = world.home, world.other, world.role, world.visitor
    home_guide = visitor if role == Role.guide else factories.user(home, Role.guide)
    home_referrer = visitor if role == Role.referrer else factories.user(home, Role.referrer)
    colleague_guide = factories.user(home, Role.guide)
    colleague_referrer = factories.user(home, Role.referrer)
    other_guide = factories.user(other, Role.guide)
    other_referrer = factories.user(other, Role.referrer)

    foreign = _case(db, other, other_guide, "case of another organisation", NONE)
    not_mine = _case(db, home, colleague_guide, "case of my organisation, not assigned to me", OWN)
    cases = [foreign, not_mine]
    if role == Role.guide:
        cases.append(
            _case(db, home, home_guide, "case assigned to me", OWN | {Scope.assigned_to_me})
        )

    referrals = [
        Target(
            "referral of another organisation",
            _referral(db, other, other_referrer, factories.child_case(other)),
            NONE,
        ),
        Target(
            "referral someone else in my organisation sent",
            _referral(db, home, colleague_referrer, factories.child_case(home)),
            OWN,
        ),
    ]
    if role == Role.referrer:
        own_referral = _referral(db, home, home_referrer, factories.child_case(home))
        referrals.append(Target("referral I sent", own_referral, OWN | {Scope.referred_by_me}))

    managed = managed_roles(role) if role is not None else frozenset()
    accounts = [
        Target(f"{kind} of another organisation", factories.user(other, kind).id, NONE)
        for kind in (Role.guide, Role.referrer)
    ]
    for kind in ROLES:
        scopes = OWN | ({Scope.accounts_i_manage} if kind in managed else set())
        accounts.append(Target(f"{kind} of my organisation", factories.user(home, kind).id, scopes))

    guide_accounts = [
        Target("guide of another organisation", other_guide.id, NONE),
        Target("guide of my organisation", colleague_guide.id, OWN),
    ]
    offers = {
        "another organisation": factories.activity(other),
        "my organisation": factories.activity(home),
    }
    clubs = [
        Target(f"club of {whose}", offer.club_id, OWN if whose == "my organisation" else NONE)
        for whose, offer in offers.items()
    ]
    activities = [
        Target(f"activity of {whose}", offer.id, OWN if whose == "my organisation" else NONE)
        for whose, offer in offers.items()
    ]
    imports = [
        Target("catalogue upload of another organisation", _upload(db, other), NONE),
        Target("catalogue upload of my organisation", _upload(db, home), OWN),
    ]
    items = [
        Target("equipment item of another organisation", _item(db, other), NONE),
        Target("equipment item of my organisation", _item(db, home), OWN),
    ]
    invitable = invitable_roles(role) if role is not None else frozenset()
    invitations = [
        Target("invitation of another organisation", _invitation(other, Role.guide), NONE),
        *(
            # An invitation to a role the viewer may not give is out of reach like another's.
            Target(
                f"invitation as {kind} in my organisation",
                _invitation(home, kind),
                OWN if kind in invitable else NONE,
            )
            for kind in (Role.coordinator, Role.guide)
        ),
    ]
    children = [
        Target("child of another organisation", factories.child_case(other).child_id, NONE),
        Target("child of my organisation, not shared", factories.child_case(home).child_id, OWN),
    ]
    if role == Role.club_contact:
        shared = _child_shared_with_club_of(db, visitor)
        children.append(
            Target("child shared with my club", shared, OWN | {Scope.shared_with_my_club})
        )
    tasks = [
        Target("task of another organisation", _task(db, other, other_guide), NONE),
        Target("task of someone else in my organisation", _task(db, home, colleague_guide), NONE),
    ]
    if visitor is not None:
        tasks.append(Target("my own task", _task(db, home, visitor), frozenset({Scope.myself})))
    db.session.commit()
    return {
        "task_id": tasks,
        "case_id": cases,
        "referral_id": referrals,
        "user_id": accounts,
        "guide_account": guide_accounts,
        "club_id": clubs,
        "activity_id": activities,
        "import_id": imports,
        "item_id": items,
        "child_id": children,
        "invitation_id": invitations,
        "fund_id": [
            Target("fund of another organisation", factories.fund(other).id, NONE),
            Target("fund of my organisation", factories.fund(home).id, OWN),
        ],
        "area_id": [
            Target("area of another organisation", factories.area(other, "Vest").id, NONE),
            Target("area of my organisation", factories.area(home, "Øst").id, OWN),
        ],
    }


# --- reading the URL map -------------------------------------------------------------------


def endpoint_rules(app) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def object_arguments(rule: Rule) -> list[str]:
    """Path arguments that carry an object's id (``<uuid:...>``), outermost first."""
    return re.findall(r"<uuid:(\w+)>", rule.rule)


def target_kind(rule: Rule, argument: str) -> str:
    blueprint = rule.endpoint.rpartition(".")[0]
    return ARGUMENT_KINDS.get((blueprint, argument), argument)


def declared_rule(view) -> tuple[frozenset, frozenset]:
    """(permissions, roles) a view declares; both empty when it declares nothing."""
    return (
        frozenset(getattr(view, "required_permissions", ())),
        frozenset(getattr(view, "required_roles", ())),
    )


# --- what the policy expects ---------------------------------------------------------------


def expectation(view, role: Role | None, target: Target | None) -> str:
    """What the policy says this visitor gets: public, sign_in, allowed, forbidden, not_found."""
    permissions, roles = declared_rule(view)
    if PUBLIC in roles:
        return "public"
    if role is None:
        return "sign_in"
    refused = "not_found" if target is not None else "forbidden"
    if permissions:
        scopes = {scope_for(role, permission) for permission in permissions} - {None}
    else:
        # A bare role list names no scope; the organisation is the least it must respect.
        scopes = {Scope.own_organisation} if role.value in roles else set()
    if not scopes:
        return refused
    if target is None or scopes & target.scopes:
        return "allowed"
    return "not_found"


@dataclasses.dataclass(frozen=True)
class Probe:
    """One request of the matrix."""

    method: str
    url: str
    expectation: str
    description: str


def probes_for(app, rule: Rule, role: Role | None, targets) -> Iterator[Probe]:
    view = app.view_functions[rule.endpoint]
    arguments = object_arguments(rule)
    values = {name: NOT_AN_OBJECT for name in rule.arguments if name not in arguments}
    choices: list[Target | None] = (
        list(targets[target_kind(rule, arguments[0])]) if arguments else [None]
    )
    for target in choices:
        if target is not None:
            values[arguments[0]] = target.object_id
            for inner in arguments[1:]:
                values[inner] = target.related[inner]
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield Probe(
                method=method,
                url=url,
                expectation=expectation(view, role, target),
                description=f"{method} {rule.endpoint}"
                + (f" ({target.label})" if target is not None else ""),
            )


def outcome_matches(expected: str, response, *, ends_session: bool = False) -> bool:
    status = response.status_code
    location = response.headers.get("Location", "")
    to_sign_in = status in (301, 302, 303) and location.startswith("/sign-in")
    if status >= 500:
        return False
    if expected == "public":
        return status not in (401, 403)
    if expected == "sign_in":
        return to_sign_in or status == 401
    if expected == "forbidden":
        return status == 403
    if expected == "not_found":
        return status == 404
    # Signing out sends the user to the sign-in page: there that is success, not a refusal.
    return status not in (401, 403, 404, 405) and (ends_session or not to_sign_in)


def changes_state(rule: Rule) -> bool:
    return bool(rule.methods & {"POST", "PUT", "PATCH", "DELETE"})


# --- the tests -----------------------------------------------------------------------------


def test_every_endpoint_declares_its_rule(app):
    undeclared = [
        rule.endpoint
        for rule in endpoint_rules(app)
        if declared_rule(app.view_functions[rule.endpoint]) == (frozenset(), frozenset())
    ]
    assert undeclared == [], "declare @requires_permission(...) or @public on: " + ", ".join(
        undeclared
    )


def test_every_object_address_declares_a_permission_from_the_policy(app):
    """A role list says nothing about which objects a role reaches; the policy's scopes do."""
    vague = []
    for rule in endpoint_rules(app):
        permissions, roles = declared_rule(app.view_functions[rule.endpoint])
        if object_arguments(rule) and PUBLIC not in roles and not permissions:
            vague.append(rule.endpoint)
    assert vague == []


def test_matrix_knows_how_to_fill_every_object_argument(app, db):
    targets = build_targets(db, build_world(db, Role.guide))
    unknown = set()
    for rule in endpoint_rules(app):
        arguments = object_arguments(rule)
        if not arguments:
            continue
        kind = target_kind(rule, arguments[0])
        if kind not in targets:
            unknown.add(f"{rule.endpoint}: <{arguments[0]}>")
            continue
        unknown |= {
            f"{rule.endpoint}: <{inner}>"
            for inner in arguments[1:]
            for target in targets[kind]
            if inner not in target.related
        }
    assert unknown == set(), "add objects for these arguments to build_targets()"


def test_objects_of_another_organisation_are_out_of_every_scope(app, db):
    targets = build_targets(db, build_world(db, Role.coordinator))
    for kind, objects in targets.items():
        foreign = [target for target in objects if "another organisation" in target.label]
        assert foreign, f"no object of another organisation for {kind}"
        assert all(target.scopes == NONE for target in foreign)


@pytest.mark.parametrize("role", [None, *ROLES], ids=["anonymous", *(r.value for r in ROLES)])
def test_authorisation_matrix(app, db, client, role):
    world = build_world(db, role)
    if world.visitor is not None:
        assert sign_in(client, world.visitor.email).status_code == 302
    token = csrf_token(client.get("/sign-in").text)
    shared_targets = build_targets(db, world)
    rules = sorted(
        endpoint_rules(app),
        key=lambda rule: (rule.endpoint in ENDS_SESSION, changes_state(rule), rule.rule),
    )

    checked, wrong = 0, []
    for rule in rules:
        # An action may change its object; each state-changing endpoint gets objects of its own.
        fresh = changes_state(rule) and object_arguments(rule)
        targets = build_targets(db, world) if fresh else shared_targets
        for probe in probes_for(app, rule, role, targets):
            data = {"csrf_token": token} if probe.method != "GET" else None
            response = client.open(probe.url, method=probe.method, data=data)
            checked += 1
            ends_session = rule.endpoint in ENDS_SESSION
            if not outcome_matches(probe.expectation, response, ends_session=ends_session):
                location = response.headers.get("Location", "")
                wrong.append(
                    f"{probe.description}: expected {probe.expectation}, "
                    f"got {response.status_code} {location}".rstrip()
                )
    assert checked > 50
    assert wrong == [], "\n".join(wrong)


def test_objects_of_another_organisation_answer_404_even_without_the_permission(app, db, client):
    """Spelled out for one role, so the rule stays visible outside the generated matrix."""
    world = build_world(db, Role.referrer)
    targets = build_targets(db, world)
    assert sign_in(client, world.visitor.email).status_code == 302
    foreign_case = targets["case_id"][0]
    foreign_user = targets["user_id"][0]
    assert client.get(f"/cases/{foreign_case.object_id}").status_code == 404
    assert client.get(f"/users/{foreign_user.object_id}").status_code == 404
