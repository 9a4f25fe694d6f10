"""Tasks ("To do"): one row per person told, each person's e-mail choice, daily digests.

Revision ID: 0009
Revises: 0008
Created: 2026-12-07

Written by hand. ``tasks`` rows go with their case and their person (ON DELETE CASCADE) and
hold no personal data; ``(user_id, once_key)`` is unique so a sweep raises each task once.
``users.task_email`` is how a person is told of new tasks ("at_once" for everyone already
there). ``task_digests`` holds one row per person and day a digest was made.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("task_email", sa.String(length=32), server_default="at_once", nullable=False)
        )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("once_key", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name="fk_tasks_organisation_id_organisations"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_tasks_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_tasks_case_id_cases", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["users.id"], name="fk_tasks_done_by_id_users", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tasks"),
        sa.UniqueConstraint("user_id", "once_key", name="uq_tasks_user_id_once_key"),
    )
    op.create_index("ix_tasks_organisation_id", "tasks", ["organisation_id"])
    op.create_index("ix_tasks_case_id", "tasks", ["case_id"])
    op.create_index("ix_tasks_user_done_created", "tasks", ["user_id", "done_at", "created_at"])
    op.create_table(
        "task_digests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_task_digests_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_task_digests"),
        sa.UniqueConstraint("user_id", "day", name="uq_task_digests_user_id_day"),
    )


def downgrade() -> None:
    op.drop_table("task_digests")
    op.drop_index("ix_tasks_user_done_created", table_name="tasks")
    op.drop_index("ix_tasks_case_id", table_name="tasks")
    op.drop_index("ix_tasks_organisation_id", table_name="tasks")
    op.drop_table("tasks")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("task_email")
