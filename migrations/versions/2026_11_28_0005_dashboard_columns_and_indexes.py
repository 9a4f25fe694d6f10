"""Dashboard: two kept-up-to-date columns and partial indexes, so its lists stay flat as cases grow.

Revision ID: 0005
Revises: 0004
Created: 2026-11-28

Written by hand. Without these, the overdue follow-ups list stepped through every never-done
follow-up of closed cases, and the quiet cases list worked out the last visit of every case
with a guide: both grew with the organisation's history.

- ``cases.last_visit_on``: the newest visit's date (guide.cases.visits keeps it).
- ``follow_ups.cancelled_at``: set when the case closes with the follow-up not done, cleared
  when it reopens (guide.cases.workflow keeps it).
- ``ix_cases_quiet`` and ``ix_follow_ups_outstanding``: partial indexes that hold only what
  the two lists look at.
- ``ix_users_organisation_role``: an organisation's coordinators without reading all its users.

Both columns are filled from the existing rows as the app would have written them: the case's
last close cancelled the follow-ups not done by then.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Written out like the models' conditions render them, statuses as literals.
CASE_IS_VISITED = sa.text(
    "status IN ('guide_assigned', 'in_progress', 'active') AND assigned_guide_id IS NOT NULL"
)
FOLLOW_UP_IS_OUTSTANDING = sa.text("done_at IS NULL AND cancelled_at IS NULL")

FILL_LAST_VISIT_ON = """
UPDATE cases SET last_visit_on = (
    SELECT max(visits.occurred_on) FROM visits WHERE visits.case_id = cases.id
)
WHERE id IN (SELECT case_id FROM visits)
"""

FILL_CANCELLED_AT = """
UPDATE follow_ups SET cancelled_at = (
    SELECT cases.closed_at FROM cases WHERE cases.id = follow_ups.case_id
)
WHERE case_id IN (SELECT id FROM cases WHERE status = 'closed')
AND (
    done_at IS NULL
    OR done_at > (SELECT cases.closed_at FROM cases WHERE cases.id = follow_ups.case_id)
)
"""


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("last_visit_on", sa.Date(), nullable=True))
    with op.batch_alter_table("follow_ups") as batch:
        batch.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(FILL_LAST_VISIT_ON)
    op.execute(FILL_CANCELLED_AT)
    op.create_index(
        "ix_cases_quiet",
        "cases",
        ["organisation_id", "last_visit_on"],
        sqlite_where=CASE_IS_VISITED,
        postgresql_where=CASE_IS_VISITED,
    )
    op.create_index(
        "ix_follow_ups_outstanding",
        "follow_ups",
        ["due_on", "id"],
        sqlite_where=FOLLOW_UP_IS_OUTSTANDING,
        postgresql_where=FOLLOW_UP_IS_OUTSTANDING,
    )
    op.create_index("ix_users_organisation_role", "users", ["organisation_id", "role"])


def downgrade() -> None:
    op.drop_index("ix_users_organisation_role", table_name="users")
    op.drop_index("ix_follow_ups_outstanding", table_name="follow_ups")
    op.drop_index("ix_cases_quiet", table_name="cases")
    with op.batch_alter_table("follow_ups") as batch:
        batch.drop_column("cancelled_at")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("last_visit_on")
