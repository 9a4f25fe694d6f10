"""Practical needs on a case: what the club should know to welcome the child.

Revision ID: 0004
Revises: 0003
Created: 2026-11-27

Written by hand. One encrypted, optional column (sealed bytes, like every EncryptedText);
batch mode so SQLite can add it the same way PostgreSQL does.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("practical_needs", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("practical_needs")
