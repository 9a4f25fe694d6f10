"""What the load test asks for: existing case ids, and names with birth dates to search for."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from guide.cases.models import Case
from guide.extensions import db
from guide.tenant import Organisation


def sample_targets(*, count: int, seed: int = 7) -> dict[str, Any]:
    """Random cases spread over the whole history: their ids and their children's identities."""
    organisation_id = db.session.scalar(select(Organisation.id).order_by(Organisation.created_at))
    every_id = db.session.scalars(select(Case.id).order_by(Case.referred_at, Case.id)).all()
    ids = random.Random(seed).sample(list(every_id), k=min(count, len(every_id)))
    cases = db.session.scalars(
        select(Case).where(Case.id.in_(ids)).options(joinedload(Case.child))
    ).all()
    return {
        "organisation_id": str(organisation_id),
        "case_ids": [str(case.id) for case in cases],
        "identities": [
            [case.child.first_name, case.child.last_name, case.child.birth_date]
            for case in cases
            if case.child is not None
        ],
        # What a coordinator types to find one of these children: parts of both names.
        "name_searches": [
            f"{case.child.first_name[:4]} {case.child.last_name[:4]}".lower()
            for case in cases
            if case.child is not None
        ],
        # One child's whole name, for the check by hand that the search finds its case: the
        # longest, so that few other children share it and its case is on the first page.
        "name_search_check": max(
            (
                [f"{case.child.first_name} {case.child.last_name}", str(case.id)]
                for case in cases
                if case.child is not None
            ),
            key=lambda check: len(check[0]),
        ),
    }
