"""Invitations carry the referrer's type, so it lands on the account when accepted.

Revision ID: 0013
Revises: 0012
Created: 2026-12-07

Written by hand. A nullable column: earlier invitations have no type, and only invitations
of referrers ever get one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("account_tokens") as batch_op:
        batch_op.add_column(sa.Column("referrer_kind", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("account_tokens") as batch_op:
        batch_op.drop_column("referrer_kind")
