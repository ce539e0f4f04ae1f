"""plan suggestions: every proposal of a specialist, stored with its plan

Revision ID: 0005_plan_suggestions
Revises: 0004_portfolio_sources
Create Date: 2026-11-28 06:00:00

planning_flows.suggestions holds the plan's suggestions (planning_core.plan.Suggestion as JSON): agent,
phase, kind, the change, the rationale, the validation result and the status (pending, accepted,
edited, rejected with who and when, or invalid with the reason). Existing plans get an empty list.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005_plan_suggestions"
down_revision: str | None = "0004_portfolio_sources"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.add_column(
        "planning_flows",
        sa.Column("suggestions", JSON, nullable=False, server_default=sa.text("'[]'")),
    )


def downgrade() -> None:
    with op.batch_alter_table("planning_flows") as batch:
        batch.drop_column("suggestions")
