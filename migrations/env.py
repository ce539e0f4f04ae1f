"""Alembic environment: URL from a shared connection or the settings, metadata from db.models."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

import db.jobs_models  # noqa: F401  (registers the jobs and memory tables on Base.metadata)
from db.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("connection") is None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _own_objects(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """Autogenerate compares the product's schema only: procrastinate's tables (migration 0006) are
    created and upgraded by procrastinate's own schema, not described in db.models."""
    table = name if type_ == "table" else parent_names.get("table_name")
    return not (table or "").startswith("procrastinate_")


def _database_url() -> str:
    from planning_core.settings import get_settings

    return get_settings().database_url()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        transaction_per_migration=False,
        include_name=_own_objects,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL to stdout (`alembic upgrade head --sql`)."""
    url = _database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the connection the caller shares, else a fresh engine on the settings' URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from db.session import database_from_environment

    database = database_from_environment(_database_url())
    try:
        with database.owner_engine.begin() as fresh:
            _run(fresh)
    finally:
        database.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
