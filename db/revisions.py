"""The revision aggregate: each change of a plan, with who, when, what and a snapshot."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import load_only

from db import convert
from db.base import TenantScoped
from db.models import PlanRevisionRow, PlanRow
from db.types import utcnow
from planning_core.errors import NotFound, StaleWriteError


class RevisionInfo(BaseModel):
    """One entry of a plan's history (without its snapshot)."""

    model_config = ConfigDict(frozen=True)

    revision: int
    created_at: datetime
    created_by: str
    action: str
    summary: str
    changes: dict[str, Any]


class RevisionRepository(TenantScoped):
    """The history of the plans of one client account and engagement."""

    def add_revision(
        self,
        *,
        planning_flow_id: str,
        revision: int,
        action: str,
        summary: str,
        changes: dict[str, Any],
        snapshot: dict[str, Any],
        created_by: str,
    ) -> None:
        """Record a revision of the plan; a revision number already taken is a concurrent edit."""
        self._require_plan(planning_flow_id)
        try:
            with self.session.begin_nested():
                self.session.add(
                    PlanRevisionRow(
                        **convert.tenant_values(self.tenant),
                        planning_flow_id=planning_flow_id,
                        revision=revision,
                        created_at=utcnow(),
                        created_by=created_by,
                        action=action,
                        summary=summary,
                        changes=changes,
                        snapshot=snapshot,
                    )
                )
        except IntegrityError as exc:
            raise StaleWriteError(
                f"Revision {revision} of this plan was already recorded by someone else. "
                "Reload to see the latest plan; your change was not saved."
            ) from exc

    def list_revisions(self, planning_flow_id: str) -> list[RevisionInfo]:
        """The plan's history, oldest first (empty for a plan of another tenant)."""
        query = (
            select(PlanRevisionRow)
            .options(
                load_only(
                    PlanRevisionRow.revision,
                    PlanRevisionRow.created_at,
                    PlanRevisionRow.created_by,
                    PlanRevisionRow.action,
                    PlanRevisionRow.summary,
                    PlanRevisionRow.changes,
                    raiseload=True,
                )
            )
            .where(self._scoped(PlanRevisionRow), PlanRevisionRow.planning_flow_id == planning_flow_id)
            .order_by(PlanRevisionRow.revision)
        )
        return [
            RevisionInfo(
                revision=row.revision,
                created_at=row.created_at,
                created_by=row.created_by,
                action=row.action,
                summary=row.summary,
                changes=dict(row.changes or {}),
            )
            for row in self.session.scalars(query)
        ]

    def get_revision_snapshot(self, planning_flow_id: str, revision: int) -> dict[str, Any]:
        """The snapshot stored with a revision; NotFound if absent."""
        snapshot = self.session.scalar(
            select(PlanRevisionRow.snapshot).where(
                self._scoped(PlanRevisionRow),
                PlanRevisionRow.planning_flow_id == planning_flow_id,
                PlanRevisionRow.revision == revision,
            )
        )
        if snapshot is None:
            raise NotFound(f"Revision {revision} of plan {planning_flow_id} does not exist.")
        return dict(snapshot)

    def _require_plan(self, planning_flow_id: str) -> None:
        found = self.session.scalar(
            select(PlanRow.id).where(self._scoped(PlanRow), PlanRow.id == planning_flow_id)
        )
        if found is None:
            raise NotFound(f"Plan {planning_flow_id} does not exist in this engagement.")
