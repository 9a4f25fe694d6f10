"""Each action on a case is guarded by its own permission, never by another action's.

The matrix test (test_authorisation_matrix.py) checks that every endpoint answers as its
declared permission says; this one checks which permission each action declares.
"""

from __future__ import annotations

import pytest

from guide.policy import Permission

P = Permission
OWN_PERMISSION = {
    "enrollments.suggestions": {P.activity_propose},
    "enrollments.propose": {P.activity_propose},
    "catalogue.search": {P.activity_propose},
    "enrollments.trial": {P.enrollment_record},
    "enrollments.start": {P.enrollment_record},
    "enrollments.end": {P.enrollment_record},
    "enrollments.main": {P.enrollment_record},
    "enrollments.case_activities": {P.activity_propose, P.enrollment_record},
    "cases.follow_up_done": {P.follow_up_complete},
    "cases.practical_needs": {P.practical_needs_write},
    "activities.import_upload": {P.catalogue_import},
    "activities.import_preview": {P.catalogue_import},
    "activities.import_apply": {P.catalogue_import},
}


@pytest.mark.parametrize("endpoint", sorted(OWN_PERMISSION))
def test_action_declares_its_own_permission(app, endpoint):
    view = app.view_functions[endpoint]

    assert view.required_permissions == OWN_PERMISSION[endpoint]


def test_no_action_on_a_childs_activities_borrows_the_case_edit_permission(app):
    on_activities = [name for name in app.view_functions if name.startswith("enrollments.")]

    assert on_activities
    for endpoint in on_activities:
        assert Permission.case_edit not in app.view_functions[endpoint].required_permissions
