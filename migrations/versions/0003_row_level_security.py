"""row-level security: the app role, tenant policies on every tenant table, tenancy read policies

Revision ID: 0003_row_level_security
Revises: 0002_jobs_and_memory
Create Date: 2026-11-24 02:50:00

Postgres only (SQLite keeps the repository scoping). See migrations/rls.py for the policies.
The downgrade removes policies and grants but keeps the role: roles are cluster-wide and other
databases on the same server may use it.
"""

from collections.abc import Sequence

from migrations.rls import (
    create_app_role,
    disable_job_worker_access,
    disable_tenancy_rls,
    disable_tenant_rls,
    enable_job_worker_access,
    enable_tenancy_rls,
    enable_tenant_rls,
    tenant_tables,
)

revision: str = "0003_row_level_security"
down_revision: str | None = "0002_jobs_and_memory"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_app_role()
    tables = tenant_tables()
    for table in tables:
        enable_tenant_rls(table)
    if "planning_jobs" in tables:
        enable_job_worker_access("planning_jobs")
    enable_tenancy_rls()


def downgrade() -> None:
    tables = tenant_tables()
    if "planning_jobs" in tables:
        disable_job_worker_access("planning_jobs")
    for table in tables:
        disable_tenant_rls(table)
    disable_tenancy_rls()
