"""Database: the engine, Alembic upgrades and transactional units of work yielding repositories."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from db.jobs import JobQueue
from db.repository import Repository
from db.tenancy import TenancyRepository
from planning_core.domain import TenantContext
from planning_core.errors import InvalidInput, PlanningError
from planning_core.settings import get_settings, normalise_database_url

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
APP_ROLE_PATTERN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_UPGRADE_LOCK_KEY = 72_410_001  # pg_advisory_xact_lock key: one upgrader at a time per database
T = TypeVar("T")


class DatabaseUnavailable(PlanningError):
    """The database could not do its part: the connection was lost, the server is unreachable, or its
    disk is full. The message names the problem in one line, never the SQL, its parameters or any data;
    the original error (with every detail) is the exception's __cause__, for the log file.
    """


def fault_message(error: BaseException) -> str:
    """One line naming a database fault (no SQL, parameters or data)."""
    orig = getattr(error, "orig", None)
    text_of = str(orig if orig is not None else error).lower()
    code = str(getattr(orig, "sqlstate", "") or getattr(orig, "pgcode", "") or "")
    if code == "53100" or "disk is full" in text_of or "no space left" in text_of:
        what = "the database's disk is full"
    elif code.startswith("53"):
        what = "the database server is out of resources (too many connections or no memory)"
    elif (
        code in ("57P01", "57P02", "57P03")
        or getattr(error, "connection_invalidated", False)
        or any(
            marker in text_of
            for marker in (
                "terminating connection",
                "server closed the connection",
                "connection is closed",
                "consuming input failed",
                "connection is lost",
                "ssl connection has been closed",
            )
        )
    ):
        what = "the connection to the database was lost"
    elif "connect" in text_of:
        what = "cannot reach the database"
    else:
        what = "the database failed"
    return what


def is_database_fault(error: BaseException) -> bool:
    """A lost or refused connection, or a server-side failure that is not the data's fault."""
    return isinstance(error, OperationalError | InterfaceError) or (
        isinstance(error, DBAPIError) and bool(error.connection_invalidated)
    )


def retry_once(read: Callable[[], T]) -> T:
    """Run a read-only operation; when the database fails, run it once more (a read is safe to repeat).

    Writes are not retried this way: their transaction may have committed before the fault was seen.
    """
    try:
        return read()
    except DatabaseUnavailable:
        return read()


