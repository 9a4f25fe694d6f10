"""Who may do what: the one table of roles, permissions and the object rules behind them.

Deny by default: a role holds exactly the permissions listed for it below, each
under a named scope that says which objects it reaches. Views declare the
permission they need (``guide.access.requires_permission``); loaders apply the
scope. docs/roles.md is generated from this module (``flask policy table``) and
a test fails when the two disagree. The module reads no request and no database,
so the rules can be read and tested on their own.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

from guide.roles import Role


class Permission(enum.StrEnum):
    """An action on a kind of object."""

    account_own = "account.own"
    case_list = "case.list"
    case_view = "case.view"
    case_edit = "case.edit"
    child_data_read = "child_data.read"
    referral_create = "referral.create"
    referral_view_status_own = "referral.view_status_own"
    referral_triage = "referral.triage"
    visit_log = "visit.log"
    follow_up_complete = "follow_up.complete"
    activity_propose = "activity.propose"
    enrollment_record = "enrollment.record"
    practical_needs_write = "practical_needs.write"
    support_request = "support.request"
    support_approve = "support.approve"
    guide_manage = "guide.manage"
    club_manage = "club.manage"
    activity_manage = "activity.manage"
    catalogue_import = "catalogue.import"
    fund_manage = "fund.manage"
    equipment_manage = "equipment.manage"
    figures_view = "figures.view"
    figures_view_across = "figures.view_across"
    shared_child_view = "shared_child.view"
    enrollment_confirm = "enrollment.confirm"
    attendance_report = "attendance.report"
    user_invite_staff = "user.invite_staff"
    user_invite_volunteer = "user.invite_volunteer"
    user_manage = "user.manage"
    user_change_role = "user.change_role"
    organisation_settings = "organisation.settings"
    area_manage = "area.manage"
    audit_view = "audit.view"
    retention_run = "retention.run"
    consent_record = "consent.record"
    consent_scan_download = "consent.scan_download"
    club_share = "club.share"


class Scope(enum.StrEnum):
    """The object rule a permission is held under; loaders turn it into a query."""

    myself = "my own account"
    own_organisation = "own organisation"
    assigned_to_me = "assigned to me"
    referred_by_me = "referred by me"
    shared_with_my_club = "shared with my club under consent"
    accounts_i_manage = "accounts I manage in my organisation"
    aggregates_of_all_organisations = "aggregates of all organisations"


#: What each permission lets a user do, for docs/roles.md.
DESCRIPTIONS: dict[Permission, str] = {
    Permission.account_own: (
        "Sign out, set up the second factor, renew recovery codes; own To do list and its e-mail"
    ),
    Permission.case_list: "List cases",
    Permission.case_view: "Open a case page",
    Permission.case_edit: "Triage, assign a guide, pause, close and reopen a case",
    Permission.child_data_read: "Read a child's and guardians' personal data",
    Permission.referral_create: "Refer a child",
    Permission.referral_view_status_own: "See the status of a referral (not its case)",
    Permission.referral_triage: "Accept, decline or merge referrals",
    Permission.visit_log: "Log visits, calls and accompanied sessions",
    Permission.follow_up_complete: "Mark a case's follow-up as done",
    Permission.activity_propose: "Propose activities for a child (catalogue search, suggestions)",
    Permission.enrollment_record: "Record a child's trial, start, end and main activity",
    Permission.practical_needs_write: "Write the note on a child's practical needs for clubs",
    Permission.support_request: "Request support and equipment loans",
    Permission.support_approve: "Approve or reject support, record payment",
    Permission.guide_manage: "Manage guide profiles (police certificate, capacity)",
    Permission.club_manage: "Manage clubs",
    Permission.activity_manage: "Manage activities",
    Permission.catalogue_import: "Import clubs and activities from a spreadsheet",
    Permission.fund_manage: "Set up and manage funds",
    Permission.equipment_manage: "Keep the register of the organisation's own equipment",
    Permission.figures_view: "See anonymous figures",
    Permission.figures_view_across: "Compare protected aggregate figures across organisations",
    Permission.shared_child_view: "See the consented fields of a child shared with the club",
    Permission.enrollment_confirm: "Confirm that a child has started",
    Permission.attendance_report: "Report worries about attendance",
    Permission.user_invite_staff: "Invite administrators, coordinators and referrers",
    Permission.user_invite_volunteer: "Invite guides and club contacts",
    Permission.user_manage: "List, deactivate, reactivate users; reset their second factor",
    Permission.user_change_role: "Change a user's role",
    Permission.organisation_settings: "Change the organisation's settings",
    Permission.area_manage: "Keep the list of areas (names, other spellings, neighbours)",
    Permission.audit_view: "Read the audit log",
    Permission.retention_run: "Run erasure of closed cases after the retention period",
    Permission.consent_record: (
        "Record a consent or its withdrawal; print the consent form; send a consent link"
    ),
    Permission.consent_scan_download: "Download the scan of a signed consent form",
    Permission.club_share: "Share a child's consented data with a club",
}

#: Permissions that show a child's personal data. Administrators never hold any of them.
CHILD_DATA_PERMISSIONS = frozenset(
    {
        Permission.case_list,
        Permission.case_view,
        Permission.case_edit,
        Permission.child_data_read,
        Permission.referral_view_status_own,
        Permission.referral_triage,
        Permission.visit_log,
        Permission.follow_up_complete,
        Permission.activity_propose,
        Permission.enrollment_record,
        Permission.practical_needs_write,
        Permission.support_request,
        Permission.support_approve,
        Permission.shared_child_view,
        Permission.enrollment_confirm,
        Permission.attendance_report,
        Permission.consent_record,
        Permission.consent_scan_download,
        Permission.club_share,
    }
)

STAFF_ROLES = frozenset({Role.admin, Role.coordinator, Role.referrer})
VOLUNTEER_ROLES = frozenset({Role.guide, Role.club_contact})

#: Whose accounts each role looks after: the scope "accounts I manage", and who it invites.
MANAGED_ROLES: dict[Role, frozenset[Role]] = {
    Role.admin: STAFF_ROLES,
    Role.coordinator: VOLUNTEER_ROLES,
}

#: The roles an invitation permission lets its holder give.
INVITATION_ROLES: dict[Permission, frozenset[Role]] = {
    Permission.user_invite_staff: STAFF_ROLES,
    Permission.user_invite_volunteer: VOLUNTEER_ROLES,
}

_mine = Scope.myself
_org = Scope.own_organisation
_assigned = Scope.assigned_to_me

#: The policy: for every role, each permission it holds and the scope it holds it under.
POLICY: dict[Role, dict[Permission, Scope]] = {
    Role.admin: {
        Permission.account_own: _mine,
        Permission.fund_manage: _org,
        Permission.user_invite_staff: _org,
        Permission.user_manage: Scope.accounts_i_manage,
        Permission.user_change_role: Scope.accounts_i_manage,
        Permission.organisation_settings: _org,
        Permission.area_manage: _org,
        Permission.audit_view: _org,
        Permission.retention_run: _org,
        Permission.figures_view_across: Scope.aggregates_of_all_organisations,
    },
    Role.coordinator: {
        Permission.account_own: _mine,
        Permission.case_list: _org,
        Permission.case_view: _org,
        Permission.case_edit: _org,
        Permission.child_data_read: _org,
        Permission.referral_triage: _org,
        Permission.visit_log: _org,
        Permission.follow_up_complete: _org,
        Permission.activity_propose: _org,
        Permission.enrollment_record: _org,
        Permission.practical_needs_write: _org,
        Permission.support_request: _org,
        Permission.support_approve: _org,
        Permission.guide_manage: _org,
        Permission.club_manage: _org,
        Permission.activity_manage: _org,
        Permission.catalogue_import: _org,
        Permission.area_manage: _org,
        Permission.fund_manage: _org,
        Permission.equipment_manage: _org,
        Permission.figures_view: _org,
        Permission.user_invite_volunteer: _org,
        Permission.user_manage: Scope.accounts_i_manage,
        Permission.consent_record: _org,
        Permission.consent_scan_download: _org,
        Permission.club_share: _org,
    },
    Role.referrer: {
        Permission.account_own: _mine,
        Permission.referral_create: _org,
        Permission.referral_view_status_own: Scope.referred_by_me,
    },
    Role.guide: {
        Permission.account_own: _mine,
        Permission.case_view: _assigned,
        Permission.child_data_read: _assigned,
        Permission.visit_log: _assigned,
        Permission.follow_up_complete: _assigned,
        Permission.activity_propose: _assigned,
        Permission.enrollment_record: _assigned,
        Permission.practical_needs_write: _assigned,
        Permission.support_request: _assigned,
        Permission.consent_record: _assigned,
        Permission.club_share: _assigned,
    },
    Role.club_contact: {
        Permission.account_own: _mine,
        Permission.shared_child_view: Scope.shared_with_my_club,
        Permission.enrollment_confirm: Scope.shared_with_my_club,
        Permission.attendance_report: Scope.shared_with_my_club,
    },
}


def role_of(subject: Any) -> Role | None:
    """The role of a role name or of a signed-in, active user; None for anyone else."""
    if isinstance(subject, Role | str):
        try:
            return Role(subject)
        except ValueError:
            return None
    if not getattr(subject, "is_authenticated", False) or not getattr(subject, "is_active", False):
        return None
    return role_of(getattr(subject, "role", None))


def scope_for(subject: Any, permission: Permission) -> Scope | None:
    """The scope under which a user (or role) holds ``permission``; None when it does not."""
    role = role_of(subject)
    if role is None:
        return None
    return POLICY[role].get(Permission(permission))


def allowed(user: Any, permission: Permission) -> bool:
    """True when ``user`` is signed in, active, and their role holds ``permission``."""
    return scope_for(user, permission) is not None


def allowed_any(user: Any, permissions: Iterable[Permission]) -> bool:
    """True when ``user`` holds at least one of ``permissions``."""
    return any(allowed(user, permission) for permission in permissions)


def roles_with(*permissions: Permission) -> frozenset[Role]:
    """Every role that holds at least one of ``permissions``."""
    return frozenset(role for role, held in POLICY.items() if any(p in held for p in permissions))


def managed_roles(subject: Any) -> frozenset[Role]:
    """The roles whose accounts this user (or role) may manage; empty without ``user.manage``."""
    if scope_for(subject, Permission.user_manage) is None:
        return frozenset()
    role = role_of(subject)
    return MANAGED_ROLES.get(role, frozenset()) if role is not None else frozenset()


def invitable_roles(subject: Any) -> frozenset[Role]:
    """The roles this user (or role) may give someone new through an invitation."""
    roles: set[Role] = set()
    for permission, targets in INVITATION_ROLES.items():
        if scope_for(subject, permission) is not None:
            roles |= targets
    return frozenset(roles)


def may_manage(actor: Any, target: Any) -> bool:
    """True when ``actor`` may manage ``target``'s account: same organisation, a managed role."""
    return (
        getattr(actor, "id", None) != getattr(target, "id", None)
        and getattr(actor, "organisation_id", None) == getattr(target, "organisation_id", None)
        and role_of(getattr(target, "role", None)) in managed_roles(actor)
    )


