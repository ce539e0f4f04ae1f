"""Shared fixtures: a migrated database on SQLite and on Postgres, and fresh tenants per test.

Postgres: TEST_DATABASE_URL if set, else the local server; each test session creates its own uniquely
named database and drops it at the end. An unreachable Postgres skips its tests, except with CI=true,
where it fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from db.session import Database
from planning_core.domain import TenantContext
from planning_core.settings import normalise_database_url

DEFAULT_TEST_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
APP_ROLE = "planning_app"  # created by migration 0003 (PLANNING_APP_DB_ROLE must be unset or equal)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


class PostgresServer:
    """Creates and drops uniquely named databases on the test Postgres server."""

    def __init__(self, url: str, admin: Engine) -> None:
        self.url = url
        self.admin = admin
        self.created: list[str] = []

    def create(self, prefix: str = "planning_test") -> str:
        """A new empty database; returns its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        """Drop a database made by create() (closing its connections)."""
        name = make_url(url).database
        if name not in self.created:
            raise ValueError(f"{name} was not created by this test session")
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.remove(name)


def open_postgres_server(url: str) -> PostgresServer:
    """Connect to the server at url; when unreachable, skip (or fail when CI=true)."""
    admin = create_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        admin.dispose()
        message = f"Postgres is not reachable at {admin.url.render_as_string()}: {exc.orig}".splitlines()[0]
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return PostgresServer(admin.url.render_as_string(hide_password=False), admin)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The test Postgres server: TEST_DATABASE_URL, else the local one; drops what it created."""
    server = open_postgres_server(os.environ.get("TEST_DATABASE_URL") or DEFAULT_TEST_DATABASE_URL)
    try:
        yield server
    finally:
        for name in list(server.created):
            with server.admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.admin.dispose()


@pytest.fixture(scope="session")
def postgres_opener() -> Callable[[str], PostgresServer]:
    """open_postgres_server itself, for tests of the skip/fail rule."""
    return open_postgres_server


def _sqlite_url(directory: Path) -> str:
    return f"sqlite:///{(directory / 'planning.db').as_posix()}"


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
    ids=["sqlite", "postgres"],
)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A migrated Database for the whole test session, on SQLite and on Postgres."""
    if request.param == "sqlite":
        url = _sqlite_url(tmp_path_factory.mktemp("sqlite"))
        server = None
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create()
    db = Database(url)
    try:
        db.upgrade()
        yield db
    finally:
        db.dispose()
        if server is not None:
            server.drop(url)


def make_tenant(
    database: Database, label: str = "client", *, user_id: str = "test-analyst", role: str | None = "analyst"
) -> TenantContext:
    """A brand-new client account and engagement, so each test sees only its own rows.

    The user gets `role` in the engagement (default analyst: may edit plans); role=None grants nothing.
    """
    suffix = uuid.uuid4().hex[:10]
    with database.tenancy() as tenancy:
        client_account_id = tenancy.ensure_client_account(f"{label}-{suffix}")
        engagement_id = tenancy.ensure_engagement(client_account_id, f"engagement-{suffix}")
        tenancy.ensure_user(user_id, user_id.replace("-", " ").title())
        if role is not None:
            tenancy.grant(user_id, client_account_id, engagement_id, role)
    return TenantContext(client_account_id=client_account_id, engagement_id=engagement_id, user_id=user_id)


@pytest.fixture(scope="session")
def app_role_database(postgres_server: PostgresServer) -> Iterator[Database]:
    """A migrated Postgres database whose app engine logs in as the app role (row-level security on).

    Migrations and `tenancy()` run as the owner (the server's superuser); units of work as planning_app.
    """
    url = postgres_server.create("planning_rls")
    db = Database(url, app_role=APP_ROLE)
    try:
        db.upgrade()
        yield db
    finally:
        db.dispose()
        postgres_server.drop(url)


@pytest.fixture
def tenant(database: Database) -> TenantContext:
    """A fresh tenant (client account + engagement) in the session database."""
    return make_tenant(database, "tenant-a")


@pytest.fixture
def other_tenant(database: Database) -> TenantContext:
    """A second fresh tenant, for isolation tests."""
    return make_tenant(database, "tenant-b")


@pytest.fixture(autouse=True, scope="session")
def _compiled_kernel() -> None:
    """Compile the wave planner's search kernel once (numba, cached on disk) before any timed planning,
    so that no test's solver time limit pays for the compilation."""
    from planning_core.engines.waves.fast import warm_up

    warm_up()
