"""initial schema

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-24 02:20:37.972761
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "client_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_accounts")),
        sa.UniqueConstraint("name", name=op.f("uq_client_accounts_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_table(
        "engagements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_account_id"],
            ["client_accounts.id"],
            name=op.f("fk_engagements_client_account_id_client_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagements")),
        sa.UniqueConstraint("client_account_id", "id", name=op.f("uq_engagements_client_account_id_id")),
        sa.UniqueConstraint("client_account_id", "name", name=op.f("uq_engagements_client_account_id_name")),
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("business_unit", sa.String(length=200), nullable=False),
        sa.Column("environment", sa.String(length=200), nullable=False),
        sa.Column("six_r_strategy", sa.String(length=20), nullable=False),
        sa.Column("complexity", sa.Integer(), nullable=False),
        sa.Column("business_criticality", sa.String(length=20), nullable=False),
        sa.Column("effort_hours", sa.Float(), nullable=True),
        sa.Column("server_count", sa.Integer(), nullable=False),
        sa.Column("data_size_gb", sa.Float(), nullable=False),
        sa.Column(
            "required_skills",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("pinned_wave", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_account_id", "engagement_id"],
            ["engagements.client_account_id", "engagements.id"],
            name="fk_applications_tenant",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint(
            "client_account_id",
            "engagement_id",
            "application_id",
            name="uq_applications_tenant_application_id",
        ),
    )
    op.create_index(
        "ix_applications_tenant", "applications", ["client_account_id", "engagement_id"], unique=False
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('viewer', 'analyst', 'admin')", name=op.f("ck_memberships_role")),
        sa.ForeignKeyConstraint(
            ["client_account_id"],
            ["client_accounts.id"],
            name=op.f("fk_memberships_client_account_id_client_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_memberships_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
    )
    op.create_index("ix_memberships_user", "memberships", ["user_id", "client_account_id"], unique=False)
    op.create_table(
        "planning_flows",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("current_phase", sa.String(length=30), nullable=False),
        sa.Column("phase_status", sa.String(length=20), nullable=False),
        sa.Column(
            "phase_statuses",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column(
            "planning_config",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "selected_applications",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "wave_plan_data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "resource_allocation_data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "timeline_data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "cost_estimation_data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "synthesis_data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "agent_execution_log",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "ui_state",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "validation_errors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "warnings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("planning_completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_account_id", "engagement_id"],
            ["engagements.client_account_id", "engagements.id"],
            name="fk_planning_flows_tenant",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planning_flows")),
    )
    op.create_index(
        "ix_planning_flows_tenant", "planning_flows", ["client_account_id", "engagement_id"], unique=False
    )
    op.create_table(
        "application_dependencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_application_id", sa.String(length=100), nullable=False),
        sa.Column("target_application_id", sa.String(length=100), nullable=False),
        sa.Column("dependency_type", sa.String(length=20), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_account_id", "engagement_id", "source_application_id"],
            ["applications.client_account_id", "applications.engagement_id", "applications.application_id"],
            name="fk_application_dependencies_source",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_account_id", "engagement_id", "target_application_id"],
            ["applications.client_account_id", "applications.engagement_id", "applications.application_id"],
            name="fk_application_dependencies_target",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_account_id", "engagement_id"],
            ["engagements.client_account_id", "engagements.id"],
            name="fk_application_dependencies_tenant",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_dependencies")),
        sa.UniqueConstraint(
            "client_account_id",
            "engagement_id",
            "source_application_id",
            "target_application_id",
            "dependency_type",
            name="uq_application_dependencies_tenant_edge",
        ),
    )
    op.create_index(
        "ix_application_dependencies_tenant",
        "application_dependencies",
        ["client_account_id", "engagement_id"],
        unique=False,
    )
    op.create_table(
        "plan_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("planning_flow_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column(
            "changes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "snapshot",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_account_id", "engagement_id"],
            ["engagements.client_account_id", "engagements.id"],
            name="fk_plan_revisions_tenant",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["planning_flow_id"],
            ["planning_flows.id"],
            name=op.f("fk_plan_revisions_planning_flow_id_planning_flows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_revisions")),
        sa.UniqueConstraint(
            "planning_flow_id", "revision", name=op.f("uq_plan_revisions_planning_flow_id_revision")
        ),
    )
    op.create_index(
        "ix_plan_revisions_tenant", "plan_revisions", ["client_account_id", "engagement_id"], unique=False
    )
    op.create_table(
        "project_timelines",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("planning_flow_id", sa.String(length=36), nullable=False),
        sa.Column("timeline_name", sa.String(length=255), nullable=False),
        sa.Column("overall_start_date", sa.Date(), nullable=False),
        sa.Column("overall_end_date", sa.Date(), nullable=False),
        sa.Column("timeline_status", sa.String(length=20), nullable=False),
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_account_id", "engagement_id"],
            ["engagements.client_account_id", "engagements.id"],
            name="fk_project_timelines_tenant",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["planning_flow_id"],
            ["planning_flows.id"],
            name=op.f("fk_project_timelines_planning_flow_id_planning_flows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_timelines")),
    )
    op.create_index(
        op.f("ix_project_timelines_planning_flow_id"), "project_timelines", ["planning_flow_id"], unique=False
    )
    op.create_index(
        "ix_project_timelines_tenant",
        "project_timelines",
        ["client_account_id", "engagement_id"],
        unique=False,
    )
    op.create_table(
        "resource_pools",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("planning_flow_id", sa.String(length=36), nullable=False),
        sa.Column("pool_name", sa.String(length=100), nullable=False),
        sa.Column("role_name", sa.String(length=100), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("capacity_hours_per_week", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("total_capacity_hours", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("available_capacity_hours", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("allocated_capacity_hours", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("hourly_rate", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("utilization_percentage", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column(
            "skills",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_account_id", "engagement_id"],
            ["engagements.client_account_id", "engagements.id"],
            name="fk_resource_pools_tenant",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["planning_flow_id"],
            ["planning_flows.id"],
            name=op.f("fk_resource_pools_planning_flow_id_planning_flows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_pools")),
        sa.UniqueConstraint(
            "planning_flow_id", "role_name", name=op.f("uq_resource_pools_planning_flow_id_role_name")
        ),
    )
    op.create_index(
        "ix_resource_pools_tenant", "resource_pools", ["client_account_id", "engagement_id"], unique=False
    )
    op.create_table(
        "resource_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("planning_flow_id", sa.String(length=36), nullable=False),
        sa.Column("resource_pool_id", sa.String(length=36), nullable=True),
        sa.Column("wave_number", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("allocated_hours", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("capacity_hours", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("is_ai_suggested", sa.Boolean(), nullable=False),
        sa.Column("ai_confidence_score", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_account_id", "engagement_id"],
            ["engagements.client_account_id", "engagements.id"],
            name="fk_resource_allocations_tenant",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["planning_flow_id"],
            ["planning_flows.id"],
            name=op.f("fk_resource_allocations_planning_flow_id_planning_flows"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resource_pool_id"],
            ["resource_pools.id"],
            name=op.f("fk_resource_allocations_resource_pool_id_resource_pools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_allocations")),
    )
    op.create_index(
        op.f("ix_resource_allocations_planning_flow_id"),
        "resource_allocations",
        ["planning_flow_id"],
        unique=False,
    )
    op.create_index(
        "ix_resource_allocations_tenant",
        "resource_allocations",
        ["client_account_id", "engagement_id"],
        unique=False,
    )
    op.create_table(
        "resource_skills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_pool_id", sa.String(length=36), nullable=False),
        sa.Column("skill_name", sa.String(length=200), nullable=False),
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_account_id", "engagement_id"],
            ["engagements.client_account_id", "engagements.id"],
            name="fk_resource_skills_tenant",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resource_pool_id"],
            ["resource_pools.id"],
            name=op.f("fk_resource_skills_resource_pool_id_resource_pools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_skills")),
    )
    op.create_index(
        op.f("ix_resource_skills_resource_pool_id"), "resource_skills", ["resource_pool_id"], unique=False
    )
    op.create_index(
        "ix_resource_skills_tenant", "resource_skills", ["client_account_id", "engagement_id"], unique=False
    )
    op.create_table(
        "timeline_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("timeline_id", sa.String(length=36), nullable=False),
        sa.Column("milestone_number", sa.Integer(), nullable=False),
        sa.Column("milestone_name", sa.String(length=255), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("milestone_kind", sa.String(length=30), nullable=False),
        sa.Column("wave_number", sa.Integer(), nullable=True),
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_account_id", "engagement_id"],
            ["engagements.client_account_id", "engagements.id"],
            name="fk_timeline_milestones_tenant",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["timeline_id"],
            ["project_timelines.id"],
            name=op.f("fk_timeline_milestones_timeline_id_project_timelines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timeline_milestones")),
    )
    op.create_index(
        "ix_timeline_milestones_tenant",
        "timeline_milestones",
        ["client_account_id", "engagement_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_timeline_milestones_timeline_id"), "timeline_milestones", ["timeline_id"], unique=False
    )
    op.create_table(
        "timeline_phases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("timeline_id", sa.String(length=36), nullable=False),
        sa.Column("phase_number", sa.Integer(), nullable=False),
        sa.Column("phase_name", sa.String(length=255), nullable=False),
        sa.Column("activity_id", sa.String(length=100), nullable=False),
        sa.Column("wave_number", sa.Integer(), nullable=False),
        sa.Column("planned_start_date", sa.Date(), nullable=False),
        sa.Column("planned_end_date", sa.Date(), nullable=False),
        sa.Column("slack_days", sa.Integer(), nullable=False),
        sa.Column("is_critical", sa.Boolean(), nullable=False),
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_account_id", "engagement_id"],
            ["engagements.client_account_id", "engagements.id"],
            name="fk_timeline_phases_tenant",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["timeline_id"],
            ["project_timelines.id"],
            name=op.f("fk_timeline_phases_timeline_id_project_timelines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timeline_phases")),
    )
    op.create_index(
        "ix_timeline_phases_tenant", "timeline_phases", ["client_account_id", "engagement_id"], unique=False
    )
    op.create_index(op.f("ix_timeline_phases_timeline_id"), "timeline_phases", ["timeline_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_timeline_phases_timeline_id"), table_name="timeline_phases")
    op.drop_index("ix_timeline_phases_tenant", table_name="timeline_phases")
    op.drop_table("timeline_phases")
    op.drop_index(op.f("ix_timeline_milestones_timeline_id"), table_name="timeline_milestones")
    op.drop_index("ix_timeline_milestones_tenant", table_name="timeline_milestones")
    op.drop_table("timeline_milestones")
    op.drop_index("ix_resource_skills_tenant", table_name="resource_skills")
    op.drop_index(op.f("ix_resource_skills_resource_pool_id"), table_name="resource_skills")
    op.drop_table("resource_skills")
    op.drop_index("ix_resource_allocations_tenant", table_name="resource_allocations")
    op.drop_index(op.f("ix_resource_allocations_planning_flow_id"), table_name="resource_allocations")
    op.drop_table("resource_allocations")
    op.drop_index("ix_resource_pools_tenant", table_name="resource_pools")
    op.drop_table("resource_pools")
    op.drop_index("ix_project_timelines_tenant", table_name="project_timelines")
    op.drop_index(op.f("ix_project_timelines_planning_flow_id"), table_name="project_timelines")
    op.drop_table("project_timelines")
    op.drop_index("ix_plan_revisions_tenant", table_name="plan_revisions")
    op.drop_table("plan_revisions")
    op.drop_index("ix_application_dependencies_tenant", table_name="application_dependencies")
    op.drop_table("application_dependencies")
    op.drop_index("ix_planning_flows_tenant", table_name="planning_flows")
    op.drop_table("planning_flows")
    op.drop_index("ix_memberships_user", table_name="memberships")
    op.drop_table("memberships")
    op.drop_index("ix_applications_tenant", table_name="applications")
    op.drop_table("applications")
    op.drop_table("engagements")
    op.drop_table("users")
    op.drop_table("client_accounts")