ROLE_ORDER = (Role.admin, Role.coordinator, Role.referrer, Role.guide, Role.club_contact)


def markdown_table(policy: Mapping[Role, Mapping[Permission, Scope]] = POLICY) -> str:
    """The roles × permissions table as Markdown: each cell names the scope, or is empty."""
    header = ["Permission", "What it allows", *(f"`{role.value}`" for role in ROLE_ORDER)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for permission in Permission:
        cells = [policy[role].get(permission) for role in ROLE_ORDER]
        row = [
            f"`{permission.value}`",
            DESCRIPTIONS[permission],
            *(scope.value if scope is not None else "–" for scope in cells),
        ]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def roles_document() -> str:
    """The whole of docs/roles.md."""
    managed = "\n".join(
        f"- `{role.value}` manages and invites: "
        + ", ".join(f"`{target.value}`" for target in ROLE_ORDER if target in targets)
        for role, targets in MANAGED_ROLES.items()
    )
    return f"""# Roles and permissions

<!-- Generated from guide/policy.py by `flask --app guide policy table --document`.
     Do not edit by hand: tests/unit/test_policy.py fails when this file and the module differ. -->

Access is denied unless this table grants it. Each cell names the scope under which a
role holds a permission; `–` means never. Every view declares the permission it needs,
and every object is loaded through a query that applies the scope, so an object outside
it answers 404, a page answers 403, and both refusals are written to the audit log.
Every scope but the aggregate figures lies inside the user's own organisation.

{markdown_table()}
## Scopes

- **my own account**: only the signed-in user's own account.
- **own organisation**: every object of the user's organisation (*frivilligsentral* or
  municipality).
- **assigned to me**: cases whose guide is the user, while the assignment lasts.
- **referred by me**: referrals the user sent; only their status, never the case.
- **shared with my club under consent**: children a guardian has consented to share with
  the user's club, only the consented data categories, and never after withdrawal.
- **accounts I manage in my organisation**: user accounts in the roles listed below.
- **aggregates of all organisations**: counts, medians, shares and sums per organisation,
  never a row; every figure for fewer than 5 children is shown as "under 5".

## Whose accounts each role manages

{managed}

Nobody manages their own account from the user screens: changing one's own role,
deactivating oneself or resetting one's own second factor is refused. Administrators
never hold a permission that shows children's personal data.
"""


if __name__ == "__main__":
    print(roles_document(), end="")
