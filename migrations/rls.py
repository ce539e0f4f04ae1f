"""Row-level security helpers for migrations (Postgres only; every helper is a no-op on SQLite).

The application connects as APP_ROLE (default ``planning_app``), a LOGIN role that does not own the
tables. Tenant tables (every table with ``client_account_id`` and ``engagement_id``) get ENABLE + FORCE
ROW LEVEL SECURITY and one policy: a row is visible and writable only when both columns equal the
transaction's ``app.client_account_id`` / ``app.engagement_id`` settings (``db.session`` sets them with
``set_config(..., true)``). A transaction without those settings sees nothing and can write nothing.

Tenancy tables (client_accounts, engagements, users, memberships) are managed by the owner (the
administration path, ``Database.tenancy()``); the app role may only read the current tenant's account
and engagement, its own memberships (``app.user_id``) and the accounts and engagements they grant, and
insert or update its own user row at sign-in.

A later migration that adds a tenant table calls ``enable_tenant_rls("new_table")`` after creating it.

Operators: the role is created without a password (the local server trusts local connections). On a
real server set one (``ALTER ROLE planning_app PASSWORD '...'``) and configure the app with
DATABASE_URL (the owner, used for migrations and administration; or PLANNING_MIGRATION_DATABASE_URL),
PLANNING_APP_DB_ROLE=planning_app and PLANNING_APP_DB_PASSWORD. Never run the app as a superuser or a
BYPASSRLS role: those ignore every policy. The policies trust the transaction's settings, so they stop
a query that forgets its tenant, not code that deliberately sets another tenant's id.

One narrow, deliberate exception: the background-job queue (``planning_jobs``). A worker claims the
oldest queued job of any tenant, so a transaction that sets ``app.job_worker = 'on'`` (planning_core.service.runs
does, in its queue transactions only) may read and update planning_jobs rows of every tenant; it still
sees nothing of any other table. The worker then runs the job's flow in an ordinary tenant transaction.
"""

from __future__ import annotations

import re

from alembic import op
from sqlalchemy import Connection, text

from planning_core.settings import get_settings

DEFAULT_APP_ROLE = "planning_app"
TENANCY_TABLES = ("client_accounts", "engagements", "users", "memberships")
TENANT_POLICY = "tenant_isolation"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

_CURRENT_ACCOUNT = "NULLIF(current_setting('app.client_account_id', true), '')::integer"
_CURRENT_ENGAGEMENT = "NULLIF(current_setting('app.engagement_id', true), '')::integer"
_CURRENT_USER = "NULLIF(current_setting('app.user_id', true), '')"
TENANT_CONDITION = f"client_account_id = {_CURRENT_ACCOUNT} AND engagement_id = {_CURRENT_ENGAGEMENT}"

# A user's memberships, as a sub-query the tenancy policies share.
_MY_MEMBERSHIPS = (
    f"SELECT m.client_account_id, m.engagement_id FROM memberships m WHERE m.user_id = {_CURRENT_USER}"
)

TENANCY_POLICIES: dict[str, list[tuple[str, str, str, str]]] = {
    # table: [(policy name, command, USING, WITH CHECK or "")]
    "client_accounts": [
        (
            "app_read_client_accounts",
            "SELECT",
            f"id = {_CURRENT_ACCOUNT} OR id IN (SELECT client_account_id FROM ({_MY_MEMBERSHIPS}) mine)",
            "",
        )
    ],
    "engagements": [
        (
            "app_read_engagements",
            "SELECT",
            f"(client_account_id = {_CURRENT_ACCOUNT} AND id = {_CURRENT_ENGAGEMENT}) OR EXISTS ("
            f"SELECT 1 FROM ({_MY_MEMBERSHIPS}) mine WHERE mine.client_account_id = engagements.client_account_id"
            " AND (mine.engagement_id IS NULL OR mine.engagement_id = engagements.id))",
            "",
        )
    ],
    "users": [
        ("app_read_own_user", "SELECT", f"id = {_CURRENT_USER}", ""),
        ("app_insert_own_user", "INSERT", "", f"id = {_CURRENT_USER}"),
        ("app_update_own_user", "UPDATE", f"id = {_CURRENT_USER}", f"id = {_CURRENT_USER}"),
    ],
    "memberships": [("app_read_own_memberships", "SELECT", f"user_id = {_CURRENT_USER}", "")],
}
# What the app role may do on each tenancy table (everything else is the owner's).
TENANCY_GRANTS = {
    "client_accounts": "SELECT",
    "engagements": "SELECT",
    "users": "SELECT, INSERT, UPDATE",
    "memberships": "SELECT",
}


def app_role() -> str:
    """The application's database role: PLANNING_APP_DB_ROLE, else planning_app (validated)."""
    role = (get_settings().app_db_role or DEFAULT_APP_ROLE).strip()
    if not _IDENTIFIER.match(role):
        raise ValueError(
            f"PLANNING_APP_DB_ROLE {role!r} is not a plain lower-case identifier (letters, digits, _)."
        )
    return role


def _connection() -> Connection:
    return op.get_bind()


