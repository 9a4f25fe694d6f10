"""Who may open what: role requirements on views, and organisation-scoped loading.

Every view declares the roles it serves with ``@requires(...)``; every object a
view shows comes through a loader that applies the signed-in user's
organisation and the object rule, so a forgotten check answers 404, never data.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, request
from flask_login import current_user

from guide.audit.services import record_event

F = TypeVar("F", bound=Callable[..., Any])

#: Marker read by the authorisation tests: every endpoint must declare its rule.
PUBLIC = "public"


def requires(*roles: str) -> Callable[[F], F]:
    """Signed-in users with one of ``roles`` only; others get 403 (or the sign-in page)."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from guide.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                deny("page_forbidden")
            return view(*args, **kwargs)

        wrapper.required_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """Open to everyone, signed in or not."""
    view.required_roles = frozenset({PUBLIC})  # type: ignore[attr-defined]
    return view


def deny(action: str, *, status: int = 403) -> None:
    """Log the refusal (no values, only the endpoint) and answer 403 or 404."""
    actor = current_user if current_user.is_authenticated else None
    record_event(action, actor=actor, details={"endpoint": request.endpoint, "status": status})
    from guide.extensions import db

    db.session.commit()
    abort(status)
