"""Alembic migrations: upgrade, downgrade and upgrade again on fresh SQLite and Postgres databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

import db.jobs_models  # noqa: F401  (its tables are part of the schema)
from db.models import Base
from db.session import Database, alembic_config, connect
from planning_core.errors import InvalidInput

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()

ALL_TABLES = {
    "alembic_version",
    "application_dependencies",
    "applications",
    "client_accounts",
    "engagement_learnings",
    "engagements",
    "memberships",
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
    "users",
}

# procrastinate's own tables (the background queue on Postgres: migration 0006); not on SQLite.
TASK_QUEUE_TABLES = {
    "procrastinate_events",
    "procrastinate_jobs",
    "procrastinate_periodic_defers",
    "procrastinate_workers",
}


def expected_tables(database: Database) -> set[str]:
    return ALL_TABLES | (TASK_QUEUE_TABLES if database.dialect == "postgresql" else set())


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], ids=["sqlite", "postgres"]
)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A brand-new, empty database (not migrated)."""
    server = None
    if request.param == "sqlite":
        url = f"sqlite:///{(tmp_path / 'fresh.db').as_posix()}"
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create("planning_migration")
    database = Database(url)
    try:
        yield database
    finally:
        database.dispose()
        if server is not None:
            server.drop(url)


def tables(database: Database) -> set[str]:
    """Names of the tables that exist in the database."""
    return set(inspect(database.engine).get_table_names())


def schema_differences(database: Database) -> list[object]:
    """What autogenerate would still change: empty when the migrations build exactly db.models."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": own_objects})
        return compare_metadata(context, Base.metadata)


def own_objects(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """The product's schema objects: procrastinate's tables (and their indexes) are its own business."""
    table = name if type_ == "table" else parent_names.get("table_name")
    return not (table or "").startswith("procrastinate_")


def head_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_upgrade_downgrade_upgrade(
    empty_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert tables(empty_database) == set()

    empty_database.upgrade()
    assert tables(empty_database) == expected_tables(empty_database)
    assert head_revision(empty_database) == HEAD
    assert schema_differences(empty_database) == []

    empty_database.upgrade()  # idempotent: the app and the CLI upgrade on every start
    assert head_revision(empty_database) == HEAD

    empty_database.downgrade("base")
    assert tables(empty_database) == {"alembic_version"}
    assert head_revision(empty_database) is None

    monkeypatch.chdir(tmp_path)  # the migrations are found from any working directory
    connect(empty_database.url).dispose()
    assert tables(empty_database) == expected_tables(empty_database)
    assert head_revision(empty_database) == HEAD
    assert schema_differences(empty_database) == []


def test_migrated_schema_is_the_session_fixture_schema(database: Database) -> None:
    assert tables(database) == expected_tables(database)
    assert schema_differences(database) == []


def test_postgres_documents_are_jsonb(database: Database) -> None:
    columns = {c["name"]: c["type"] for c in inspect(database.engine).get_columns("planning_flows")}
    expected = "JSONB" if database.dialect == "postgresql" else "JSON"
    assert type(columns["wave_plan_data"]).__name__ == expected
    assert type(columns["planning_config"]).__name__ == expected


def test_sqlite_foreign_keys_are_enforced(tmp_path: Path) -> None:
    database = connect(f"sqlite:///{(tmp_path / 'fk.db').as_posix()}")
    try:
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 30_000
    finally:
        database.dispose()


def test_unreachable_postgres_is_a_clear_error() -> None:
    database = Database("postgresql://planner:secret@127.0.0.1:1/plans")
    try:
        with pytest.raises(InvalidInput) as refused:
            database.upgrade()
    finally:
        database.dispose()
    message = str(refused.value)
    assert message.startswith(
        "Cannot reach the database Database('postgresql+psycopg://planner:***@127.0.0.1:1/plans'): "
    )
    assert "secret" not in message and "\n" not in message


def test_unsupported_url_is_refused() -> None:
    with pytest.raises(InvalidInput, match="^Unsupported database URL scheme 'oracle'"):
        Database("oracle://scott@db/orcl")
