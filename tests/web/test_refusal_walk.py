"""Every address that names an object, asked by every role with another organisation's object.

Each request is refused as the policy says: 404, since the object is outside the viewer's
scope, and a role without the permission gets 404 at an object's address too
(``guide.access.refusal_status``), so a refusal never confirms that the object exists. Each
refusal writes exactly one audit event: ``<kind>_access_denied`` or ``permission_denied``,
by the viewer, naming only ids.

The objects come from the authorisation matrix (tests/web/test_authorisation_matrix.py),
which already knows how to fill every ``<uuid:...>`` argument; addresses that name two
objects are asked with another organisation's case and its grant (loan, consent, ...), and
with the viewer's own case and another organisation's grant, so the inner loader is walked
too. The activity search's ``?case=`` names a case as well, and is walked like an address.

Left out, because no tenant object's id is in the address:

- the addresses in ``NO_OBJECT_IN_ADDRESS`` (their path arguments are tokens or file names);
- the public catalogue's ``?org=``: an organisation's catalogue is public by design;
- ids chosen in a form or a filter (a guide to assign, a club for an activity or a share, a
  fund for a grant, ``?recipient=`` of a consent form): they are choices among the viewer's
  organisation's own, checked against it where they are used; another organisation's id is
  answered as a choice not on the list (the form's message, or the list to choose from).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from guide.access import PUBLIC
from guide.audit.models import AuditEvent
from guide.roles import Role
from tests.web.helpers import csrf_token, sign_in
from tests.web.test_authorisation_matrix import (
    NONE,
    ROLES,
    Target,
    build_targets,
    build_world,
    declared_rule,
    endpoint_rules,
    expectation,
    object_arguments,
    probes_for,
    target_kind,
)

#: Endpoints with path arguments that name no object of an organisation, and why.
NO_OBJECT_IN_ADDRESS = {
    "static": "the app's own files",
    "invitations.accept": "the invitation's e-mailed token; an unknown token is no object",
    "passwords.reset": "the reset link's e-mailed token",
    "family.consent_link": "the consent link's token, given to the family",
    "family.thanks": "a language code: the thank-you page names no one",
}
#: Object ids an endpoint reads from the query string: endpoint -> (argument, kind of object).
QUERY_OBJECTS = {"catalogue.search": ("case", "case_id")}
STATUS = {"not_found": 404, "forbidden": 403}


@dataclasses.dataclass(frozen=True)
class Refusal:
    """One request that must be refused, and how."""

    description: str
    method: str
    url: str
    status: int
    #: ``permission_denied`` for a role without the permission, else None: any kind's denial.
    action: str | None
    #: Ids of another organisation's objects in the request; the event names one of them.
    foreign_ids: frozenset[str]


def lacks_permission(view, role: Role) -> bool:
    """True when the policy gives ``role`` none of the view's permissions, under any scope."""
    return expectation(view, role, None) == "forbidden"


def foreign_targets(targets: dict[str, list[Target]]) -> dict[str, list[Target]]:
    """Only the objects of another organisation, which no scope reaches."""
    return {
        kind: [target for target in objects if target.scopes == NONE]
        for kind, objects in targets.items()
    }


def own_with_foreign_parts(targets: dict[str, list[Target]], kind: str) -> Target:
    """The viewer's best-reached object of ``kind``, with another organisation's parts inside.

    For addresses that name two objects (a case and its grant): the outer one is in scope,
    so the refusal must come from the loader of the inner one.
    """
    own = max(
        (target for target in targets[kind] if target.scopes != NONE),
        key=lambda target: len(target.scopes),
    )
    foreign = foreign_targets(targets)[kind][0]
    return Target(
        f"my {kind.removesuffix('_id')}, with another organisation's object inside",
        own.object_id,
        NONE,
        foreign.related,
    )


def _ids(target: Target) -> frozenset[str]:
    return frozenset({str(target.object_id), *(str(value) for value in target.related.values())})


