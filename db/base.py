"""The tenant-scoped base every repository of a client account and engagement stands on."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, and_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from planning_core.domain import TenantContext
from planning_core.errors import InvalidInput

IN_LIST_LIMIT = 500  # above this many ids, filter in Python instead of a long IN (...) list


class TenantScoped:
    """A repository over the rows of one client account and engagement, in the caller's transaction."""

    def __init__(self, session: Session, tenant: TenantContext) -> None:
        self.session = session
        self.tenant = tenant

    def _scoped(self, model: Any) -> Any:
        """The SQL condition restricting a tenant table to this client account and engagement."""
        return and_(
            model.client_account_id == self.tenant.client_account_id,
            model.engagement_id == self.tenant.engagement_id,
        )

    def _insert(self, table: Any) -> Any:
        """A dialect-specific INSERT that supports ON CONFLICT (Postgres and SQLite)."""
        dialect = self.session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def rowcount(result: Any) -> int:
    """Rows matched by an UPDATE/DELETE."""
    return cast(CursorResult[Any], result).rowcount


def clean_name(value: str, what: str) -> str:
    """A stripped, non-blank name of at most 200 characters (InvalidInput otherwise)."""
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"The {what} must not be blank.")
    if len(value) > 200:
        raise InvalidInput(f"The {what} is too long ({len(value)} characters; at most 200).")
    return value
