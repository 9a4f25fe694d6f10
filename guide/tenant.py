"""The tenant: an organisation (a frivilligsentral or a municipality) and its settings.

Part of the core, beside guide/database.py: every organisation-owned row points here
(``OrganisationOwned``). The organisations feature (guide/organisations/) edits the settings.
"""

from __future__ import annotations

import enum

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from guide.database import CreatedAt, str_enum
from guide.extensions import db


class OrganisationKind(enum.StrEnum):
    frivilligsentral = "frivilligsentral"
    municipality = "municipality"


def default_follow_up_months() -> list[int]:
    return [1, 3, 6]


class Organisation(db.Model):
    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind))
    #: Kommunenummer, four digits with a leading zero (e.g. "0301").
    municipality_number: Mapped[str | None] = mapped_column(String(4))
    #: Days after a case closes before its personal data is erased.
    retention_days: Mapped[int] = mapped_column(default=730)
    #: Months after the first activity at which a follow-up falls due.
    follow_up_months: Mapped[list[int]] = mapped_column(JSON, default=default_follow_up_months)
    #: Weeks without a logged visit before the coordinator is nudged.
    no_visit_nudge_weeks: Mapped[int] = mapped_column(default=3)
    police_certificate_valid_months: Mapped[int] = mapped_column(default=36)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[CreatedAt]
