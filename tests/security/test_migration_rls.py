"""Migration 0003: policies on every tenant table, removed by the downgrade and restored by the upgrade."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from db.session import Database, alembic_config
from migrations.rls import TENANCY_POLICIES
from tests.conftest import APP_ROLE, PostgresServer

pytestmark = pytest.mark.postgres


@pytest.fixture
def fresh(postgres_server: PostgresServer) -> Iterator[Database]:
    url = postgres_server.create("planning_mig")
    database = Database(url, app_role=APP_ROLE)
    try:
        yield database
    finally:
        database.dispose()
        postgres_server.drop(url)


def _state(database: Database) -> tuple[str | None, list[tuple[str, str]], list[str], bool]:
    """(revision, sorted (table, policy), tables with RLS forced, app role can read applications)."""
    with database.owner_engine.connect() as owner:
        revision = MigrationContext.configure(owner).get_current_revision()
        policies = sorted(
            tuple(r) for r in owner.execute(text("SELECT tablename, policyname FROM pg_policies"))
        )
        forced = list(
            owner.execute(
                text(
                    "SELECT relname FROM pg_class WHERE relforcerowsecurity AND relkind = 'r' ORDER BY relname"
                )
            ).scalars()
        )
        grant = owner.execute(
            text("SELECT has_table_privilege(:role, 'applications', 'SELECT')"), {"role": APP_ROLE}
        ).scalar_one()
    return revision, policies, forced, grant


TENANT_TABLES = [
    "application_dependencies",
    "applications",
    "engagement_learnings",
    "plan_baselines",
    "plan_revisions",
    "plan_sources",
    "planning_flows",
    "planning_jobs",
    "portfolio_edits",
    "portfolio_imports",
    "portfolio_source_applications",
    "portfolio_source_dependencies",
    "portfolio_sources",
    "project_timelines",
    "resource_allocations",
    "resource_pools",
    "resource_skills",
    "timeline_milestones",
    "timeline_phases",
]
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()
HEAD_POLICIES = sorted(
    [(t, "tenant_isolation") for t in TENANT_TABLES]
    + [("planning_jobs", "job_worker_read"), ("planning_jobs", "job_worker_update")]
    + [(table, name) for table, policies in TENANCY_POLICIES.items() for name, *_ in policies]
)


def test_upgrade_downgrade_upgrade_keeps_policies_exact(fresh: Database) -> None:
    fresh.upgrade()
    assert _state(fresh) == (HEAD, HEAD_POLICIES, TENANT_TABLES, True)
    fresh.downgrade("0002_jobs_and_memory")
    assert _state(fresh) == ("0002_jobs_and_memory", [("planning_jobs", "job_worker")], [], False)
    fresh.upgrade()
    assert _state(fresh) == (HEAD, HEAD_POLICIES, TENANT_TABLES, True)
