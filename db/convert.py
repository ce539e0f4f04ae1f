"""The one place where ORM rows and pydantic models are converted into each other."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel

from db.models import (
    ApplicationRow,
    DependencyRow,
    PlanBaselineRow,
    PlanRow,
    ResourceAllocationRow,
    ResourcePoolRow,
    ResourceSkillRow,
    TimelineMilestoneRow,
    TimelinePhaseRow,
)
from planning_core.domain import (
    Application,
    Criticality,
    Dependency,
    DependencyType,
    Phase,
    PhaseStatus,
    PlanningConfig,
    SixR,
    TenantContext,
)
from planning_core.engines.costs.models import CostEstimate
from planning_core.engines.resources.models import AllocationSource, ResourceAllocation
from planning_core.engines.risk.models import RiskAnalysis
from planning_core.engines.schedule.models import Timeline
from planning_core.engines.synthesis.models import Synthesis
from planning_core.engines.waves.models import WavePlan
from planning_core.plan import AgentRun, Baseline, PlanDocument, ScenarioOrigin, Suggestion

# PlanDocument attribute -> (planning_flows column, document model)
DOCUMENT_COLUMNS: dict[str, tuple[str, type[BaseModel]]] = {
    "wave_plan": ("wave_plan_data", WavePlan),
    "resource_allocation": ("resource_allocation_data", ResourceAllocation),
    "timeline": ("timeline_data", Timeline),
    "cost_estimation": ("cost_estimation_data", CostEstimate),
    "synthesis": ("synthesis_data", Synthesis),
    "risk": ("risk_data", RiskAnalysis),
}
# A document written whenever another one is: the risk simulation belongs to the cost estimate.
WRITTEN_WITH = {"risk": "cost_estimation"}
MAX_UTILISATION_PCT = Decimal("99999.99")
_CENT = Decimal("0.01")


def tenant_values(tenant: TenantContext) -> dict[str, int]:
    """The two tenant columns of a row."""
    return {"client_account_id": tenant.client_account_id, "engagement_id": tenant.engagement_id}


def hours(value: float | Decimal) -> Decimal:
    """Hours (or a percentage) as a two-decimal Decimal for a Numeric(…, 2) column."""
    return Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)


def _dump(document: BaseModel | None) -> dict[str, Any] | None:
    return None if document is None else document.model_dump(mode="json")


# --- portfolio -------------------------------------------------------------------------------------


def application_values(app: Application, tenant: TenantContext, now: datetime) -> dict[str, Any]:
    """Column values of an applications row (un-archived, stamped now)."""
    return {
        **tenant_values(tenant),
        "application_id": app.application_id,
        "name": app.name,
        "business_unit": app.business_unit,
        "environment": app.environment,
        "six_r_strategy": app.six_r_strategy.value,
        "complexity": app.complexity,
        "business_criticality": app.business_criticality.value,
        "effort_hours": app.effort_hours,
        "server_count": app.server_count,
        "data_size_gb": app.data_size_gb,
        "required_skills": list(app.required_skills),
        "pinned_wave": app.pinned_wave,
        "description": app.description,
        "attributes": dict(app.attributes),
        "archived": False,
        "created_at": now,
        "updated_at": now,
    }


def row_to_application(row: ApplicationRow) -> Application:
    """An Application from its row."""
    return Application(
        application_id=row.application_id,
        name=row.name,
        business_unit=row.business_unit,
        environment=row.environment,
        six_r_strategy=SixR(row.six_r_strategy),
        complexity=row.complexity,
        business_criticality=Criticality(row.business_criticality),
        effort_hours=row.effort_hours,
        server_count=row.server_count,
        data_size_gb=row.data_size_gb,
        required_skills=list(row.required_skills or []),
        pinned_wave=row.pinned_wave,
        description=row.description,
        attributes=dict(row.attributes or {}),
    )


def dependency_values(dep: Dependency, tenant: TenantContext) -> dict[str, Any]:
    """Column values of an application_dependencies row."""
    return {
        **tenant_values(tenant),
        "source_application_id": dep.source_application_id,
        "target_application_id": dep.target_application_id,
        "dependency_type": dep.dependency_type.value,
        "weight": dep.weight,
    }


def row_to_dependency(row: DependencyRow) -> Dependency:
    """A Dependency from its row."""
    return Dependency(
        source_application_id=row.source_application_id,
        target_application_id=row.target_application_id,
        dependency_type=DependencyType(row.dependency_type),
        weight=row.weight,
    )


# --- planning flows --------------------------------------------------------------------------------


def flow_document_values(plan: PlanDocument, documents: Iterable[str] | None = None) -> dict[str, Any]:
    """The planning_flows columns that save_flow writes from a plan (not tenant, id, version).

    `documents` names the phase documents to write (PlanDocument attribute names); None writes all.
    """
    values: dict[str, Any] = {
        "name": plan.name,
        "current_phase": plan.current_phase.value,
        "phase_status": plan.phase_status.value,
        "phase_statuses": {phase.value: status.value for phase, status in plan.phase_statuses.items()},
        "revision": plan.revision,
        "planning_config": plan.planning_config.model_dump(mode="json"),
        "selected_applications": list(plan.selected_applications),
        "agent_execution_log": [run.model_dump(mode="json") for run in plan.agent_execution_log],
        "suggestions": [s.model_dump(mode="json") for s in plan.suggestions],
        "warnings": list(plan.warnings),
        "planning_completed_at": plan.planning_completed_at,
        "scenario_data": _dump(plan.scenario),
    }
    wanted = None if documents is None else set(documents)
    for attribute, (column, _model) in DOCUMENT_COLUMNS.items():
        if wanted is None or attribute in wanted or WRITTEN_WITH.get(attribute) in wanted:
            values[column] = _dump(getattr(plan, attribute))
    return values


def row_to_plan(
    row: PlanRow,
    *,
    client_account_name: str,
    engagement_name: str,
    with_documents: bool = True,
) -> PlanDocument:
    """A PlanDocument from its row; applications/dependencies stay empty, documents optional."""
    documents: dict[str, Any] = {}
    if with_documents:
        for attribute, (column, model) in DOCUMENT_COLUMNS.items():
            data = getattr(row, column)
            documents[attribute] = None if data is None else model.model_validate(data)
    log = row.agent_execution_log if with_documents else []
    suggestions = row.suggestions if with_documents else []
    return PlanDocument(
        planning_flow_id=row.id,
        name=row.name,
        client_account_id=row.client_account_id,
        engagement_id=row.engagement_id,
        client_account_name=client_account_name,
        engagement_name=engagement_name,
        version=row.version,
        revision=row.revision,
        current_phase=Phase(row.current_phase),
        phase_status=PhaseStatus(row.phase_status),
        phase_statuses={Phase(k): PhaseStatus(v) for k, v in row.phase_statuses.items()},
        planning_config=PlanningConfig.model_validate(row.planning_config),
        selected_applications=list(row.selected_applications),
        warnings=list(row.warnings or []),
        agent_execution_log=[AgentRun.model_validate(item) for item in log or []],
        suggestions=[Suggestion.model_validate(item) for item in suggestions or []],
        created_at=row.created_at,
        updated_at=row.updated_at,
        planning_completed_at=row.planning_completed_at,
        scenario=None if row.scenario_data is None else ScenarioOrigin.model_validate(row.scenario_data),
        **documents,
    )


def baseline_values(baseline: Baseline, tenant: TenantContext) -> dict[str, Any]:
    """Column values of a plan_baselines row (its id is the database's)."""
    return {
        **tenant_values(tenant),
        "planning_flow_id": baseline.planning_flow_id,
        "name": baseline.name,
        "revision": baseline.revision,
        "created_at": baseline.created_at,
        "created_by": baseline.created_by,
        "data": baseline.model_dump(
            mode="json",
            exclude={"baseline_id", "planning_flow_id", "name", "revision", "created_at", "created_by"},
        ),
    }


def row_to_baseline(row: PlanBaselineRow) -> Baseline:
    """A Baseline from its row."""
    return Baseline.model_validate(
        {
            **row.data,
            "baseline_id": row.id,
            "planning_flow_id": row.planning_flow_id,
            "name": row.name,
            "revision": row.revision,
            "created_at": row.created_at,
            "created_by": row.created_by,
        }
    )


# --- relational rows written with the documents ---------------------------------------------------------


def resource_rows(
    plan: PlanDocument, tenant: TenantContext, now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """resource_pools, resource_skills and resource_allocations rows of a plan.

    Once the timeline ran, a pool's figures are its role's over the programme's weeks, from the schedule
    (``resource_allocation.utilisation_by_role``: the numbers every page shows). Before that, its total
    capacity is the sum of its role's capacity over the allocated waves (0 before the resource phase ran).
    Utilisation (the schedule's figure, else allocated / total x 100) is capped at 99,999.99 %.
    """
    allocations = plan.resource_allocation.allocations if plan.resource_allocation else []
    by_role = (
        {u.role: u for u in plan.resource_allocation.utilisation_by_role} if plan.resource_allocation else {}
    )
    pools: list[dict[str, Any]] = []
    skills: list[dict[str, Any]] = []
    pool_ids: dict[str, str] = {}
    for pool in plan.planning_config.resource_pools:
        pool_id = str(uuid.uuid4())
        pool_ids[pool.role] = pool_id
        scheduled = by_role.get(pool.role)
        if scheduled is not None:
            total, allocated = scheduled.capacity_hours, scheduled.scheduled_hours
            utilisation = min(hours(scheduled.utilisation_pct), MAX_UTILISATION_PCT)
        else:
            total = sum(a.capacity_hours for a in allocations if a.role == pool.role)
            allocated = sum(a.hours for a in allocations if a.role == pool.role)
            utilisation = (
                Decimal(0) if total <= 0 else min(hours(allocated / total * 100), MAX_UTILISATION_PCT)
            )
        pools.append(
            {
                "id": pool_id,
                **tenant_values(tenant),
                "planning_flow_id": plan.planning_flow_id,
                "pool_name": f"{pool.role} pool"[:100],
                "role_name": pool.role,
                "headcount": pool.headcount,
                "capacity_hours_per_week": hours(pool.capacity_hours_per_week),
                "total_capacity_hours": hours(total),
                "available_capacity_hours": hours(max(total - allocated, 0.0)),
                "allocated_capacity_hours": hours(allocated),
                "hourly_rate": pool.hourly_rate,
                "currency": pool.currency,
                "utilization_percentage": utilisation,
                "skills": list(pool.skills),
                "created_at": now,
                "updated_at": now,
            }
        )
        skills.extend(
            {**tenant_values(tenant), "resource_pool_id": pool_id, "skill_name": skill}
            for skill in pool.skills
        )
    allocation_rows = [
        {
            **tenant_values(tenant),
            "planning_flow_id": plan.planning_flow_id,
            "resource_pool_id": pool_ids.get(a.role),
            "wave_number": a.wave_number,
            "role": a.role,
            "allocated_hours": hours(a.hours),
            "capacity_hours": hours(a.capacity_hours),
            "is_ai_suggested": a.source == AllocationSource.SUGGESTED,
            "ai_confidence_score": a.confidence,
            "source": a.source.value,
            "reason": a.reason,
        }
        for a in allocations
    ]
    return pools, skills, allocation_rows


def timeline_rows(
    plan: PlanDocument, tenant: TenantContext, now: datetime
) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[dict[str, Any]]]:
    """project_timelines, timeline_phases (one per activity) and timeline_milestones rows of a plan."""
    timeline = plan.timeline
    if timeline is None:
        return None, [], []
    timeline_id = str(uuid.uuid4())
    head = {
        "id": timeline_id,
        **tenant_values(tenant),
        "planning_flow_id": plan.planning_flow_id,
        "timeline_name": timeline.timeline_name,
        "overall_start_date": timeline.start_date,
        "overall_end_date": timeline.end_date,
        "timeline_status": "active",
        "created_at": now,
        "updated_at": now,
    }
    phases = [
        {
            **tenant_values(tenant),
            "timeline_id": timeline_id,
            "phase_number": number,
            "phase_name": activity.name,
            "activity_id": activity.id,
            "wave_number": activity.wave_number,
            "planned_start_date": activity.start,
            "planned_end_date": activity.end,
            "slack_days": activity.slack_days,
            "is_critical": activity.critical,
        }
        for number, activity in enumerate(timeline.activities, start=1)
    ]
    milestones = [
        {
            **tenant_values(tenant),
            "timeline_id": timeline_id,
            "milestone_number": number,
            "milestone_name": milestone.name,
            "target_date": milestone.date,
            "description": milestone.description,
            "milestone_kind": milestone.kind,
            "wave_number": milestone.wave_number,
        }
        for number, milestone in enumerate(timeline.milestones, start=1)
    ]
    return head, phases, milestones


def timeline_phase_dict(row: TimelinePhaseRow) -> dict[str, Any]:
    """A timeline_phases row as a plain dict (for pages and tests)."""
    return {
        "phase_number": row.phase_number,
        "phase_name": row.phase_name,
        "activity_id": row.activity_id,
        "wave_number": row.wave_number,
        "planned_start_date": row.planned_start_date,
        "planned_end_date": row.planned_end_date,
        "slack_days": row.slack_days,
        "is_critical": row.is_critical,
    }


def milestone_dict(row: TimelineMilestoneRow) -> dict[str, Any]:
    """A timeline_milestones row as a plain dict."""
    return {
        "milestone_number": row.milestone_number,
        "milestone_name": row.milestone_name,
        "target_date": row.target_date,
        "description": row.description,
        "milestone_kind": row.milestone_kind,
        "wave_number": row.wave_number,
    }


def allocation_dict(row: ResourceAllocationRow, pool_name: str | None) -> dict[str, Any]:
    """A resource_allocations row as a plain dict, with its pool's name."""
    return {
        "wave_number": row.wave_number,
        "role": row.role,
        "pool_name": pool_name,
        "allocated_hours": row.allocated_hours,
        "capacity_hours": row.capacity_hours,
        "is_ai_suggested": row.is_ai_suggested,
        "ai_confidence_score": row.ai_confidence_score,
        "source": row.source,
        "reason": row.reason,
    }


def pool_dict(row: ResourcePoolRow, skills: list[ResourceSkillRow]) -> dict[str, Any]:
    """A resource_pools row as a plain dict, with its resource_skills names."""
    return {
        "pool_name": row.pool_name,
        "role_name": row.role_name,
        "headcount": row.headcount,
        "capacity_hours_per_week": row.capacity_hours_per_week,
        "total_capacity_hours": row.total_capacity_hours,
        "available_capacity_hours": row.available_capacity_hours,
        "allocated_capacity_hours": row.allocated_capacity_hours,
        "hourly_rate": row.hourly_rate,
        "currency": row.currency,
        "utilization_percentage": row.utilization_percentage,
        "skills": sorted(s.skill_name for s in skills),
    }
