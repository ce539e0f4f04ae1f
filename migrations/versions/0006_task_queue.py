"""task queue: procrastinate's schema on Postgres, for the background runs of plans

Revision ID: 0006_task_queue
Revises: 0007_scenarios
Create Date: 2026-11-28 06:00:00

On Postgres the background runs go through procrastinate (a Postgres task queue whose workers may run
on other machines: `planning-flow worker`); this migration applies its schema, as its schema manager
does (`procrastinate.schema.SchemaManager.get_schema()`), in the same transaction as the rest of the
upgrade. procrastinate's tables (procrastinate_jobs, _events, _periodic_defers, _workers) are not tenant
tables: they hold a run's planning job id, the tenant's ids and the plan id, never plan data. The app
role may read and write them (workers connect as it); row-level security on the tenant tables is
unchanged. planning_jobs stays the tenant's record of each run (status, progress, heartbeat, error).

SQLite (the embedded mode) has no procrastinate: its in-process worker takes planning_jobs directly.

A newer procrastinate whose schema changed needs a migration here applying its migration files
(procrastinate/sql/migrations); pyproject.toml pins the minor version.
"""

from collections.abc import Sequence

from alembic import op
from procrastinate.schema import SchemaManager

from migrations.rls import app_role

revision: str = "0006_task_queue"
down_revision: str | None = (
    "0007_scenarios"  # the brief said 0005_portfolio_audit; 0007 merged both 0005 heads since
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "procrastinate_workers",
    "procrastinate_jobs",
    "procrastinate_periodic_defers",
    "procrastinate_events",
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # The schema is plain SQL with % signs: run it through the driver itself, with no parameters.
    bind.connection.driver_connection.execute(SchemaManager.get_schema())
    role = app_role()
    exists = bind.exec_driver_sql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'").first()
    if exists is None:
        return
    for table in TABLES:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {role}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(
        "DO $$ DECLARE item record; BEGIN "
        "FOR item IN SELECT p.oid::regprocedure AS sig FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'public' AND p.proname LIKE 'procrastinate\\_%' LOOP "
        "EXECUTE 'DROP FUNCTION IF EXISTS ' || item.sig || ' CASCADE'; END LOOP; END $$"
    )
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    op.execute(
        "DO $$ DECLARE item record; BEGIN "
        "FOR item IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = 'public' AND t.typname LIKE 'procrastinate\\_%' AND t.typtype IN ('e', 'c') LOOP "
        "EXECUTE 'DROP TYPE IF EXISTS ' || quote_ident(item.typname) || ' CASCADE'; END LOOP; END $$"
    )
