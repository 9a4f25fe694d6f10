"""Audit events: numbered by the database, sealed into one chain later, refused changes.

Revision ID: 0007
Revises: 0006
Created: 2026-12-07

Written by hand. Writers used to read their organisation's newest hash and chain the new
event to it, so concurrent writers forked the chain. Now a writer only inserts, and the
sealer (guide.audit.sealing) links events into one chain afterwards.

- ``sequence_number``: the insertion order and the new primary key, assigned by the
  database (SQLite's rowid; an identity column on PostgreSQL). ``id`` stays, unique.
- ``chain_position``, ``previous_hash``, ``event_hash``: empty until the sealer writes them,
  once; ``ix_audit_events_unsealed`` holds only the events that wait.
- PostgreSQL: a trigger refuses DELETE, TRUNCATE and every UPDATE except the sealer's one
  change of the three chain columns from empty to set.

Existing events are numbered in the order they occurred and their old, per-organisation
hashes are dropped: they are left for the sealer, which chains them afresh
(``flask audit seal``, or the outbox worker).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: INTEGER on SQLite, so that the primary key is the rowid, which SQLite assigns.
SEQUENCE_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
IS_UNSEALED = sa.text("chain_position IS NULL")

NUMBER_IN_TIME_ORDER = """
UPDATE audit_events SET sequence_number = numbered.position
FROM (
    SELECT id, row_number() OVER (ORDER BY occurred_at, id) AS position FROM audit_events
) AS numbered
WHERE numbered.id = audit_events.id
"""

POSTGRESQL_IDENTITY = """
ALTER TABLE audit_events ALTER COLUMN sequence_number ADD GENERATED ALWAYS AS IDENTITY;
SELECT setval(
    pg_get_serial_sequence('audit_events', 'sequence_number'),
    coalesce((SELECT max(sequence_number) FROM audit_events), 0) + 1,
    false
);
"""

#: The sealer's write is the only change allowed: the three chain columns from empty to set,
#: every other column as it was (compared as JSON, so a column added later is covered too).
POSTGRESQL_APPEND_ONLY = """
CREATE FUNCTION audit_events_refuse_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.chain_position IS NULL AND OLD.previous_hash IS NULL AND OLD.event_hash IS NULL
            AND NEW.chain_position IS NOT NULL AND NEW.event_hash IS NOT NULL
            AND (NEW.previous_hash IS NOT NULL OR NEW.chain_position = 1)
            AND to_jsonb(NEW) - ARRAY['chain_position', 'previous_hash', 'event_hash']
                = to_jsonb(OLD) - ARRAY['chain_position', 'previous_hash', 'event_hash']
        THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_changes();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_changes();
"""

POSTGRESQL_DROP_APPEND_ONLY = """
DROP TRIGGER audit_events_no_truncate ON audit_events;
DROP TRIGGER audit_events_append_only ON audit_events;
DROP FUNCTION audit_events_refuse_changes();
"""


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("sequence_number", SEQUENCE_TYPE, nullable=True))
        batch.add_column(sa.Column("chain_position", sa.BigInteger(), nullable=True))
    op.execute(NUMBER_IN_TIME_ORDER)
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_constraint("pk_audit_events", type_="primary")
        batch.alter_column("sequence_number", existing_type=SEQUENCE_TYPE, nullable=False)
        batch.create_primary_key("pk_audit_events", ["sequence_number"])
        batch.alter_column("event_hash", existing_type=sa.String(length=64), nullable=True)
        batch.create_unique_constraint("uq_audit_events_id", ["id"])
        batch.create_unique_constraint("uq_audit_events_chain_position", ["chain_position"])
    op.execute("UPDATE audit_events SET previous_hash = NULL, event_hash = NULL")
    op.create_index(
        "ix_audit_events_unsealed",
        "audit_events",
        ["sequence_number"],
        sqlite_where=IS_UNSEALED,
        postgresql_where=IS_UNSEALED,
    )
    if postgresql:
        op.execute(POSTGRESQL_IDENTITY)
        op.execute(POSTGRESQL_APPEND_ONLY)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute(POSTGRESQL_DROP_APPEND_ONLY)
        op.execute("ALTER TABLE audit_events ALTER COLUMN sequence_number DROP IDENTITY")
    op.drop_index("ix_audit_events_unsealed", table_name="audit_events")
    # The old code needs a hash on every event; events never sealed get an empty one. The
    # old per-organisation check cannot verify the sealed chain either way.
    op.execute("UPDATE audit_events SET event_hash = '' WHERE event_hash IS NULL")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_constraint("uq_audit_events_chain_position", type_="unique")
        batch.drop_constraint("uq_audit_events_id", type_="unique")
        batch.alter_column("event_hash", existing_type=sa.String(length=64), nullable=False)
        batch.drop_constraint("pk_audit_events", type_="primary")
        batch.create_primary_key("pk_audit_events", ["id"])
        batch.drop_column("chain_position")
        batch.drop_column("sequence_number")
