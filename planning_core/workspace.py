"""Opening the database and the tenant workspace: the entry point for the app and the command line."""

from __future__ import annotations

from db.session import Database, connect
from planning_core.domain import TenantContext
from planning_core.flow.service import PlanningService

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
        count = repo.count_applications()
    if count == 0:
        service.import_portfolio(generate_portfolio(apps=apps, seed=seed))
        with database.unit_of_work(tenant) as repo:
            count = repo.count_applications()
    return count
