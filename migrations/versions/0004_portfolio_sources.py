"""portfolio sources: what each named source says, its imports, row provenance, and a plan's sources

Revision ID: 0004_portfolio_sources
Revises: 0003_row_level_security
Create Date: 2026-11-28 04:00:00

Re-importing a source is a sync: the workspace holds the union of what its sources currently say.
portfolio_sources names each source (by default the file's name) with its last import;
portfolio_source_applications / portfolio_source_dependencies hold each source's current contents;
portfolio_imports records every import and removal; applications and application_dependencies remember
the source and import that last wrote them (NULL for rows of earlier, unnamed imports); plan_sources
records which sources a plan plans (none: every dependency among its applications, as before).
All new tables are tenant tables with the tenant policy on Postgres (migrations/rls.py).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "0004_portfolio_sources"
down_revision: str | None = "0003_row_level_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
NEW_TABLES = (
    "portfolio_imports",
    "portfolio_sources",
    "plan_sources",
    "portfolio_source_applications",
    "portfolio_source_dependencies",
)


def _tenant_columns(table: str) -> list[Any]:
    return [
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_account_id", "engagement_id"],
            ["engagements.client_account_id", "engagements.id"],
            name=f"fk_{table}_tenant",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _source_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["source_id"],
        ["portfolio_sources.id"],
        name=op.f(f"fk_{table}_source_id_portfolio_sources"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "portfolio_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("counts", JSON, nullable=False),
        *_tenant_columns("portfolio_imports"),
    )
    op.create_table(
        "portfolio_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("last_import_id", sa.Integer(), nullable=False),
        *_tenant_columns("portfolio_sources"),
        sa.UniqueConstraint(
            "client_account_id", "engagement_id", "name", name="uq_portfolio_sources_tenant_name"
        ),
    )
    op.create_table(
        "plan_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("planning_flow_id", sa.String(length=36), nullable=False),
        sa.Column("source_name", sa.String(length=200), nullable=False),
        *_tenant_columns("plan_sources"),
        sa.ForeignKeyConstraint(
            ["planning_flow_id"],
            ["planning_flows.id"],
            name=op.f("fk_plan_sources_planning_flow_id_planning_flows"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("planning_flow_id", "source_name", name="uq_plan_sources_plan_source"),
    )
    op.create_table(
        "portfolio_source_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.String(length=100), nullable=False),
        sa.Column("document", JSON, nullable=False),
        *_tenant_columns("portfolio_source_applications"),
        _source_fk("portfolio_source_applications"),
        sa.UniqueConstraint(
            "source_id", "application_id", name="uq_portfolio_source_applications_source_app"
        ),
    )
    op.create_table(
        "portfolio_source_dependencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("source_application_id", sa.String(length=100), nullable=False),
        sa.Column("target_application_id", sa.String(length=100), nullable=False),
        sa.Column("dependency_type", sa.String(length=20), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        *_tenant_columns("portfolio_source_dependencies"),
        _source_fk("portfolio_source_dependencies"),
        sa.UniqueConstraint(
            "source_id",
            "source_application_id",
            "target_application_id",
            "dependency_type",
            name="uq_portfolio_source_dependencies_source_edge",
        ),
    )
    for table in NEW_TABLES:
        op.create_index(f"ix_{table}_tenant", table, ["client_account_id", "engagement_id"])
    for table in ("applications", "application_dependencies"):
        op.add_column(table, sa.Column("source_name", sa.String(length=200), nullable=True))
        op.add_column(table, sa.Column("import_id", sa.Integer(), nullable=True))
    for table in NEW_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in NEW_TABLES:
        disable_tenant_rls(table)
    for table in ("application_dependencies", "applications"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("import_id")
            batch.drop_column("source_name")
    for table in reversed(NEW_TABLES):
        op.drop_index(f"ix_{table}_tenant", table_name=table)
        op.drop_table(table)
