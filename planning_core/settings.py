"""Settings in one object: every environment variable the product reads, read once.

This module is the only one in planning_core, db, migrations, ui, pages and app.py that touches
``os.environ`` (tests/test_architecture.py checks it): the Settings fields below read it, and
`crewai_telemetry_off()` sets CrewAI's telemetry switches for the duration of a crew run.

Environment variables (all optional):

- ``DATABASE_URL``: the database (else ``.streamlit/secrets.toml``'s DATABASE_URL, else SQLite in the
  data directory).
- ``PLANNING_DATA_DIR``: the data directory (default ``./data``).
- ``PLANNING_APP_DB_ROLE`` / ``PLANNING_APP_DB_PASSWORD``: on Postgres the app logs in as this role
  (row-level security applies to it); migrations grant it its rights (default role ``planning_app``).
- ``PLANNING_MIGRATION_DATABASE_URL``: the owner's URL for migrations and administration (default:
  the database URL itself).
- ``PLANNING_DEMO_APPS``: applications of the demo portfolio the dashboard creates on an empty
  database (default 300; 0: none; a value that is not a whole number means the default).
- ``PLANNING_DEMO_PLAN``: ``0`` leaves the demo workspace without its demo plan (by default the
  dashboard computes one plan of every demo application at first start, in the background).
- ``PLANNING_FLOW_PURE_PYTHON``: ``1`` runs the wave planner's search kernel as plain Python instead of
  the numba-compiled one (same answers, slower).
- ``PLANNING_RUN_HEARTBEAT_S``: how often a running plan (a CLI run or a background worker) records
  that it is alive (default 5 s); ``PLANNING_RUN_STALE_AFTER_S``: a plan whose running phase has no
  heartbeat for this long is shown as interrupted and may be resumed (default 30 s).
- ``PLANNING_LOG_FILE``: where the full details of a fault go (default ``planning-flow.log`` in the
  data directory); the command line and the dashboard show one line.
- ``PLANNING_LLM_MODEL``, ``PLANNING_LLM_BASE_URL``, ``PLANNING_LLM_API_KEY``,
  ``PLANNING_LLM_TIMEOUT_S``, ``PLANNING_LLM_MAX_RETRIES``: the LLM advisers (off without a model).
"""

from __future__ import annotations

import os
import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from planning_core.errors import InvalidInput

SECRETS_FILE = Path(".streamlit") / "secrets.toml"
_POSTGRES_PREFIXES = ("postgresql+psycopg://", "postgresql://", "postgres://")
DEFAULT_DEMO_APPS = 300
# CrewAI's telemetry, tracing and tracking switches: all off while a crew runs (no data leaves the machine).
CREWAI_TELEMETRY_OFF = {
    "CREWAI_DISABLE_TELEMETRY": "true",
    "OTEL_SDK_DISABLED": "true",
    "CREWAI_TRACING_ENABLED": "false",
    "CREWAI_DISABLE_TRACKING": "true",
}


def normalise_database_url(url: str) -> str:
    """Return the URL with postgres:// and postgresql:// rewritten to the psycopg 3 driver."""
    url = url.strip()
    if not url:
        raise InvalidInput(
            "The database URL is empty; leave DATABASE_URL unset to use the embedded database."
        )
    for prefix in _POSTGRES_PREFIXES[1:]:
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith(_POSTGRES_PREFIXES[0]) or url.startswith("sqlite"):
        return url
    scheme = url.split("://", 1)[0] if "://" in url else url[:20]
    raise InvalidInput(
        f"Unsupported database URL scheme {scheme!r}: use postgresql://... for Postgres or sqlite:///path.db."
    )


def _secrets_database_url(path: Path) -> str | None:
    """The top-level DATABASE_URL of a Streamlit secrets file, if the file exists and has one."""
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"Cannot read {path}: {exc}") from exc
    value = data.get("DATABASE_URL")
    return value if isinstance(value, str) and value.strip() else None


