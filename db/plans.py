"""The plan aggregate: a plan's document (plan.json) and the relational rows derived from it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.orm import load_only

from db import convert
from db.base import TenantScoped, rowcount
from db.models import (
    PlanBaselineRow,
    PlanRevisionRow,
    PlanRow,
    ProjectTimelineRow,
    ResourceAllocationRow,
    ResourcePoolRow,
    ResourceSkillRow,
    TimelineMilestoneRow,
    TimelinePhaseRow,
)
from db.tenancy import TenancyRepository
from db.types import utcnow
from planning_core.domain import PHASE_ORDER, Phase, PhaseStatus, PlanningConfig
from planning_core.errors import NotFound, StaleWriteError
from planning_core.plan import Baseline, PlanDocument

# Documents from which save derives relational rows (resource pools come from the configuration).
RELATIONAL_SOURCES = frozenset({"resource_allocation", "timeline", "planning_config"})


class PlanRepository(TenantScoped):
    """Plans of one client account and engagement, with their resource and timeline rows."""

    def _names(self) -> tuple[str, str]:
        return TenancyRepository(self.session).names(self.tenant.client_account_id, self.tenant.engagement_id)

    def create_plan(
        self, *, name: str, config: PlanningConfig, selected_application_ids: list[str], created_by: str
    ) -> PlanDocument:
        """A new plan: phase wave_planning, every phase pending, version 1, revision 0."""
        client_account_name, engagement_name = self._names()
        now = utcnow()
        row = PlanRow(
            id=str(uuid.uuid4()),
            **convert.tenant_values(self.tenant),
            name=name,
            current_phase=Phase.WAVE_PLANNING.value,
            phase_status=PhaseStatus.PENDING.value,
            phase_statuses={phase.value: PhaseStatus.PENDING.value for phase in PHASE_ORDER},
            version=1,
            revision=0,
            created_by=created_by,
            planning_config=config.model_dump(mode="json"),
            selected_applications=list(selected_application_ids),
            agent_execution_log=[],
            suggestions=[],
            ui_state={},
            validation_errors=[],
            warnings=[],
            created_at=now,
            updated_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return convert.row_to_plan(
            row, client_account_name=client_account_name, engagement_name=engagement_name
        )

    def _row(self, planning_flow_id: str, *columns: Any) -> PlanRow:
        query = select(PlanRow).where(self._scoped(PlanRow), PlanRow.id == planning_flow_id)
        if columns:
            query = query.options(load_only(*columns))
        row = self.session.scalar(query)
        if row is None:
            raise NotFound(f"Plan {planning_flow_id} does not exist in this engagement.")
        return row

    def get_plan(self, planning_flow_id: str) -> PlanDocument:
        """The whole plan (applications/dependencies empty); NotFound if absent for this tenant."""
        row = self._row(planning_flow_id)
        client_account_name, engagement_name = self._names()
        return convert.row_to_plan(
            row, client_account_name=client_account_name, engagement_name=engagement_name
        )

    def list_plans(self) -> list[PlanDocument]:
        """The tenant's plans, newest first, without their phase documents (None)."""
        light = [
            PlanRow.id,
            PlanRow.client_account_id,
            PlanRow.engagement_id,
            PlanRow.name,
            PlanRow.current_phase,
            PlanRow.phase_status,
            PlanRow.phase_statuses,
            PlanRow.version,
            PlanRow.revision,
            PlanRow.planning_config,
            PlanRow.selected_applications,
            PlanRow.warnings,
            PlanRow.created_at,
            PlanRow.updated_at,
            PlanRow.planning_completed_at,
            PlanRow.scenario_data,
        ]
        query = (
            select(PlanRow)
            .options(load_only(*light, raiseload=True))
            .where(self._scoped(PlanRow))
            .order_by(PlanRow.created_at.desc(), PlanRow.id)
        )
        rows = list(self.session.scalars(query))
        if not rows:
            return []
        client_account_name, engagement_name = self._names()
        return [
            convert.row_to_plan(
                row,
                client_account_name=client_account_name,
                engagement_name=engagement_name,
                with_documents=False,
            )
            for row in rows
        ]

    def save_plan(
        self, plan: PlanDocument, *, expected_version: int, documents: Iterable[str] | None = None
    ) -> PlanDocument:
        """Write the plan if its stored version is `expected_version` (bumping it), with its relational rows.

        `documents` names the phase documents that changed (PlanDocument attribute names); the others
        are left as stored, and the relational rows are rewritten only when the resource allocation,
        the timeline or the configuration changed. None writes everything.
        """
        wanted = None if documents is None else set(documents)
        now = utcnow()
        result = self.session.execute(
            update(PlanRow)
            .where(
                self._scoped(PlanRow),
                PlanRow.id == plan.planning_flow_id,
                PlanRow.version == expected_version,
            )
            .values(
                **convert.flow_document_values(plan, wanted),
                version=PlanRow.version + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if rowcount(result) != 1:
            current = self.session.scalar(
                select(PlanRow.version).where(self._scoped(PlanRow), PlanRow.id == plan.planning_flow_id)
            )
            if current is None:
                raise NotFound(f"Plan {plan.planning_flow_id} does not exist in this engagement.")
            raise StaleWriteError(
                f"This plan was changed by someone else (version {expected_version} is now {current}). "
                "Reload to see the latest plan; your change was not saved."
            )
        if wanted is None or wanted & RELATIONAL_SOURCES:
            self._replace_relational_rows(plan, now)
        self.session.expire_all()
        return plan.model_copy(
            update={
                "version": expected_version + 1,
                "updated_at": now,
                "client_account_id": self.tenant.client_account_id,
                "engagement_id": self.tenant.engagement_id,
            }
        )

    def _replace_relational_rows(self, plan: PlanDocument, now: datetime) -> None:
        """Replace the plan's resource and timeline rows with those derived from its documents."""
        self._delete_relational_rows(plan.planning_flow_id)
        pools, skills, allocations = convert.resource_rows(plan, self.tenant, now)
        head, phases, milestones = convert.timeline_rows(plan, self.tenant, now)
        for model, rows in (
            (ResourcePoolRow, pools),
            (ResourceSkillRow, skills),
            (ResourceAllocationRow, allocations),
            (ProjectTimelineRow, [head] if head else []),
            (TimelinePhaseRow, phases),
            (TimelineMilestoneRow, milestones),
        ):
            if rows:
                self.session.execute(self._insert(model), rows)

    def _delete_relational_rows(self, planning_flow_id: str) -> None:
        timelines = select(ProjectTimelineRow.id).where(
            self._scoped(ProjectTimelineRow), ProjectTimelineRow.planning_flow_id == planning_flow_id
        )
        pools = select(ResourcePoolRow.id).where(
            self._scoped(ResourcePoolRow), ResourcePoolRow.planning_flow_id == planning_flow_id
        )
        statements = (
            delete(TimelinePhaseRow).where(
                self._scoped(TimelinePhaseRow), TimelinePhaseRow.timeline_id.in_(timelines)
            ),
            delete(TimelineMilestoneRow).where(
                self._scoped(TimelineMilestoneRow), TimelineMilestoneRow.timeline_id.in_(timelines)
            ),
            delete(ProjectTimelineRow).where(
                self._scoped(ProjectTimelineRow), ProjectTimelineRow.planning_flow_id == planning_flow_id
            ),
            delete(ResourceAllocationRow).where(
                self._scoped(ResourceAllocationRow),
                ResourceAllocationRow.planning_flow_id == planning_flow_id,
            ),
            delete(ResourceSkillRow).where(
                self._scoped(ResourceSkillRow), ResourceSkillRow.resource_pool_id.in_(pools)
            ),
            delete(ResourcePoolRow).where(
                self._scoped(ResourcePoolRow), ResourcePoolRow.planning_flow_id == planning_flow_id
            ),
        )
        for statement in statements:
            self.session.execute(statement.execution_options(synchronize_session=False))

    def touch_heartbeat(self, planning_flow_id: str, *, alive: bool = True) -> None:
        """Record that a phase of this plan is still running (does not change the version); alive=False
        clears it: the process that ran the plan gave up, so the run shows as interrupted at once."""
        result = self.session.execute(
            update(PlanRow)
            .where(self._scoped(PlanRow), PlanRow.id == planning_flow_id)
            .values(heartbeat_at=utcnow() if alive else None)
            .execution_options(synchronize_session=False)
        )
        if rowcount(result) == 0:
            raise NotFound(f"Plan {planning_flow_id} does not exist in this engagement.")

    def heartbeat_at(self, planning_flow_id: str) -> datetime | None:
        """When the plan last reported a running phase, or None."""
        return self._row(planning_flow_id, PlanRow.heartbeat_at).heartbeat_at

    def heartbeats(self) -> dict[str, datetime | None]:
        """Every plan's last heartbeat (None: never ran), by plan id."""
        rows = self.session.execute(select(PlanRow.id, PlanRow.heartbeat_at).where(self._scoped(PlanRow)))
        return {plan_id: beat for plan_id, beat in rows}

    def delete_plan(self, planning_flow_id: str) -> None:
        """Delete a plan with its revisions and relational rows; NotFound if absent."""
        self._row(planning_flow_id, PlanRow.id)
        self._delete_relational_rows(planning_flow_id)
        self.session.execute(
            delete(PlanRevisionRow)
            .where(self._scoped(PlanRevisionRow), PlanRevisionRow.planning_flow_id == planning_flow_id)
            .execution_options(synchronize_session=False)
        )
        self.session.execute(
            delete(PlanBaselineRow)
            .where(self._scoped(PlanBaselineRow), PlanBaselineRow.planning_flow_id == planning_flow_id)
            .execution_options(synchronize_session=False)
        )
        self.session.execute(
            delete(PlanRow)
            .where(self._scoped(PlanRow), PlanRow.id == planning_flow_id)
            .execution_options(synchronize_session=False)
        )
        self.session.expire_all()

    def timeline_rows(self, planning_flow_id: str) -> list[dict[str, Any]]:
        """The plan's timeline_phases rows (one per activity), in order."""
        query = (
            select(TimelinePhaseRow)
            .join(ProjectTimelineRow, ProjectTimelineRow.id == TimelinePhaseRow.timeline_id)
            .where(
                self._scoped(TimelinePhaseRow),
                self._scoped(ProjectTimelineRow),
                ProjectTimelineRow.planning_flow_id == planning_flow_id,
            )
            .order_by(TimelinePhaseRow.phase_number)
        )
        return [convert.timeline_phase_dict(row) for row in self.session.scalars(query)]

    def milestone_rows(self, planning_flow_id: str) -> list[dict[str, Any]]:
        """The plan's timeline_milestones rows, in order."""
        query = (
            select(TimelineMilestoneRow)
            .join(ProjectTimelineRow, ProjectTimelineRow.id == TimelineMilestoneRow.timeline_id)
            .where(
                self._scoped(TimelineMilestoneRow),
                self._scoped(ProjectTimelineRow),
                ProjectTimelineRow.planning_flow_id == planning_flow_id,
            )
            .order_by(TimelineMilestoneRow.milestone_number)
        )
        return [convert.milestone_dict(row) for row in self.session.scalars(query)]

    def project_timeline_row(self, planning_flow_id: str) -> dict[str, Any] | None:
        """The plan's project_timelines row (name, overall dates, status), or None."""
        row = self.session.scalar(
            select(ProjectTimelineRow).where(
                self._scoped(ProjectTimelineRow), ProjectTimelineRow.planning_flow_id == planning_flow_id
            )
        )
        if row is None:
            return None
        return {
            "timeline_name": row.timeline_name,
            "overall_start_date": row.overall_start_date,
            "overall_end_date": row.overall_end_date,
            "timeline_status": row.timeline_status,
        }

    def allocation_rows(self, planning_flow_id: str) -> list[dict[str, Any]]:
        """The plan's resource_allocations rows, by wave then role."""
        query = (
            select(ResourceAllocationRow, ResourcePoolRow.pool_name)
            .outerjoin(
                ResourcePoolRow,
                and_(
                    ResourcePoolRow.id == ResourceAllocationRow.resource_pool_id,
                    self._scoped(ResourcePoolRow),
                ),
            )
            .where(
                self._scoped(ResourceAllocationRow),
                ResourceAllocationRow.planning_flow_id == planning_flow_id,
            )
            .order_by(ResourceAllocationRow.wave_number, ResourceAllocationRow.role, ResourceAllocationRow.id)
        )
        return [convert.allocation_dict(row, pool_name) for row, pool_name in self.session.execute(query)]

    def resource_pool_rows(self, planning_flow_id: str) -> list[dict[str, Any]]:
        """The plan's resource_pools rows with their skills, by role."""
        pools = list(
            self.session.scalars(
                select(ResourcePoolRow)
                .where(self._scoped(ResourcePoolRow), ResourcePoolRow.planning_flow_id == planning_flow_id)
                .order_by(ResourcePoolRow.role_name)
            )
        )
        if not pools:
            return []
        skills = list(
            self.session.scalars(
                select(ResourceSkillRow).where(
                    self._scoped(ResourceSkillRow),
                    ResourceSkillRow.resource_pool_id.in_([p.id for p in pools]),
                )
            )
        )
        return [convert.pool_dict(p, [s for s in skills if s.resource_pool_id == p.id]) for p in pools]

    # ----------------------------------------------------------------- baselines
    def add_baseline(self, baseline: Baseline) -> Baseline:
        """Store a baseline of a plan of this engagement; returns it with its id."""
        self._row(baseline.planning_flow_id, PlanRow.id)
        row = PlanBaselineRow(**convert.baseline_values(baseline, self.tenant))
        self.session.add(row)
        self.session.flush()
        return convert.row_to_baseline(row)

    def list_baselines(self, planning_flow_id: str) -> list[Baseline]:
        """The plan's baselines, oldest first."""
        query = (
            select(PlanBaselineRow)
            .where(self._scoped(PlanBaselineRow), PlanBaselineRow.planning_flow_id == planning_flow_id)
            .order_by(PlanBaselineRow.created_at, PlanBaselineRow.id)
        )
        return [convert.row_to_baseline(row) for row in self.session.scalars(query)]
