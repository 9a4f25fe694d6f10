"""Initial schema: every table of the first release.

Revision ID: 0001
Revises:
Created: 2026-11-26

Read and edited by hand after autogenerate: ids first, indexes created after their table,
StrEnum columns as plain VARCHAR(32) (Python validates the values; no CHECK constraints),
encrypted attributes as binary columns (see docs/data-model.md).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Created in this order (parents first); dropped in reverse.
TABLES = [
    "organisations",
    "activity_categories",
    "children",
    "clubs",
    "equipment_items",
    "funds",
    "outbox_messages",
    "activities",
    "guardians",
    "users",
    "account_tokens",
    "activity_extra_costs",
    "audit_events",
    "consent_links",
    "consents",
    "guide_profiles",
    "recovery_codes",
    "user_sessions",
    "cases",
    "consent_withdrawals",
    "shares",
    "case_status_changes",
    "enrollments",
    "equipment_loans",
    "follow_ups",
    "referrals",
    "support_grants",
    "visits",
]


def upgrade() -> None:
    # guide/organisations/models.py: Organisation
    op.create_table(
        "organisations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("municipality_number", sa.String(length=4), nullable=True),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("follow_up_months", sa.JSON(), nullable=False),
        sa.Column("no_visit_nudge_weeks", sa.Integer(), nullable=False),
        sa.Column("police_certificate_valid_months", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
    )

    # guide/activities/models.py: ActivityCategory
    op.create_table(
        "activity_categories",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_activity_categories_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_categories")),
        sa.UniqueConstraint(
            "organisation_id", "key", name=op.f("uq_activity_categories_organisation_id_key")
        ),
    )
    op.create_index(
        op.f("ix_activity_categories_organisation_id"), "activity_categories", ["organisation_id"]
    )

    # guide/cases/models.py: Child
    op.create_table(
        "children",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("identity_index", sa.String(length=64), nullable=False),
        sa.Column("school", sa.String(length=200), nullable=True),
        sa.Column("school_class", sa.String(length=20), nullable=True),
        sa.Column("area", sa.String(length=100), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_name", sa.LargeBinary(), nullable=False),
        sa.Column("last_name", sa.LargeBinary(), nullable=False),
        sa.Column("birth_date", sa.LargeBinary(), nullable=False),
        sa.Column("national_id", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_children_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_children")),
    )
    op.create_index(op.f("ix_children_organisation_id"), "children", ["organisation_id"])
    op.create_index(
        "ix_children_organisation_identity", "children", ["organisation_id", "identity_index"]
    )

    # guide/activities/models.py: Club
    op.create_table(
        "clubs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("org_number", sa.String(length=9), nullable=True),
        sa.Column("contact_person", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("area", sa.String(length=100), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_clubs_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clubs")),
        sa.UniqueConstraint(
            "organisation_id", "org_number", name=op.f("uq_clubs_organisation_id_org_number")
        ),
    )
    op.create_index(op.f("ix_clubs_organisation_id"), "clubs", ["organisation_id"])

    # guide/support/models.py: EquipmentItem
    op.create_table(
        "equipment_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("size", sa.String(length=40), nullable=True),
        sa.Column("condition", sa.String(length=40), nullable=True),
        sa.Column("is_available", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_equipment_items_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_items")),
    )
    op.create_index(
        op.f("ix_equipment_items_organisation_id"), "equipment_items", ["organisation_id"]
    )

    # guide/support/models.py: Fund
    op.create_table(
        "funds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("budget", sa.BigInteger(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_funds_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds")),
    )
    op.create_index(op.f("ix_funds_organisation_id"), "funds", ["organisation_id"])

    # guide/outbox/models.py: OutboxMessage
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipient", sa.LargeBinary(), nullable=False),
        sa.Column("body_text", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_outbox_messages_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    op.create_index(
        op.f("ix_outbox_messages_organisation_id"), "outbox_messages", ["organisation_id"]
    )
    op.create_index(
        "ix_outbox_messages_status_next_attempt", "outbox_messages", ["status", "next_attempt_at"]
    )

    # guide/activities/models.py: Activity
    op.create_table(
        "activities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("club_id", sa.Uuid(), nullable=False),
        sa.Column("category_key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.Column("area", sa.String(length=100), nullable=True),
        sa.Column("meeting_place", sa.String(length=200), nullable=True),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("starts_at", sa.Time(), nullable=True),
        sa.Column("ends_at", sa.Time(), nullable=True),
        sa.Column("season", sa.String(length=100), nullable=True),
        sa.Column("fee_per_season", sa.BigInteger(), nullable=False),
        sa.Column("equipment_needed", sa.Text(), nullable=True),
        sa.Column("equipment_can_be_borrowed", sa.Boolean(), nullable=False),
        sa.Column("leader_languages", sa.JSON(), nullable=False),
        sa.Column("accessibility_notes", sa.Text(), nullable=True),
        sa.Column("has_free_trial", sa.Boolean(), nullable=False),
        sa.Column("places_left", sa.Integer(), nullable=True),
        sa.Column("has_waiting_list", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["club_id"], ["clubs.id"], name=op.f("fk_activities_club_id_clubs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_activities_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    op.create_index(op.f("ix_activities_club_id"), "activities", ["club_id"])
    op.create_index(
        "ix_activities_organisation_category", "activities", ["organisation_id", "category_key"]
    )
    op.create_index(op.f("ix_activities_organisation_id"), "activities", ["organisation_id"])

    # guide/cases/models.py: Guardian
    op.create_table(
        "guardians",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("has_parental_responsibility", sa.Boolean(), nullable=False),
        sa.Column("preferred_language", sa.String(length=8), nullable=False),
        sa.Column("needs_interpreter", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("full_name", sa.LargeBinary(), nullable=False),
        sa.Column("phone", sa.LargeBinary(), nullable=True),
        sa.Column("email", sa.LargeBinary(), nullable=True),
        sa.Column("address", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
            name=op.f("fk_guardians_child_id_children"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_guardians_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guardians")),
    )
    op.create_index(op.f("ix_guardians_child_id"), "guardians", ["child_id"])
    op.create_index(op.f("ix_guardians_organisation_id"), "guardians", ["organisation_id"])

    # guide/accounts/models.py: User
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("referrer_kind", sa.String(length=32), nullable=True),
        sa.Column("club_id", sa.Uuid(), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("totp_enrolled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("preferred_locale", sa.String(length=8), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("throttled_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("totp_secret", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["club_id"], ["clubs.id"], name=op.f("fk_users_club_id_clubs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_users_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_index(op.f("ix_users_organisation_id"), "users", ["organisation_id"])

    # guide/accounts/models.py: AccountToken
    op.create_table(
        "account_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("club_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["club_id"],
            ["clubs.id"],
            name=op.f("fk_account_tokens_club_id_clubs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_account_tokens_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_account_tokens_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_account_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_tokens_token_hash")),
    )
    op.create_index(
        op.f("ix_account_tokens_organisation_id"), "account_tokens", ["organisation_id"]
    )

    # guide/activities/models.py: ActivityExtraCost
    op.create_table(
        "activity_extra_costs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_extra_costs_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_extra_costs")),
    )
    op.create_index(
        op.f("ix_activity_extra_costs_activity_id"), "activity_extra_costs", ["activity_id"]
    )

    # guide/audit/models.py: AuditEvent
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=True),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=True),
        sa.Column("event_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_audit_events_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_actor_occurred", "audit_events", ["actor_id", "occurred_at"])
    op.create_index("ix_audit_events_object", "audit_events", ["object_type", "object_id"])
    op.create_index(
        "ix_audit_events_organisation_occurred", "audit_events", ["organisation_id", "occurred_at"]
    )

    # guide/consents/models.py: ConsentLink
    op.create_table(
        "consent_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("guardian_id", sa.Uuid(), nullable=True),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
            name=op.f("fk_consent_links_child_id_children"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_consent_links_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"],
            ["guardians.id"],
            name=op.f("fk_consent_links_guardian_id_guardians"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_consent_links_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_consent_links_token_hash")),
    )
    op.create_index(op.f("ix_consent_links_child_id"), "consent_links", ["child_id"])
    op.create_index(op.f("ix_consent_links_organisation_id"), "consent_links", ["organisation_id"])

    # guide/consents/models.py: Consent
    op.create_table(
        "consents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("guardian_id", sa.Uuid(), nullable=True),
        sa.Column("given_by_relation", sa.String(length=32), nullable=False),
        sa.Column("basis", sa.String(length=32), nullable=False),
        sa.Column("child_heard", sa.Boolean(), nullable=True),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("recipient_kind", sa.String(length=32), nullable=False),
        sa.Column("recipient_club_id", sa.Uuid(), nullable=True),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("documented_by_id", sa.Uuid(), nullable=True),
        sa.Column("scan_sha256", sa.String(length=64), nullable=True),
        sa.Column("scan_content_type", sa.String(length=50), nullable=True),
        sa.Column("text_version", sa.String(length=40), nullable=False),
        sa.Column("text_language", sa.String(length=8), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("given_by_name", sa.LargeBinary(), nullable=False),
        sa.Column("child_view", sa.LargeBinary(), nullable=True),
        sa.Column("scan", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
            name=op.f("fk_consents_child_id_children"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["documented_by_id"],
            ["users.id"],
            name=op.f("fk_consents_documented_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"],
            ["guardians.id"],
            name=op.f("fk_consents_guardian_id_guardians"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_consents_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_club_id"], ["clubs.id"], name=op.f("fk_consents_recipient_club_id_clubs")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_consents_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index(op.f("ix_consents_child_id"), "consents", ["child_id"])
    op.create_index(op.f("ix_consents_organisation_id"), "consents", ["organisation_id"])
    op.create_index(op.f("ix_consents_recipient_club_id"), "consents", ["recipient_club_id"])

    # guide/guides/models.py: GuideProfile
    op.create_table(
        "guide_profiles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("interests", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("availability_notes", sa.Text(), nullable=True),
        sa.Column("police_certificate_checked_on", sa.Date(), nullable=True),
        sa.Column("confidentiality_signed_on", sa.Date(), nullable=True),
        sa.Column("is_paused", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_guide_profiles_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_guide_profiles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_guide_profiles_user_id")),
    )
    op.create_index(
        op.f("ix_guide_profiles_organisation_id"), "guide_profiles", ["organisation_id"]
    )

    # guide/accounts/models.py: RecoveryCode
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    op.create_index(op.f("ix_recovery_codes_user_id"), "recovery_codes", ["user_id"])

    # guide/accounts/models.py: UserSession
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])

    # guide/cases/models.py: Case
    op.create_table(
        "cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=True),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("help_level", sa.String(length=32), nullable=False),
        sa.Column("interest_tags", sa.JSON(), nullable=False),
        sa.Column("barriers", sa.JSON(), nullable=False),
        sa.Column("assigned_guide_id", sa.Uuid(), nullable=True),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("guide_assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_contact_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_activity_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("interests_in_own_words", sa.LargeBinary(), nullable=True),
        sa.Column("close_note", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_guide_id"],
            ["guide_profiles.id"],
            name=op.f("fk_cases_assigned_guide_id_guide_profiles"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
            name=op.f("fk_cases_child_id_children"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_cases_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("reference", name=op.f("uq_cases_reference")),
    )
    op.create_index("ix_cases_assigned_guide_status", "cases", ["assigned_guide_id", "status"])
    op.create_index(op.f("ix_cases_child_id"), "cases", ["child_id"])
    op.create_index(op.f("ix_cases_organisation_id"), "cases", ["organisation_id"])
    op.create_index("ix_cases_organisation_referred", "cases", ["organisation_id", "referred_at"])
    op.create_index(
        "ix_cases_organisation_status_referred",
        "cases",
        ["organisation_id", "status", "referred_at"],
    )

    # guide/consents/models.py: ConsentWithdrawal
    op.create_table(
        "consent_withdrawals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("consent_id", sa.Uuid(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("withdrawn_by_name", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["consents.id"],
            name=op.f("fk_consent_withdrawals_consent_id_consents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_consent_withdrawals_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_withdrawals")),
        sa.UniqueConstraint("consent_id", name=op.f("uq_consent_withdrawals_consent_id")),
    )

    # guide/consents/models.py: Share
    op.create_table(
        "shares",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("consent_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("club_id", sa.Uuid(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("shared_by_id", sa.Uuid(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
            name=op.f("fk_shares_child_id_children"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["club_id"], ["clubs.id"], name=op.f("fk_shares_club_id_clubs")),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["consents.id"],
            name=op.f("fk_shares_consent_id_consents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_shares_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["shared_by_id"], ["users.id"], name=op.f("fk_shares_shared_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shares")),
    )
    op.create_index(op.f("ix_shares_child_id"), "shares", ["child_id"])
    op.create_index("ix_shares_club_shared", "shares", ["club_id", "shared_at"])
    op.create_index(op.f("ix_shares_consent_id"), "shares", ["consent_id"])
    op.create_index(op.f("ix_shares_organisation_id"), "shares", ["organisation_id"])

    # guide/cases/models.py: CaseStatusChange
    op.create_table(
        "case_status_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("changed_by_id", sa.Uuid(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_status_changes_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_case_status_changes_changed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_status_changes")),
    )
    op.create_index(op.f("ix_case_status_changes_case_id"), "case_status_changes", ["case_id"])

    # guide/activities/models.py: Enrollment
    op.create_table(
        "enrollments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("is_main", sa.Boolean(), nullable=False),
        sa.Column("is_own_choice", sa.Boolean(), nullable=True),
        sa.Column("proposed_by_id", sa.Uuid(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activities.id"], name=op.f("fk_enrollments_activity_id_activities")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_enrollments_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["users.id"],
            name=op.f("fk_enrollments_proposed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollments")),
    )
    op.create_index(op.f("ix_enrollments_activity_id"), "enrollments", ["activity_id"])
    op.create_index(op.f("ix_enrollments_case_id"), "enrollments", ["case_id"])

    # guide/support/models.py: EquipmentLoan
    op.create_table(
        "equipment_loans",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=True),
        sa.Column("item_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.String(length=40), nullable=True),
        sa.Column("condition", sa.String(length=40), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("lent_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("reminder_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_equipment_loans_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["equipment_items.id"],
            name=op.f("fk_equipment_loans_item_id_equipment_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_equipment_loans_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_loans")),
    )
    op.create_index(op.f("ix_equipment_loans_case_id"), "equipment_loans", ["case_id"])
    op.create_index(
        op.f("ix_equipment_loans_organisation_id"), "equipment_loans", ["organisation_id"]
    )
    op.create_index(
        "ix_equipment_loans_organisation_returned_due",
        "equipment_loans",
        ["organisation_id", "returned_on", "due_on"],
    )

    # guide/cases/models.py: FollowUp
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("months_after", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_follow_ups_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"],
            ["users.id"],
            name=op.f("fk_follow_ups_done_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    op.create_index(op.f("ix_follow_ups_case_id"), "follow_ups", ["case_id"])
    op.create_index(op.f("ix_follow_ups_due_on"), "follow_ups", ["due_on"])

    # guide/referrals/models.py: Referral
    op.create_table(
        "referrals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("referred_by_id", sa.Uuid(), nullable=False),
        sa.Column("referrer_kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("barriers", sa.JSON(), nullable=False),
        sa.Column("help_level", sa.String(length=32), nullable=False),
        sa.Column("consent_relation", sa.String(length=32), nullable=False),
        sa.Column("consent_method", sa.String(length=32), nullable=False),
        sa.Column("consent_given_on", sa.Date(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.LargeBinary(), nullable=False),
        sa.Column("interests_in_own_words", sa.LargeBinary(), nullable=True),
        sa.Column("consent_given_by", sa.LargeBinary(), nullable=False),
        sa.Column("decline_reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_referrals_case_id_cases"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
            name=op.f("fk_referrals_child_id_children"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_referrals_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_referrals_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["referred_by_id"], ["users.id"], name=op.f("fk_referrals_referred_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint("reference", name=op.f("uq_referrals_reference")),
    )
    op.create_index(op.f("ix_referrals_case_id"), "referrals", ["case_id"])
    op.create_index(op.f("ix_referrals_child_id"), "referrals", ["child_id"])
    op.create_index(op.f("ix_referrals_organisation_id"), "referrals", ["organisation_id"])
    op.create_index(
        "ix_referrals_organisation_status_submitted",
        "referrals",
        ["organisation_id", "status", "submitted_at"],
    )
    op.create_index(
        "ix_referrals_referred_by_submitted", "referrals", ["referred_by_id", "submitted_at"]
    )

    # guide/support/models.py: SupportGrant
    op.create_table(
        "support_grants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("fund_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("activity_id", sa.Uuid(), nullable=True),
        sa.Column("payee_kind", sa.String(length=32), nullable=False),
        sa.Column("payee_club_id", sa.Uuid(), nullable=True),
        sa.Column("payee_name", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_by_id", sa.Uuid(), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_reference", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.LargeBinary(), nullable=True),
        sa.Column("decision_note", sa.LargeBinary(), nullable=True),
        sa.Column("override_reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_support_grants_activity_id_activities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_support_grants_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_support_grants_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["funds.id"], name=op.f("fk_support_grants_fund_id_funds")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_support_grants_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["paid_by_id"],
            ["users.id"],
            name=op.f("fk_support_grants_paid_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["payee_club_id"],
            ["clubs.id"],
            name=op.f("fk_support_grants_payee_club_id_clubs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_support_grants_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_grants")),
    )
    op.create_index(op.f("ix_support_grants_case_id"), "support_grants", ["case_id"])
    op.create_index("ix_support_grants_fund_status", "support_grants", ["fund_id", "status"])
    op.create_index(
        op.f("ix_support_grants_organisation_id"), "support_grants", ["organisation_id"]
    )
    op.create_index(
        "ix_support_grants_organisation_status_requested",
        "support_grants",
        ["organisation_id", "status", "requested_at"],
    )

    # guide/cases/models.py: Visit
    op.create_table(
        "visits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.LargeBinary(), nullable=True),
        sa.Column("child_words", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_visits_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_visits_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    op.create_index("ix_visits_case_occurred", "visits", ["case_id", "occurred_on"])


def downgrade() -> None:
    # Dropping a table drops its indexes and constraints with it.
    for table in reversed(TABLES):
        op.drop_table(table)