class _SecretsTomlSource(PydanticBaseSettingsSource):
    """Lowest-priority source: DATABASE_URL from .streamlit/secrets.toml in the current directory."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        url = _secrets_database_url(Path.cwd() / SECRETS_FILE)
        return {"DATABASE_URL": url} if url else {}


class Settings(BaseSettings):
    """Environment settings; DATABASE_URL falls back to .streamlit/secrets.toml, then to embedded SQLite."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url_setting: str | None = Field(default=None, validation_alias="DATABASE_URL")
    data_dir: Path = Field(default=Path("./data"), validation_alias="PLANNING_DATA_DIR")
    llm_model: str | None = Field(default=None, validation_alias="PLANNING_LLM_MODEL")
    llm_base_url: str | None = Field(default=None, validation_alias="PLANNING_LLM_BASE_URL")
    llm_api_key: SecretStr | None = Field(default=None, validation_alias="PLANNING_LLM_API_KEY")
    llm_timeout_s: float = Field(default=60.0, gt=0, validation_alias="PLANNING_LLM_TIMEOUT_S")
    llm_max_retries: int = Field(default=2, ge=0, validation_alias="PLANNING_LLM_MAX_RETRIES")
    app_db_role: str | None = Field(default=None, validation_alias="PLANNING_APP_DB_ROLE")
    app_db_password: SecretStr | None = Field(default=None, validation_alias="PLANNING_APP_DB_PASSWORD")
    migration_database_url: SecretStr | None = Field(
        default=None, validation_alias="PLANNING_MIGRATION_DATABASE_URL"
    )
    demo_apps: int = Field(default=DEFAULT_DEMO_APPS, validation_alias="PLANNING_DEMO_APPS")
    demo_plan: bool = Field(default=True, validation_alias="PLANNING_DEMO_PLAN")
    pure_python_kernels: bool = Field(default=False, validation_alias="PLANNING_FLOW_PURE_PYTHON")
    run_heartbeat_s: float = Field(default=5.0, gt=0, validation_alias="PLANNING_RUN_HEARTBEAT_S")
    run_stale_after_s: float = Field(default=30.0, gt=0, validation_alias="PLANNING_RUN_STALE_AFTER_S")
    log_file_setting: Path | None = Field(default=None, validation_alias="PLANNING_LOG_FILE")

    @field_validator(
        "app_db_role", "app_db_password", "migration_database_url", "log_file_setting", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        """An empty variable counts as unset."""
        return None if value == "" else value

    @field_validator("demo_apps", mode="before")
    @classmethod
    def _lenient_demo_apps(cls, value: Any) -> int:
        """A whole number, at least 0; anything else means the default."""
        try:
            return max(0, int(value))
        except (TypeError, ValueError):
            return DEFAULT_DEMO_APPS

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _SecretsTomlSource(settings_cls))

    @property
    def llm_configured(self) -> bool:
        """True when a model name is set (an LLM advisor can run)."""
        return bool(self.llm_model)

    def log_file(self) -> Path:
        """Where fault details are logged: PLANNING_LOG_FILE, else planning-flow.log in the data directory."""
        return self.log_file_setting or self.data_dir / "planning-flow.log"

    def database_url(self) -> str:
        """The configured database URL (normalised), else an SQLite file in the data directory."""
        if self.database_url_setting:
            return normalise_database_url(self.database_url_setting)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / 'planning.db').as_posix()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once (clear with `clear_settings_cache()`)."""
    return Settings()


def clear_settings_cache() -> None:
    """Forget the cached settings so the next `get_settings()` reads the environment again."""
    get_settings.cache_clear()


_telemetry_lock = threading.Lock()
_telemetry_depth = 0
_telemetry_saved: dict[str, str | None] = {}


@contextmanager
def crewai_telemetry_off() -> Iterator[None]:
    """CrewAI's telemetry and tracing switched off (CREWAI_TELEMETRY_OFF) for the block, then restored.

    Re-entrant and thread-safe: concurrent crew runs share one scope; the first to enter sets the
    variables, the last to leave puts back what the process had before. Import crewai inside the
    block: it reads the switches when it starts its telemetry.
    """
    global _telemetry_depth
    with _telemetry_lock:
        if _telemetry_depth == 0:
            _telemetry_saved.clear()
            for name, value in CREWAI_TELEMETRY_OFF.items():
                _telemetry_saved[name] = os.environ.get(name)
                os.environ[name] = value
        _telemetry_depth += 1
    try:
        yield
    finally:
        with _telemetry_lock:
            _telemetry_depth -= 1
            if _telemetry_depth == 0:
                for name, saved in _telemetry_saved.items():
                    if saved is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = saved
                _telemetry_saved.clear()