def _is_postgres(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def _table_name(table: str) -> str:
    if not _IDENTIFIER.match(table):
        raise ValueError(f"{table!r} is not a plain table name")
    return table


def create_app_role(role: str | None = None) -> None:
    """Create the LOGIN app role if absent (no password: operators set one) and let it use the schema."""
    connection = _connection()
    if not _is_postgres(connection):
        return
    role = role or app_role()
    # Roles are cluster-wide: several databases (tests run in parallel) may race to create it.
    connection.execute(
        text(
            "DO $$ BEGIN "
            f"IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
            f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS; END IF; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
    )
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"))


def tenant_tables(connection: Connection | None = None) -> list[str]:
    """Every table of the public schema with client_account_id and engagement_id (tenancy excluded)."""
    connection = connection or _connection()
    if not _is_postgres(connection):
        return []
    rows = connection.execute(
        text(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND column_name IN ('client_account_id', 'engagement_id') "
            "GROUP BY table_name HAVING count(DISTINCT column_name) = 2 ORDER BY table_name"
        )
    )
    return [name for (name,) in rows if name not in TENANCY_TABLES]


def enable_tenant_rls(table: str, role: str | None = None) -> None:
    """Grant the app role DML on a tenant table, ENABLE + FORCE RLS and add the tenant policy."""
    connection = _connection()
    if not _is_postgres(connection):
        return
    table, role = _table_name(table), role or app_role()
    connection.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {role}"))
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    connection.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
    connection.execute(text(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY"))
    connection.execute(text(f"DROP POLICY IF EXISTS {TENANT_POLICY} ON {table}"))
    # TO PUBLIC: with FORCE, a non-superuser owner running the app is held to the tenant as well.
    connection.execute(
        text(
            f"CREATE POLICY {TENANT_POLICY} ON {table} AS PERMISSIVE FOR ALL TO PUBLIC "
            f"USING ({TENANT_CONDITION}) WITH CHECK ({TENANT_CONDITION})"
        )
    )


def disable_tenant_rls(table: str, role: str | None = None) -> None:
    """Undo enable_tenant_rls (for downgrades)."""
    connection = _connection()
    if not _is_postgres(connection):
        return
    table, role = _table_name(table), role or app_role()
    connection.execute(text(f"DROP POLICY IF EXISTS {TENANT_POLICY} ON {table}"))
    connection.execute(text(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY"))
    connection.execute(text(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"))
    connection.execute(text(f"REVOKE ALL ON {table} FROM {role}"))


JOB_WORKER_POLICIES = ("job_worker_read", "job_worker_update")
BROAD_JOB_WORKER_POLICY = "job_worker"  # created by 0002_jobs_and_memory
_JOB_WORKER = "current_setting('app.job_worker', true) = 'on'"


def enable_job_worker_access(table: str = "planning_jobs") -> None:
    """Let queue transactions (app.job_worker = 'on') read and update a job table across tenants."""
    connection = _connection()
    if not _is_postgres(connection):
        return
    table = _table_name(table)
    read, write = JOB_WORKER_POLICIES
    # 0002 created a FOR ALL worker policy; the queue only reads and updates, so narrow it to that
    connection.execute(text(f"DROP POLICY IF EXISTS {BROAD_JOB_WORKER_POLICY} ON {table}"))
    connection.execute(text(f"DROP POLICY IF EXISTS {read} ON {table}"))
    connection.execute(text(f"DROP POLICY IF EXISTS {write} ON {table}"))
    connection.execute(text(f"CREATE POLICY {read} ON {table} FOR SELECT TO PUBLIC USING ({_JOB_WORKER})"))
    connection.execute(
        text(
            f"CREATE POLICY {write} ON {table} FOR UPDATE TO PUBLIC "
            f"USING ({_JOB_WORKER}) WITH CHECK ({_JOB_WORKER})"
        )
    )


def disable_job_worker_access(table: str = "planning_jobs") -> None:
    """Undo enable_job_worker_access."""
    connection = _connection()
    if not _is_postgres(connection):
        return
    table = _table_name(table)
    for name in JOB_WORKER_POLICIES:
        connection.execute(text(f"DROP POLICY IF EXISTS {name} ON {table}"))
    connection.execute(  # back to 0002's policy
        text(
            f"CREATE POLICY {BROAD_JOB_WORKER_POLICY} ON {table} AS PERMISSIVE FOR ALL TO PUBLIC "
            f"USING ({_JOB_WORKER}) WITH CHECK ({_JOB_WORKER})"
        )
    )


def enable_tenancy_rls(role: str | None = None) -> None:
    """The app role's limited view of the tenancy tables (ENABLE, not FORCE: the owner administers)."""
    connection = _connection()
    if not _is_postgres(connection):
        return
    role = role or app_role()
    for table in TENANCY_TABLES:
        connection.execute(text(f"GRANT {TENANCY_GRANTS[table]} ON {table} TO {role}"))
        connection.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
        for name, command, using, check in TENANCY_POLICIES[table]:
            connection.execute(text(f"DROP POLICY IF EXISTS {name} ON {table}"))
            clauses = (f" USING ({using})" if using else "") + (f" WITH CHECK ({check})" if check else "")
            connection.execute(text(f"CREATE POLICY {name} ON {table} FOR {command} TO {role}{clauses}"))


def disable_tenancy_rls(role: str | None = None) -> None:
    """Undo enable_tenancy_rls (for downgrades)."""
    connection = _connection()
    if not _is_postgres(connection):
        return
    role = role or app_role()
    for table in TENANCY_TABLES:
        for name, *_ in TENANCY_POLICIES[table]:
            connection.execute(text(f"DROP POLICY IF EXISTS {name} ON {table}"))
        connection.execute(text(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"))
        connection.execute(text(f"REVOKE ALL ON {table} FROM {role}"))
