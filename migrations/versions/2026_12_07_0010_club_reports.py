"""Club reports: a club says a shared child has started, or has not come for a while.

Revision ID: 0010
Revises: 0009
Created: 2026-12-07

Written by hand. One row per case, club, kind and local day (the unique constraint makes a
second press that day find the first); the note is sealed like every EncryptedText; rows go
with their case.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "club_reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("club_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reported_by_id", sa.Uuid(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.Column("is_start_recorded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_club_reports_organisation_id_organisations",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_club_reports_case_id_cases", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["club_id"], ["clubs.id"], name="fk_club_reports_club_id_clubs", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"],
            ["users.id"],
            name="fk_club_reports_reported_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_club_reports"),
        sa.UniqueConstraint(
            "case_id",
            "club_id",
            "kind",
            "reported_on",
            name="uq_club_reports_case_id_club_id_kind_reported_on",
        ),
    )
    op.create_index(
        "ix_club_reports_organisation_id", "club_reports", ["organisation_id"], unique=False
    )
    op.create_index(
        "ix_club_reports_organisation_kind",
        "club_reports",
        ["organisation_id", "kind", "reported_on"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_club_reports_organisation_kind", table_name="club_reports")
    op.drop_index("ix_club_reports_organisation_id", table_name="club_reports")
    op.drop_table("club_reports")
