"""The policy table: DESIGN.md's roles, deny by default, and docs/roles.md generated from it."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from guide.policy import (
    CHILD_DATA_PERMISSIONS,
    DESCRIPTIONS,
    POLICY,
    Permission,
    Scope,
    allowed,
    invitable_roles,
    managed_roles,
    markdown_table,
    may_manage,
    roles_document,
    roles_with,
    scope_for,
)
from guide.policycli import policy_cli
from guide.roles import Role

ROLES_DOC = Path(__file__).resolve().parents[2] / "docs" / "roles.md"


def person(role: str, *, organisation: str = "org-1", active: bool = True, key: str = "u1"):
    return SimpleNamespace(
        id=key, role=role, organisation_id=organisation, is_active=active, is_authenticated=True
    )


def test_every_role_has_a_row_and_every_permission_a_description():
    assert set(POLICY) == set(Role)
    assert set(DESCRIPTIONS) == set(Permission)


def test_administrators_never_hold_a_permission_that_shows_childrens_data():
    assert not set(POLICY[Role.admin]) & CHILD_DATA_PERMISSIONS
    assert Role.admin not in roles_with(*CHILD_DATA_PERMISSIONS)


def test_administrators_look_after_users_funds_audit_and_retention():
    for permission in (
        Permission.user_manage,
        Permission.user_change_role,
        Permission.user_invite_staff,
        Permission.fund_manage,
        Permission.audit_view,
        Permission.retention_run,
        Permission.organisation_settings,
    ):
        assert allowed(person("admin"), permission), permission


def test_coordinator_works_every_case_of_its_own_organisation():
    for permission in (
        Permission.case_list,
        Permission.case_view,
        Permission.case_edit,
        Permission.child_data_read,
        Permission.support_approve,
        Permission.guide_manage,
    ):
        assert scope_for(Role.coordinator, permission) == Scope.own_organisation, permission


def test_guide_reaches_only_cases_assigned_to_it():
    for permission in POLICY[Role.guide]:
        if permission != Permission.account_own:
            assert scope_for(Role.guide, permission) == Scope.assigned_to_me, permission
    assert not allowed(person("guide"), Permission.case_list)


def test_referrer_sees_only_the_status_of_its_own_referrals():
    assert set(POLICY[Role.referrer]) == {
        Permission.account_own,
        Permission.referral_create,
        Permission.referral_view_status_own,
    }
    assert scope_for(Role.referrer, Permission.referral_view_status_own) == Scope.referred_by_me


def test_club_contact_sees_only_children_shared_with_its_club_and_no_money():
    scopes = {
        scope
        for permission, scope in POLICY[Role.club_contact].items()
        if permission != Permission.account_own
    }
    assert scopes == {Scope.shared_with_my_club}
    assert not allowed(person("club_contact"), Permission.support_request)
    assert not allowed(person("club_contact"), Permission.case_view)


@pytest.mark.parametrize(
    "who",
    [
        None,
        SimpleNamespace(is_authenticated=False, is_active=True, role="admin"),
        person("admin", active=False),
        person("superuser"),
    ],
    ids=["nobody", "anonymous", "deactivated", "unknown-role"],
)
def test_anyone_but_an_active_user_with_a_known_role_is_denied(who):
    assert not any(allowed(who, permission) for permission in Permission)


def test_admins_manage_staff_and_coordinators_manage_volunteers():
    assert managed_roles(Role.admin) == {Role.admin, Role.coordinator, Role.referrer}
    assert managed_roles(Role.coordinator) == {Role.guide, Role.club_contact}
    for role in (Role.referrer, Role.guide, Role.club_contact):
        assert managed_roles(role) == frozenset()


def test_each_role_invites_exactly_the_roles_it_manages():
    for role in Role:
        assert invitable_roles(role) == managed_roles(role)
    assert invitable_roles(person("coordinator", active=False)) == frozenset()


def test_only_admins_change_roles():
    assert roles_with(Permission.user_change_role) == {Role.admin}


def test_managing_stays_in_the_organisation_and_never_reaches_oneself():
    admin = person("admin", key="a")
    assert may_manage(admin, person("coordinator", key="b"))
    assert may_manage(admin, person("admin", key="c"))
    assert not may_manage(admin, admin)
    assert not may_manage(admin, person("coordinator", key="d", organisation="org-2"))
    assert not may_manage(admin, person("guide", key="e"))
    coordinator = person("coordinator", key="f")
    assert may_manage(coordinator, person("guide", key="g"))
    assert not may_manage(coordinator, person("admin", key="h"))
    assert not may_manage(person("guide", key="i"), person("guide", key="j"))


def test_coordinators_and_guides_propose_and_record_activities_under_their_own_permissions():
    for permission in (Permission.activity_propose, Permission.enrollment_record):
        assert scope_for(Role.coordinator, permission) == Scope.own_organisation, permission
        assert scope_for(Role.guide, permission) == Scope.assigned_to_me, permission
    # The activities page offers both, so whoever holds one holds the other.
    assert roles_with(Permission.activity_propose) == roles_with(Permission.enrollment_record)
    assert not allowed(person("guide"), Permission.case_edit)


def test_follow_ups_and_the_note_for_clubs_are_kept_by_the_case_workers():
    for permission in (Permission.follow_up_complete, Permission.practical_needs_write):
        assert roles_with(permission) == {Role.coordinator, Role.guide}, permission


def test_only_whoever_manages_clubs_and_activities_imports_them():
    importers = roles_with(Permission.catalogue_import)
    assert importers == {Role.coordinator}
    assert importers <= roles_with(Permission.club_manage) & roles_with(Permission.activity_manage)


def test_markdown_table_has_a_row_per_permission_and_a_column_per_role():
    lines = markdown_table().splitlines()
    assert len(lines) == 2 + len(Permission)
    assert all(line.count("|") == 3 + len(Role) for line in lines)


def test_docs_roles_md_is_generated_from_the_policy():
    assert ROLES_DOC.read_text(encoding="utf-8") == roles_document(), (
        "docs/roles.md is out of date: run "
        "`.venv/bin/flask --app guide policy table --document > docs/roles.md`"
    )


def test_policy_table_command_prints_the_document_and_the_table():
    runner = CliRunner()
    document = runner.invoke(policy_cli, ["table", "--document"])
    table = runner.invoke(policy_cli, ["table"])
    assert document.exit_code == 0 and table.exit_code == 0
    assert document.output == roles_document()
    assert table.output == markdown_table()
    assert table.output in document.output
