"""Settings in one object: the database URL, the data directory and the LLM settings, read once."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from planning_core.errors import InvalidInput

SECRETS_FILE = Path(".streamlit") / "secrets.toml"
_POSTGRES_PREFIXES = ("postgresql+psycopg://", "postgresql://", "postgres://")


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
