"""Opening the database and the tenant workspace: the entry point for the app and the command line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from db.session import Database, connect
from planning_core.domain import TenantContext
from planning_core.service.flow import PlanningService

DEMO_CLIENT = "Demo client"
DEMO_ENGAGEMENT = "Demo engagement"
LOCAL_USER = "local-analyst"


def open_database(url: str | None = None) -> Database:
    """Connect (DATABASE_URL, secrets.toml, or the embedded SQLite file) and upgrade the schema."""
    return connect(url, upgrade=True)


def workspace(
    database: Database,
    *,
    client_account: str = DEMO_CLIENT,
    engagement: str = DEMO_ENGAGEMENT,
    user_id: str = LOCAL_USER,
    role: str = "admin",
) -> TenantContext:
    """The tenant for a client account and engagement by name, created (with a membership) if new."""
    with database.tenancy() as tenancy:
        client_id = tenancy.ensure_client_account(client_account)
        engagement_id = tenancy.ensure_engagement(client_id, engagement)
        tenancy.ensure_user(user_id)
        if tenancy.role_of(user_id, client_id, engagement_id) is None:
            tenancy.grant(user_id, client_id, engagement_id, role)
    return TenantContext(client_account_id=client_id, engagement_id=engagement_id, user_id=user_id)


def ensure_demo_portfolio(
    database: Database, tenant: TenantContext, *, apps: int = 300, seed: int = 7
) -> int:
    """Load the deterministic demo portfolio into an empty engagement; returns the application count."""
    from planning_core.demo import generate_portfolio

    service = PlanningService(database, tenant)
    with database.unit_of_work(tenant) as repo:
        count = repo.portfolio.count_applications()
    if count == 0:
        service.import_portfolio(generate_portfolio(apps=apps, seed=seed))
        with database.unit_of_work(tenant) as repo:
            count = repo.portfolio.count_applications()
    return count


@dataclass(frozen=True)
class Choice:
    """An id with a display name, for a selector."""

    id: int
    name: str


def _choice(item: Any) -> Choice:
    """A repository row (object, mapping or (id, name) pair) as a Choice."""
    if isinstance(item, Choice):
        return item
    if isinstance(item, dict):
        return Choice(id=int(item["id"]), name=str(item.get("name", item["id"])))
    if isinstance(item, tuple | list):
        return Choice(id=int(item[0]), name=str(item[1]))
    return Choice(id=int(item.id), name=str(getattr(item, "name", item.id)))


def list_client_accounts(database: Database, *, user_id: str) -> list[Choice]:
    """The client accounts this user is a member of, by name (on Postgres, row-level security agrees)."""
    with database.tenancy(user_id=user_id) as tenancy:
        rows = tenancy.list_client_accounts(user_id)
    return sorted((_choice(r) for r in rows), key=lambda c: c.name.lower())


def list_engagements(database: Database, *, client_account_id: int, user_id: str) -> list[Choice]:
    """The engagements of one client account this user is a member of, by name."""
    with database.tenancy(user_id=user_id) as tenancy:
        rows = tenancy.list_engagements(client_account_id, user_id)
    return sorted((_choice(r) for r in rows), key=lambda c: c.name.lower())
