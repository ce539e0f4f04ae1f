"""row-level security: the app role, tenant policies on every tenant table, tenancy read policies

Revision ID: 0003_row_level_security
Revises: 0001_initial
Create Date: 2026-11-24 02:50:00

Postgres only (SQLite keeps the repository scoping). See migrations/rls.py for the policies.
The downgrade removes policies and grants but keeps the role: roles are cluster-wide and other
databases on the same server may use it.
"""

from collections.abc import Sequence

from migrations.rls import (
    create_app_role,
    disable_tenancy_rls,
    disable_tenant_rls,
    enable_tenancy_rls,
    enable_tenant_rls,
    tenant_tables,
)

revision: str = "0003_row_level_security"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_app_role()
    for table in tenant_tables():
        enable_tenant_rls(table)
    enable_tenancy_rls()


def downgrade() -> None:
    for table in tenant_tables():
        disable_tenant_rls(table)
    disable_tenancy_rls()
