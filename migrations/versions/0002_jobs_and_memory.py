"""background jobs and tenant memory

Revision ID: 0002_jobs_and_memory
Revises: 0001_initial
Create Date: 2026-11-24 02:50:00

Both are tenant tables: 0003_row_level_security gives them the tenant policy (Postgres). planning_jobs
has one more policy, created here and active once 0003 enables RLS: a worker transaction that sets
app.job_worker = 'on' sees every job (it claims jobs across tenants, then runs each plan inside that
plan's own tenant context).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_jobs_and_memory"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WORKER_POLICY = "job_worker"
WORKER_CONDITION = "current_setting('app.job_worker', true) = 'on'"
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["client_account_id", "engagement_id"],
        ["engagements.client_account_id", "engagements.id"],
        name=f"fk_{table}_tenant",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "planning_jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("planning_flow_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_planning_jobs_status")
        ),
        _tenant_fk("planning_jobs"),
        sa.ForeignKeyConstraint(
            ["planning_flow_id"],
            ["planning_flows.id"],
            name=op.f("fk_planning_jobs_planning_flow_id_planning_flows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planning_jobs")),
    )
    op.create_index("ix_planning_jobs_tenant", "planning_jobs", ["client_account_id", "engagement_id"])
    op.create_index("ix_planning_jobs_status_created", "planning_jobs", ["status", "created_at"])
    op.create_index(op.f("ix_planning_jobs_planning_flow_id"), "planning_jobs", ["planning_flow_id"])
    op.create_table(
        "engagement_learnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("planning_flow_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        _tenant_fk("engagement_learnings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_learnings")),
    )
    op.create_index(
        "ix_engagement_learnings_tenant", "engagement_learnings", ["client_account_id", "engagement_id"]
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE POLICY {WORKER_POLICY} ON planning_jobs AS PERMISSIVE FOR ALL TO PUBLIC "
            f"USING ({WORKER_CONDITION}) WITH CHECK ({WORKER_CONDITION})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP POLICY IF EXISTS {WORKER_POLICY} ON planning_jobs")
    op.drop_index("ix_engagement_learnings_tenant", table_name="engagement_learnings")
    op.drop_table("engagement_learnings")
    op.drop_index(op.f("ix_planning_jobs_planning_flow_id"), table_name="planning_jobs")
    op.drop_index("ix_planning_jobs_status_created", table_name="planning_jobs")
    op.drop_index("ix_planning_jobs_tenant", table_name="planning_jobs")
    op.drop_table("planning_jobs")
