"""Tenant memory: what completed plans taught about an engagement (the wizard's starting point)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from db.base import TenantScoped
from db.jobs_models import EngagementLearningRow
from db.types import utcnow


class MemoryRepository(TenantScoped):
    """The learnings of one client account and engagement."""

    def add_learning(self, *, planning_flow_id: str, revision: int, data: dict[str, Any]) -> None:
        """Store what a completed plan taught about this engagement."""
        self.session.add(
            EngagementLearningRow(
                client_account_id=self.tenant.client_account_id,
                engagement_id=self.tenant.engagement_id,
                planning_flow_id=planning_flow_id,
                revision=revision,
                data=data,
                created_at=utcnow(),
            )
        )
        self.session.flush()

    def learnings(self, limit: int = 10) -> list[dict[str, Any]]:
        """The engagement's most recent learnings, newest first."""
        rows = self.session.scalars(
            select(EngagementLearningRow)
            .where(self._scoped(EngagementLearningRow))
            .order_by(EngagementLearningRow.id.desc())
            .limit(limit)
        )
        return [dict(r.data) for r in rows]
