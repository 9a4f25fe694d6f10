"""Family answers: what a guardian said through a consent link, a refusal included.

Revision ID: 0011
Revises: 0010
Created: 2026-12-07

Written by hand. One row per answered "give" link: what was offered and what was accepted
(``"<recipient>:<category>"`` items, no personal data), yes / partly / no, the channel, the
page's language and when. Before this, a guardian who ticked nothing left no trace.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "family_answers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("guardian_id", sa.Uuid(), nullable=True),
        sa.Column("link_id", sa.Uuid(), nullable=True),
        sa.Column("answer", sa.String(length=32), nullable=False),
        sa.Column("offered", sa.JSON(), nullable=False),
        sa.Column("accepted", sa.JSON(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
            name=op.f("fk_family_answers_child_id_children"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"],
            ["guardians.id"],
            name=op.f("fk_family_answers_guardian_id_guardians"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["consent_links.id"],
            name=op.f("fk_family_answers_link_id_consent_links"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_family_answers_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_answers")),
        sa.UniqueConstraint("link_id", name=op.f("uq_family_answers_link_id")),
    )
    op.create_index(
        op.f("ix_family_answers_child_id"), "family_answers", ["child_id"], unique=False
    )
    op.create_index(
        op.f("ix_family_answers_organisation_id"),
        "family_answers",
        ["organisation_id"],
        unique=False,
    )
    op.create_index(
        "ix_family_answers_organisation_answered",
        "family_answers",
        ["organisation_id", "answered_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_family_answers_organisation_answered", table_name="family_answers")
    op.drop_index(op.f("ix_family_answers_organisation_id"), table_name="family_answers")
    op.drop_index(op.f("ix_family_answers_child_id"), table_name="family_answers")
    op.drop_table("family_answers")
