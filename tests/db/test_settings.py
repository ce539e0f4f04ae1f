"""Settings: DATABASE_URL from the environment, then .streamlit/secrets.toml, then embedded SQLite."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from planning_core.errors import InvalidInput
from planning_core.settings import (
    CREWAI_TELEMETRY_OFF,
    Settings,
    clear_settings_cache,
    crewai_telemetry_off,
    get_settings,
    normalise_database_url,
)

ENV_KEYS = (
    "DATABASE_URL",
    "PLANNING_DATA_DIR",
    "PLANNING_LLM_MODEL",
    "PLANNING_LLM_BASE_URL",
    "PLANNING_LLM_API_KEY",
    "PLANNING_LLM_TIMEOUT_S",
    "PLANNING_LLM_MAX_RETRIES",
    "PLANNING_APP_DB_ROLE",
    "PLANNING_APP_DB_PASSWORD",
    "PLANNING_MIGRATION_DATABASE_URL",
    "PLANNING_DEMO_APPS",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No settings in the environment; the current directory is an empty temporary one."""
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    clear_settings_cache()
    yield tmp_path
    clear_settings_cache()


def write_secrets(directory: Path, content: str) -> None:
    (directory / ".streamlit").mkdir()
    (directory / ".streamlit" / "secrets.toml").write_text(content, encoding="utf-8")


def test_default_is_sqlite_in_data_dir(clean_env: Path) -> None:
    settings = Settings()
    assert settings.database_url() == "sqlite:///data/planning.db"
    assert (clean_env / "data").is_dir()
    assert (settings.llm_model, settings.llm_api_key, settings.llm_timeout_s, settings.llm_max_retries) == (
        None,
        None,
        60.0,
        2,
    )