@contextmanager
def _faults() -> Iterator[None]:
    """A database fault becomes DatabaseUnavailable (one line; the details stay on __cause__)."""
    try:
        yield
    except DatabaseUnavailable:
        raise
    except DBAPIError as exc:
        if not is_database_fault(exc):
            raise
        raise DatabaseUnavailable(fault_message(exc)) from exc


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
    """One database (SQLite or Postgres): engine, migrations and transactional units of work.

    On Postgres with an app role, two connections are kept apart: the app engine (``engine``) logs in
    as the role that does not own the tables, so row-level security holds even if a query forgets its
    tenant; the owner engine (``owner_engine``) runs migrations and the administration path
    (``tenancy()``: client accounts, engagements, memberships). Without an app role both are one engine.
    """

    def __init__(
        self,
        url: str,
        *,
        app_role: str | None = None,
        app_password: str | None = None,
        owner_url: str | None = None,
    ) -> None:
        self.owner_url = normalise_database_url(owner_url or url)
        self.url = _app_url(normalise_database_url(url), app_role, app_password)
        self.engine: Engine = _create_engine(self.url)
        self.dialect: str = self.engine.dialect.name
        self.owner_engine: Engine = (
            self.engine if self.owner_url == self.url else _create_engine(self.owner_url)
        )
        self.app_role: str | None = self.engine.url.username if self.owner_url != self.url else None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._owner_sessions = sessionmaker(self.owner_engine, expire_on_commit=False)

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
            with self.owner_engine.begin() as connection:
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

        NotFound if the client account and engagement do not exist together; DatabaseUnavailable when
        the database fails (a connection lost before the transaction's first statement is retried once).
        """

        def setup(session: Session) -> None:
            self._set_context(session, tenant.client_account_id, tenant.engagement_id, tenant.user_id)
            TenancyRepository(session).names(tenant.client_account_id, tenant.engagement_id)

        with self._transaction(self._sessions, setup) as session:
            yield Repository(session, tenant)

    @contextmanager
    def tenancy(self, *, user_id: str | None = None) -> Iterator[TenancyRepository]:
        """One transaction over client accounts, engagements, users and memberships.

        Without user_id: the administration path, as the owner (onboarding, granting roles).
        With user_id: as the app role, which on Postgres sees only that user's memberships and the
        client accounts and engagements they grant, and may create or update only that user.
        """
        sessions = self._owner_sessions if user_id is None else self._sessions

        def setup(session: Session) -> None:
            if user_id is not None:
                self._set_context(session, None, None, user_id)

        with self._transaction(sessions, setup) as session:
            yield TenancyRepository(session)

    @contextmanager
    def job_queue(self) -> Iterator[JobQueue]:
        """One worker transaction over every tenant's jobs (app.job_worker lets RLS show them on Postgres)."""

        def setup(session: Session) -> None:
            if self.dialect == "postgresql":
                session.execute(text("SELECT set_config('app.job_worker', 'on', true)"))

        with self._transaction(self._sessions, setup) as session:
            yield JobQueue(session)

    @contextmanager
    def _transaction(
        self, sessions: sessionmaker[Session], setup: Callable[[Session], None]
    ) -> Iterator[Session]:
        """A session in a transaction whose first statements (`setup`) ran; a database fault at any
        point is DatabaseUnavailable. A fault during setup, before any of the caller's statements, is
        retried once on a fresh connection: nothing was done, so doing it again is safe."""
        with _faults():
            for attempt in (1, 2):
                session = sessions()
                transaction = session.begin()
                try:
                    session.connection()  # check out a connection and BEGIN (SQLite: the write lock)
                    setup(session)
                    break
                except BaseException as exc:
                    transaction.rollback()
                    session.close()
                    if attempt == 2 or not is_database_fault(exc):
                        raise
            with session, _refused_values(), transaction:
                yield session

    def _set_context(
        self, session: Session, client_account_id: int | None, engagement_id: int | None, user_id: str
    ) -> None:
        """On Postgres, expose tenant and user to row-level security policies for this transaction."""
        if self.dialect != "postgresql":
            return
        session.execute(
            text(
                "SELECT set_config('app.client_account_id', :ca, true), "
                "set_config('app.engagement_id', :eng, true), set_config('app.user_id', :user, true)"
            ),
            {
                "ca": "" if client_account_id is None else str(client_account_id),
                "eng": "" if engagement_id is None else str(engagement_id),
                "user": user_id,
            },
        )

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self.owner_engine is not self.engine:
            self.owner_engine.dispose()


@contextmanager
def _refused_values() -> Iterator[None]:
    """A value the database cannot store (NUL in text, a number out of range) becomes InvalidInput.

    Outside the transaction block, so a refusal at commit is translated too (after the rollback).
    """
    try:
        yield
    except (DataError, OverflowError) as exc:
        detail = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
        raise InvalidInput(
            "A value cannot be stored (text with a NUL character, or a number out of range: "
            f"{detail}); nothing was saved."
        ) from exc


def _app_url(url: str, app_role: str | None, app_password: str | None) -> str:
    """The URL the app logs in with: on Postgres with an app role, the same server as that user."""
    parsed = make_url(url)
    if not app_role or parsed.get_backend_name() != "postgresql":
        return url
    if not APP_ROLE_PATTERN.match(app_role):
        raise InvalidInput(
            f"PLANNING_APP_DB_ROLE {app_role!r} is not a plain lower-case name (letters, digits, _)."
        )
    return parsed.set(username=app_role, password=app_password or None).render_as_string(hide_password=False)


def database_from_environment(url: str | None = None) -> Database:
    """A Database for DATABASE_URL (or url), with the app role and owner URL from the settings.

    PLANNING_APP_DB_ROLE (and PLANNING_APP_DB_PASSWORD): the app logs in as that role on Postgres.
    PLANNING_MIGRATION_DATABASE_URL: the owner's URL for migrations and administration (default:
    DATABASE_URL itself).
    """
    settings = get_settings()
    password, owner_url = settings.app_db_password, settings.migration_database_url
    return Database(
        url if url is not None else settings.database_url(),
        app_role=settings.app_db_role,
        app_password=password.get_secret_value() if password else None,
        owner_url=owner_url.get_secret_value() if owner_url else None,
    )


def connect(url: str | None = None, *, upgrade: bool = True) -> Database:
    """A Database for the URL (default: the settings' URL), upgraded to the latest schema."""
    database = database_from_environment(url)
    if upgrade:
        database.upgrade()
    return database
