"""One tenant's unit of work: the aggregates' repositories over one transaction.

Every query of the product goes through `db`, scoped by client account and engagement: the tenancy
aggregate (`db.tenancy`), and per tenant the portfolio (`db.portfolio`), plans with their relational
rows (`db.plans`), revisions (`db.revisions`), background jobs (`db.jobs`) and memory (`db.memory`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.jobs import JobsRepository
from db.memory import MemoryRepository
from db.plans import PlanRepository
from db.portfolio import PortfolioRepository
from db.revisions import RevisionInfo, RevisionRepository
from db.tenancy import TenancyRepository
from planning_core.domain import TenantContext

__all__ = ["Repository", "RevisionInfo", "TenancyRepository"]


class Repository:
    """The repositories of one client account and engagement, sharing one session (one transaction)."""

    def __init__(self, session: Session, tenant: TenantContext) -> None:
        self.session = session
        self.tenant = tenant
        self.portfolio = PortfolioRepository(session, tenant)
        self.plans = PlanRepository(session, tenant)
        self.revisions = RevisionRepository(session, tenant)
        self.jobs = JobsRepository(session, tenant)
        self.memory = MemoryRepository(session, tenant)
