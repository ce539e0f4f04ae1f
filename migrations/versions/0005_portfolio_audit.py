"""portfolio audit: the analyst's edits of the portfolio, and the defaults each import applied

Revision ID: 0005_portfolio_audit
Revises: 0004_portfolio_sources
Create Date: 2026-11-28 05:00:00

portfolio_edits records every edit an analyst makes to the portfolio on the Portfolio page (an
application's fields, archive and restore, a dependency added or removed): who, when, before and after,
and the import the edited row came from (a re-import of that source replaces the edit).
portfolio_imports.defaults keeps every default the importer applied (one line each), so a plan of the
source can name them among its warnings. portfolio_edits is a tenant table with the tenant policy on
Postgres (migrations/rls.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "0005_portfolio_audit"
down_revision: str | None = "0004_portfolio_sources"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TABLE = "portfolio_edits"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("application_id", sa.String(length=100), nullable=False),
        sa.Column("target_application_id", sa.String(length=100), nullable=True),
        sa.Column("dependency_type", sa.String(length=20), nullable=True),
        sa.Column("before", JSON, nullable=False),
        sa.Column("after", JSON, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_by", sa.String(length=200), nullable=False),
        sa.Column("client_account_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_account_id", "engagement_id"],
            ["engagements.client_account_id", "engagements.id"],
            name=f"fk_{TABLE}_tenant",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index(f"ix_{TABLE}_tenant", TABLE, ["client_account_id", "engagement_id"])
    op.add_column(
        "portfolio_imports", sa.Column("defaults", JSON, nullable=False, server_default=sa.text("'[]'"))
    )
    enable_tenant_rls(TABLE)


def downgrade() -> None:
    disable_tenant_rls(TABLE)
    with op.batch_alter_table("portfolio_imports") as batch:
        batch.drop_column("defaults")
    op.drop_index(f"ix_{TABLE}_tenant", table_name=TABLE)
    op.drop_table(TABLE)
