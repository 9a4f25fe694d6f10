"""The case list's area filter offers each area of the organisation once, in order."""

from __future__ import annotations

from guide.cases.services import area_choices
from guide.extensions import db as _db
from tests import factories


def _child_in(org, area):
    case = factories.child_case(org)
    factories.place_child(case, area)
    return case


def test_each_area_once_in_order_without_other_organisations(db):
    org, other = factories.organisation(), factories.organisation()
    # "nord" and "Nord" are one area: the list is the organisation's, not the children's text.
    for area in ["Sør", "Nord", None, "nord", "Bydel Øst", "Sør", "Aasen"]:
        _child_in(org, area)
    _child_in(other, "Vest")
    coordinator = factories.user(org, "coordinator", second_factor=False)
    _db.session.commit()
    names = [name for _id, name in area_choices(viewer=coordinator)]
    assert names == ["Aasen", "Bydel Øst", "Nord", "Sør"]


def test_an_organisation_without_areas_offers_none(db):
    org = factories.organisation()
    _child_in(org, None)
    coordinator = factories.user(org, "coordinator", second_factor=False)
    _db.session.commit()
    assert area_choices(viewer=coordinator) == []
