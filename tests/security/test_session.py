"""Database: the app logs in as the app role on Postgres; migrations and administration as the owner."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from db.session import Database, database_from_environment
from planning_core.errors import InvalidInput
from planning_core.settings import clear_settings_cache

OWNER = "postgresql+psycopg://owner:secret@db.example.com:5432/planning"


def _urls(database: Database) -> tuple[str, str, str | None]:
    return (
        database.engine.url.render_as_string(hide_password=False),
        database.owner_engine.url.render_as_string(hide_password=False),
        database.app_role,
    )


def test_without_an_app_role_one_engine_serves_both() -> None:
    database = Database(OWNER)
    assert _urls(database) == (OWNER, OWNER, None)
    assert database.owner_engine is database.engine


def test_the_app_role_replaces_the_login_but_not_the_server() -> None:
    database = Database(OWNER, app_role="planning_app", app_password="app-pw")
    assert _urls(database) == (
        "postgresql+psycopg://planning_app:app-pw@db.example.com:5432/planning",
        OWNER,
        "planning_app",
    )


def test_a_separate_migration_url_is_the_owner() -> None:
    database = Database(
        "postgres://reader@db.example.com/planning",
        app_role="planning_app",
        owner_url="postgresql://admin:pw@db.example.com/planning",
    )
    assert _urls(database) == (
        "postgresql+psycopg://planning_app@db.example.com/planning",
        "postgresql+psycopg://admin:pw@db.example.com/planning",
        "planning_app",
    )


def test_sqlite_ignores_the_app_role(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    assert _urls(Database(url, app_role="planning_app")) == (url, url, None)


def test_an_unsafe_role_name_is_refused() -> None:
    with pytest.raises(InvalidInput) as error:
        Database(OWNER, app_role="app; DROP ROLE postgres")
    assert str(error.value) == (
        "PLANNING_APP_DB_ROLE 'app; DROP ROLE postgres' is not a plain lower-case name (letters, digits, _)."
    )


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """The settings are read once per process: forget them before and after the test."""
    clear_settings_cache()
    yield
    clear_settings_cache()


def test_the_environment_configures_the_roles(monkeypatch: pytest.MonkeyPatch, fresh_settings: None) -> None:
    monkeypatch.setenv("PLANNING_APP_DB_ROLE", "planning_app")
    monkeypatch.setenv("PLANNING_APP_DB_PASSWORD", "pw")
    monkeypatch.setenv("PLANNING_MIGRATION_DATABASE_URL", "postgresql://admin@db.example.com/planning")
    assert _urls(database_from_environment(OWNER)) == (
        "postgresql+psycopg://planning_app:pw@db.example.com:5432/planning",
        "postgresql+psycopg://admin@db.example.com/planning",
        "planning_app",
    )
