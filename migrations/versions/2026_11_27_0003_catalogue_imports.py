"""Catalogue imports: an uploaded club/activity CSV kept between its preview and its import.

Revision ID: 0003
Revises: 0002
Created: 2026-11-27

Written by hand. The built-in activity categories are not seeded here: they live in code
(guide.activities.models.BuiltInCategory) so their names follow the user's language;
activity_categories holds only the categories an organisation adds itself.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalogue_imports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_catalogue_imports_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_catalogue_imports_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_imports")),
    )
    op.create_index(
        op.f("ix_catalogue_imports_organisation_id"), "catalogue_imports", ["organisation_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_catalogue_imports_organisation_id"), table_name="catalogue_imports")
    op.drop_table("catalogue_imports")
