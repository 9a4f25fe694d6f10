"""Who may open what: permission requirements on views, and refusals.

Every view declares its rule: ``@requires_permission(Permission.X)`` with a
permission from guide.policy, or ``@public`` for pages anyone may open. Every
object a view shows comes through a loader that applies the signed-in user's
organisation and the object rule, so a forgotten check answers 404, never
data. The matrix test reads the attributes set here (``required_permissions``,
``required_roles``) on every endpoint.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask_login import current_user
from sqlalchemy import Select

from guide.policy import Permission, allowed_any, roles_with
from guide.unit_of_work import refuse

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

#: Marker read by the authorisation tests: every endpoint must declare its rule.
PUBLIC = "public"


def requires_permission(*permissions: Permission) -> Callable[[F], F]:
    """Signed-in users holding one of ``permissions``; others get 403 (404 at an object's address).

    Anonymous visitors go to the sign-in page.
    """
    if not permissions:
        raise ValueError("requires_permission needs at least one permission")
    wanted = frozenset(Permission(permission) for permission in permissions)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from guide.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not allowed_any(current_user, wanted):
                refuse("permission_denied", status=refusal_status(kwargs))
            return view(*args, **kwargs)

        wrapper.required_permissions = wanted  # type: ignore[attr-defined]
        wrapper.required_roles = frozenset(  # type: ignore[attr-defined]
            role.value for role in roles_with(*wanted)
        )
        return wrapper  # type: ignore[return-value]

    return decorate


def refusal_status(view_args: Mapping[str, Any]) -> int:
    """404 when the address names an object, so a refusal never confirms that it exists."""
    return 404 if any(isinstance(value, uuid.UUID) for value in view_args.values()) else 403


def public(view: F) -> F:
    """Open to everyone, signed in or not."""
    view.required_roles = frozenset({PUBLIC})  # type: ignore[attr-defined]
    return view


def load_scoped(query: Select[tuple[T]], *, kind: str, object_id: Any) -> T:
    """The one row ``query`` finds inside the viewer's scope, else an audited refusal (404).

    Every loader of an object named in an address goes through here, so every refusal is
    answered and audited the same way: ``<kind>_access_denied`` with the id asked for.
    """
    from guide.extensions import db

    row = db.session.scalar(query)
    if row is None:
        refuse(f"{kind}_access_denied", status=404, **{f"{kind}_id": object_id})
    return row