def refusals(app, role: Role, targets: dict[str, list[Target]]) -> Iterator[Refusal]:
    """Every request of this walk, for ``role``, with the objects in ``targets``."""
    foreign = foreign_targets(targets)
    for rule in endpoint_rules(app):
        arguments = object_arguments(rule)
        if not arguments:
            continue
        view = app.view_functions[rule.endpoint]
        action = "permission_denied" if lacks_permission(view, role) else None
        kind = target_kind(rule, arguments[0])
        choices = [(target, _ids(target)) for target in foreign[kind]]
        if len(arguments) > 1:
            mixed = own_with_foreign_parts(targets, kind)
            choices.append((mixed, _ids(mixed) - {str(mixed.object_id)}))
        for target, named in choices:
            for probe in probes_for(app, rule, role, {kind: [target]}):
                yield Refusal(
                    probe.description,
                    probe.method,
                    probe.url,
                    STATUS[probe.expectation],
                    action,
                    named,
                )
    for endpoint, (argument, kind) in QUERY_OBJECTS.items():
        view = app.view_functions[endpoint]
        target = foreign[kind][0]
        with app.test_request_context():
            url = app.url_for(endpoint, **{argument: target.object_id})
        # No object in the path: a role without the permission is told so (403).
        lacks = lacks_permission(view, role)
        yield Refusal(
            f"GET {endpoint} ({target.label} in ?{argument}=)",
            "GET",
            url,
            403 if lacks else 404,
            "permission_denied" if lacks else None,
            _ids(target),
        )


def audit_event_ids(db) -> set[uuid.UUID]:
    return set(db.session.scalars(select(AuditEvent.id)))


def what_is_wrong(refusal: Refusal, response, events: list[AuditEvent], visitor) -> list[str]:
    """Each way this answer and its audit events differ from the refusal the policy wants."""
    problems = []
    if response.status_code != refusal.status:
        location = response.headers.get("Location", "")
        problems.append(f"answered {response.status_code} {location}".rstrip())
    if len(events) != 1:
        problems.append(f"wrote {len(events)} audit events: {[e.action for e in events]}")
    for event in events:
        if refusal.action is not None and event.action != refusal.action:
            problems.append(f"audited {event.action}, not {refusal.action}")
        elif refusal.action is None and not event.action.endswith("_access_denied"):
            problems.append(f"audited {event.action}, not <kind>_access_denied")
        if event.actor_id != visitor.id or event.organisation_id != visitor.organisation_id:
            problems.append(f"{event.action} is not the viewer's")
        problems += details_problems(event, refusal)
    return problems


def details_problems(event: AuditEvent, refusal: Refusal) -> list[str]:
    """The details hold the endpoint, the status and ids: never a name, a text or a value."""
    details = dict(event.details or {})
    problems = []
    if details.pop("status", None) != refusal.status:
        problems.append(f"{event.action} does not record status {refusal.status}")
    details.pop("endpoint", None)
    named = {str(value) for key, value in details.items() if key.endswith("_id")}
    others = {key for key in details if not key.endswith("_id")}
    if others or not all(_is_uuid(value) for value in named):
        problems.append(f"{event.action} carries more than ids: {sorted(details)}")
    if event.action != "permission_denied" and not named & refusal.foreign_ids:
        problems.append(f"{event.action} names no object of the other organisation")
    return problems


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# --- the tests -----------------------------------------------------------------------------


def test_every_address_with_a_path_argument_is_walked_or_said_to_name_no_object(app):
    unexplained = [
        rule.endpoint
        for rule in endpoint_rules(app)
        if rule.arguments
        and not object_arguments(rule)
        and rule.endpoint not in NO_OBJECT_IN_ADDRESS
    ]
    assert unexplained == [], "walk these, or say in NO_OBJECT_IN_ADDRESS why not"
    for endpoint in NO_OBJECT_IN_ADDRESS.keys() - {"static"}:
        _, roles = declared_rule(app.view_functions[endpoint])
        assert PUBLIC in roles, f"{endpoint} is left out as a public address, but is not public"
    assert all(endpoint in app.view_functions for endpoint in QUERY_OBJECTS)


@pytest.mark.parametrize("role", ROLES, ids=[role.value for role in ROLES])
def test_another_organisations_objects_are_refused_and_audited_once(app, db, client, role):
    world = build_world(db, role)
    assert sign_in(client, world.visitor.email).status_code == 302
    token = csrf_token(client.get("/sign-in").text)
    targets = build_targets(db, world)

    walked, wrong = 0, []
    for refusal in refusals(app, role, targets):
        before = audit_event_ids(db)
        data = {"csrf_token": token} if refusal.method != "GET" else None
        response = client.open(refusal.url, method=refusal.method, data=data)
        new = audit_event_ids(db) - before
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.id.in_(new))))
        walked += 1
        problems = what_is_wrong(refusal, response, events, world.visitor)
        if problems:
            wrong.append(f"{refusal.description}: " + "; ".join(problems))
    assert walked > 60
    assert wrong == [], "\n".join(wrong)
