"""Key checks: the check value of every key the database has been used with.

Revision ID: 0008
Revises: 0007
Created: 2026-12-07

Written by hand. One row per key: its purpose ("data" or "index"), its id in the keyring and
a hex HMAC-SHA256 of a fixed label under it (guide.crypto.checks), never the key itself. The
table starts empty: the app records the values when it first starts on the migrated database
(after opening a stored value with each key, see docs/keys.md), and from then on refuses a
keyring that does not match them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "key_checks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("check_value", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_checks")),
        sa.UniqueConstraint("purpose", "key_id", name=op.f("uq_key_checks_purpose_key_id")),
    )


def downgrade() -> None:
    op.drop_table("key_checks")
