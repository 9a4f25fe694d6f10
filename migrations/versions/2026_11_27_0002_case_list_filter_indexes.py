"""Case list filters: an index for filtering children by area within an organisation.

Revision ID: 0002
Revises: 0001
Created: 2026-11-27

Written by hand. The other filters (status, guide, waiting time) and the searches
(reference, blind index) already have indexes from 0001.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_children_organisation_area", "children", ["organisation_id", "area"])


def downgrade() -> None:
    op.drop_index("ix_children_organisation_area", table_name="children")
