"""Case search: when each child's row last changed, and indexes for the search's look-ups.

Revision ID: 0014
Revises: 0013
Created: 2026-12-07

Written by hand.

- ``children.updated_at``: set on every write; the in-memory name search
  (guide.cases.name_index) re-reads the rows changed since its watermark. Existing rows get
  their ``created_at``.
- ``ix_children_organisation_updated``: that re-read is an index range, not a scan.
- ``ix_children_organisation_school``: the search lists an organisation's schools one step
  per school (a loose index scan), as the area filter does.

No name, nor anything derived from one, is added to the database.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("children") as batch:
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE children SET updated_at = created_at")
    with op.batch_alter_table("children") as batch:
        batch.alter_column("updated_at", existing_type=sa.DateTime(timezone=True), nullable=False)
    op.create_index(
        "ix_children_organisation_updated", "children", ["organisation_id", "updated_at"]
    )
    op.create_index("ix_children_organisation_school", "children", ["organisation_id", "school"])


def downgrade() -> None:
    op.drop_index("ix_children_organisation_school", table_name="children")
    op.drop_index("ix_children_organisation_updated", table_name="children")
    with op.batch_alter_table("children") as batch:
        batch.drop_column("updated_at")