def test_data_dir_from_environment(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNING_DATA_DIR", str(clean_env / "store"))
    assert Settings().database_url() == f"sqlite:///{(clean_env / 'store').as_posix()}/planning.db"
    assert (clean_env / "store").is_dir()


def test_environment_url_is_normalised(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/plans")
    assert Settings().database_url() == "postgresql+psycopg://u:p@db:5432/plans"
    assert not (clean_env / "data").exists()


def test_secrets_file_used_when_environment_has_no_url(clean_env: Path) -> None:
    write_secrets(clean_env, 'DATABASE_URL = "postgresql://app@pg/plans"\n[other]\nx = 1\n')
    assert Settings().database_url() == "postgresql+psycopg://app@pg/plans"


def test_environment_wins_over_secrets_file(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_secrets(clean_env, 'DATABASE_URL = "postgresql://app@pg/plans"\n')
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/x.db")
    assert Settings().database_url() == "sqlite:////tmp/x.db"


def test_secrets_file_without_url_falls_back_to_sqlite(clean_env: Path) -> None:
    write_secrets(clean_env, '[auth]\nclient_id = "abc"\n')
    assert Settings().database_url() == "sqlite:///data/planning.db"


def test_broken_secrets_file_is_a_clear_error(clean_env: Path) -> None:
    write_secrets(clean_env, "DATABASE_URL = \n")
    with pytest.raises(InvalidInput, match=r"Cannot read .*secrets\.toml"):
        Settings()


def test_llm_settings_from_environment(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNING_LLM_MODEL", "ollama/llama3")
    monkeypatch.setenv("PLANNING_LLM_BASE_URL", "http://localhost:11434")
    monkeypatch.setenv("PLANNING_LLM_API_KEY", "sk-secret")
    monkeypatch.setenv("PLANNING_LLM_TIMEOUT_S", "12.5")
    monkeypatch.setenv("PLANNING_LLM_MAX_RETRIES", "0")
    settings = Settings()
    assert (settings.llm_model, settings.llm_base_url, settings.llm_timeout_s, settings.llm_max_retries) == (
        "ollama/llama3",
        "http://localhost:11434",
        12.5,
        0,
    )
    assert settings.llm_api_key is not None and settings.llm_api_key.get_secret_value() == "sk-secret"
    assert "sk-secret" not in repr(settings)


def test_get_settings_is_cached_until_cleared(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = get_settings()
    monkeypatch.setenv("DATABASE_URL", "postgresql://a@b/c")
    assert get_settings() is first
    clear_settings_cache()
    assert get_settings().database_url() == "postgresql+psycopg://a@b/c"


def test_database_roles_from_environment(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert (Settings().app_db_role, Settings().app_db_password, Settings().migration_database_url) == (
        None,
        None,
        None,
    )
    monkeypatch.setenv("PLANNING_APP_DB_ROLE", "planning_app")
    monkeypatch.setenv("PLANNING_APP_DB_PASSWORD", "pw-secret")
    monkeypatch.setenv("PLANNING_MIGRATION_DATABASE_URL", "postgresql://admin:owner-secret@db/planning")
    settings = Settings()
    assert settings.app_db_role == "planning_app"
    assert settings.app_db_password is not None and settings.app_db_password.get_secret_value() == "pw-secret"
    assert settings.migration_database_url is not None
    assert settings.migration_database_url.get_secret_value() == "postgresql://admin:owner-secret@db/planning"
    assert "pw-secret" not in repr(settings) and "owner-secret" not in repr(settings)


def test_empty_database_role_variables_count_as_unset(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("PLANNING_APP_DB_ROLE", "PLANNING_APP_DB_PASSWORD", "PLANNING_MIGRATION_DATABASE_URL"):
        monkeypatch.setenv(key, "")
    settings = Settings()
    assert (settings.app_db_role, settings.app_db_password, settings.migration_database_url) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize(("given", "expected"), [(None, 300), ("12", 12), ("0", 0), ("-5", 0), ("many", 300)])
def test_demo_apps_from_environment(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, given: str | None, expected: int
) -> None:
    if given is not None:
        monkeypatch.setenv("PLANNING_DEMO_APPS", given)
    assert Settings().demo_apps == expected


def test_crewai_telemetry_is_off_only_inside_the_scope(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREWAI_TELEMETRY_OFF:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OTEL_SDK_DISABLED", "false")  # a value the process had before is put back
    with crewai_telemetry_off():
        with crewai_telemetry_off():  # nested runs share the scope
            assert {name: os.environ.get(name) for name in CREWAI_TELEMETRY_OFF} == CREWAI_TELEMETRY_OFF
        assert {name: os.environ.get(name) for name in CREWAI_TELEMETRY_OFF} == CREWAI_TELEMETRY_OFF
    assert {name: os.environ.get(name) for name in CREWAI_TELEMETRY_OFF} == {
        "CREWAI_DISABLE_TELEMETRY": None,
        "OTEL_SDK_DISABLED": "false",
        "CREWAI_TRACING_ENABLED": None,
        "CREWAI_DISABLE_TRACKING": None,
    }


def test_crewai_telemetry_scope_is_shared_by_concurrent_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREWAI_TELEMETRY_OFF:
        monkeypatch.delenv(name, raising=False)
    first_inside, second_inside, first_may_leave = threading.Event(), threading.Event(), threading.Event()
    seen: list[str | None] = []

    def first() -> None:
        with crewai_telemetry_off():
            first_inside.set()
            first_may_leave.wait(5)

    def second() -> None:
        first_inside.wait(5)
        with crewai_telemetry_off():
            second_inside.set()
            first_may_leave.set()
            runner.join(5)  # the first run has left: the switches stay off for this one
            seen.append(os.environ.get("CREWAI_DISABLE_TELEMETRY"))

    runner = threading.Thread(target=first)
    other = threading.Thread(target=second)
    runner.start()
    other.start()
    other.join(10)
    assert second_inside.is_set() and seen == ["true"]
    assert os.environ.get("CREWAI_DISABLE_TELEMETRY") is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u@h:5433/d?sslmode=require", "postgresql+psycopg://u@h:5433/d?sslmode=require"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        (" sqlite:///data/p.db ", "sqlite:///data/p.db"),
    ],
)
def test_normalise_accepted_urls(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("mysql://u@h/d", "Unsupported database URL scheme 'mysql'"),
        ("", "The database URL is empty"),
    ],
)
def test_normalise_refused_urls(given: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        normalise_database_url(given)
