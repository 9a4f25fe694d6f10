"""Looking after user accounts: list, deactivate, reactivate, change role, reset second factor.

Who may manage whom comes from guide.policy (admins: staff; coordinators: guides
and club contacts), always inside the manager's own organisation and never their
own account. Every change is audit-logged; the functions flush, the view commits.
"""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from guide.access import load_scoped
from guide.accounts.account_tokens import revoke_open_tokens
from guide.accounts.models import ReferrerKind, TokenPurpose, User
from guide.accounts.second_factor import reset_second_factor
from guide.accounts.sessions import end_all_sessions
from guide.audit.services import record_event
from guide.extensions import db
from guide.policy import Permission, allowed, managed_roles, may_manage
from guide.roles import Role


class UserAdminError(ValueError):
    """The change cannot be made; ``message`` is translated for the person asking."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def managed_users_query(viewer: User) -> Select:
    """The accounts ``viewer`` manages: own organisation, managed roles (none for other roles)."""
    roles = managed_roles(viewer)
    query = select(User).where(User.organisation_id == viewer.organisation_id)
    if not roles:
        return query.where(False)
    return query.where(User.role.in_(sorted(roles)))


def list_managed_users(*, viewer: User) -> list[User]:
    """Every account ``viewer`` manages, by name."""
    query = managed_users_query(viewer).order_by(User.full_name, User.email)
    return list(db.session.scalars(query))


def load_managed_user(*, viewer: User, user_id: uuid.UUID) -> User:
    """The account if ``viewer`` manages it, else 404 (no hint that it exists), audit-logged."""
    return load_scoped(
        managed_users_query(viewer).where(User.id == user_id), kind="user", object_id=user_id
    )


def _check_may_manage(user: User, by: User) -> None:
    if user.id == by.id:
        raise UserAdminError(_l("You cannot change your own account here."))
    if not may_manage(by, user):
        raise PermissionError(f"a {by.role} may not manage a {user.role} account")


def deactivate_user(user: User, *, by: User) -> int:
    """Stop ``user`` from signing in and end all their sessions at once; returns how many."""
    _check_may_manage(user, by)
    if not user.is_active:
        return 0
    user.is_active = False
    ended = end_all_sessions(user, "deactivated")
    # A reset link sent earlier must not open the account again.
    revoke_open_tokens(purpose=TokenPurpose.password_reset, email=user.email)
    record_event("user_deactivated", actor=by, obj=user, details={"sessions_ended": ended})
    db.session.flush()
    return ended


def reactivate_user(user: User, *, by: User) -> None:
    """Let a deactivated ``user`` sign in again."""
    _check_may_manage(user, by)
    if user.is_active:
        return
    user.is_active = True
    user.failed_sign_ins = 0
    user.throttled_until = None
    record_event("user_reactivated", actor=by, obj=user)
    db.session.flush()


def assignable_roles(by: User) -> list[Role]:
    """The roles ``by`` may give an account, in the policy's order; empty without the permission."""
    if not allowed(by, Permission.user_change_role):
        return []
    roles = managed_roles(by)
    return [role for role in Role if role in roles]


def change_role(user: User, *, role: Role | str, by: User) -> None:
    """Give ``user`` another role among those ``by`` manages; never ``by``'s own account."""
    _check_may_manage(user, by)
    new_role = Role(role)
    if new_role not in assignable_roles(by):
        raise PermissionError(f"a {by.role} may not give the role {new_role}")
    old_role = Role(user.role)
    if new_role == old_role:
        return
    user.role = new_role
    if new_role != Role.referrer:
        user.referrer_kind = None
    record_event(
        "user_role_changed",
        actor=by,
        obj=user,
        details={"from": old_role.value, "to": new_role.value},
    )
    db.session.flush()


def change_referrer_kind(user: User, *, kind: ReferrerKind | str, by: User) -> None:
    """Set a referrer's type (teacher, school nurse, NAV ...), which the figures count by."""
    _check_may_manage(user, by)
    if not allowed(by, Permission.user_change_role):
        raise PermissionError(f"a {by.role} may not change a referrer's type")
    if user.role != Role.referrer:
        raise UserAdminError(_l("Only referrers have a type."))
    new_kind = ReferrerKind(kind)
    old_kind = user.referrer_kind
    if new_kind == old_kind:
        return
    user.referrer_kind = new_kind
    record_event(
        "user_referrer_kind_changed",
        actor=by,
        obj=user,
        details={"from": old_kind.value if old_kind else None, "to": new_kind.value},
    )
    db.session.flush()


def reset_user_second_factor(user: User, *, by: User) -> None:
    """Remove ``user``'s authenticator (a lost phone); they enroll again at their next sign-in."""
    _check_may_manage(user, by)
    reset_second_factor(user, by=by)
