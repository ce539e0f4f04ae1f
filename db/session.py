"""Database: the engine, Alembic upgrades and transactional units of work yielding repositories."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from db.repository import Repository, TenancyRepository
from planning_core.domain import TenantContext
from planning_core.errors import InvalidInput
from planning_core.settings import get_settings, normalise_database_url

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
_UPGRADE_LOCK_KEY = 72_410_001  # pg_advisory_xact_lock key: one upgrader at a time per database


def alembic_config() -> Config:
    """An Alembic Config built in code (no alembic.ini needed), pointing at the migrations folder."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _enable_sqlite_transactions(engine: Engine) -> None:
    """Foreign keys, WAL, a busy timeout, and real BEGIN/SAVEPOINT handling for pysqlite."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash loses no committed state
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE: take the write lock up front (transactions are short), so a read-then-write
        # transaction waits for a concurrent writer instead of failing with "database is locked".
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
            )
        _enable_sqlite_transactions(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise InvalidInput(f"Unsupported database {parsed.get_backend_name()!r}: use Postgres or SQLite.")


class Database:
    """One database (SQLite or Postgres): engine, migrations and transactional units of work."""

    def __init__(self, url: str) -> None:
        self.url = normalise_database_url(url)
        self.engine: Engine = _create_engine(self.url)
        self.dialect: str = self.engine.dialect.name
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)!r})"

    def upgrade(self) -> None:
        """Bring the schema to the latest migration (idempotent; safe with concurrent starters)."""
        self._migrate(lambda config: command.upgrade(config, "head"))

    def downgrade(self, revision: str = "base") -> None:
        """Take the schema back to a revision (default: empty)."""
        self._migrate(lambda config: command.downgrade(config, revision))

    def _migrate(self, run: Any) -> None:
        try:
            with self.engine.begin() as connection:
                if self.dialect == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK_KEY})
                config = alembic_config()
                config.attributes["connection"] = connection
                run(config)
        except OperationalError as exc:
            raise InvalidInput(f"Cannot reach the database {self!r}: {exc.orig}".splitlines()[0]) from exc

    @contextmanager
    def unit_of_work(self, tenant: TenantContext) -> Iterator[Repository]:
        """One transaction scoped to a tenant: commits on success, rolls back on any exception.

        NotFound if the client account and engagement do not exist together.
        """
        with self._sessions() as session, session.begin():
            TenancyRepository(session).names(tenant.client_account_id, tenant.engagement_id)
            self._set_tenant(session, tenant)
            yield Repository(session, tenant)

    @contextmanager
    def tenancy(self) -> Iterator[TenancyRepository]:
        """One transaction over client accounts, engagements, users and memberships."""
        with self._sessions() as session, session.begin():
            yield TenancyRepository(session)

    def _set_tenant(self, session: Session, tenant: TenantContext) -> None:
        """On Postgres, expose the tenant to row-level security policies for this transaction."""
        if self.dialect != "postgresql":
            return
        session.execute(
            text(
                "SELECT set_config('app.client_account_id', :ca, true), "
                "set_config('app.engagement_id', :eng, true)"
            ),
            {"ca": str(tenant.client_account_id), "eng": str(tenant.engagement_id)},
        )

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def connect(url: str | None = None, *, upgrade: bool = True) -> Database:
    """A Database for the URL (default: the settings' URL), upgraded to the latest schema."""
    database = Database(url if url is not None else get_settings().database_url())
    if upgrade:
        database.upgrade()
    return database
