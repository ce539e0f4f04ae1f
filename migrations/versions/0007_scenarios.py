"""scenarios, risk and baselines: what-if copies of a plan, the risk simulation, saved baselines

Revision ID: 0007_scenarios
Revises: 0005_plan_suggestions, 0005_portfolio_audit (merges both)
Create Date: 2026-11-28 07:00:00

planning_flows.risk_data holds the risk simulation of the plan's cost estimate
(planning_core.engines.risk.models.RiskAnalysis as JSON; NULL until the costs are estimated);
planning_flows.scenario_data says where a scenario comes from (planning_core.plan.ScenarioOrigin; NULL
for a family's main plan). plan_baselines keeps a plan's dates, waves and cost saved as a baseline; it is
a tenant table with the tenant policy on Postgres (migrations/rls.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "0007_scenarios"
down_revision: str | tuple[str, ...] | None = ("0005_plan_suggestions", "0005_portfolio_audit")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.add_column("planning_flows", sa.Column("risk_data", JSON, nullable=True))
    op.add_column("planning_flows", sa.Column("scenario_data", JSON, nullable=True))
    op.create_table(
        "plan_baselines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("planning_flow_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_account_id", "engagement_id"],
            ["engagements.client_account_id", "engagements.id"],
            name="fk_plan_baselines_tenant",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["planning_flow_id"],
            ["planning_flows.id"],
            name=op.f("fk_plan_baselines_planning_flow_id_planning_flows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_baselines")),
    )
    op.create_index("ix_plan_baselines_tenant", "plan_baselines", ["client_account_id", "engagement_id"])
    enable_tenant_rls("plan_baselines")


def downgrade() -> None:
    disable_tenant_rls("plan_baselines")
    op.drop_index("ix_plan_baselines_tenant", table_name="plan_baselines")
    op.drop_table("plan_baselines")
    with op.batch_alter_table("planning_flows") as batch:
        batch.drop_column("scenario_data")
        batch.drop_column("risk_data")
