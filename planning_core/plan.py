"""The whole plan as one document: what plan.json holds, what exports and pages read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from planning_core.domain import Application, Dependency, Model, Phase, PhaseStatus, PlanningConfig
from planning_core.engines.costs.models import CostEstimate
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.schedule.models import Timeline
from planning_core.engines.synthesis.models import Synthesis
from planning_core.engines.waves.models import WavePlan


class AgentRun(Model):
    """One specialist's review of one phase (agent_execution_log entry)."""

    agent: str
    phase: Phase
    started_at: datetime
    duration_seconds: float = 0.0
    outcome: str = "skipped"  # skipped, accepted, rejected, failed, no_changes
    token_usage: dict[str, int] = Field(default_factory=dict)
    accepted: list[dict[str, Any]] = Field(default_factory=list)
    rejected: list[dict[str, Any]] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    narrative: str = ""


class PlanDocument(Model):
    """Everything about one planning flow, as exported to plan.json."""

    planning_flow_id: str
    name: str = ""
    client_account_id: int
    engagement_id: int
    client_account_name: str = ""
    engagement_name: str = ""
    version: int = 1
    revision: int = 0
    current_phase: Phase
    phase_status: PhaseStatus
    phase_statuses: dict[Phase, PhaseStatus]
    planning_config: PlanningConfig
    selected_applications: list[str]
    applications: list[Application] = Field(default_factory=list)
    dependencies: list[Dependency] = Field(default_factory=list)
    wave_plan: WavePlan | None = None
    resource_allocation: ResourceAllocation | None = None
    timeline: Timeline | None = None
    cost_estimation: CostEstimate | None = None
    synthesis: Synthesis | None = None
    warnings: list[str] = Field(default_factory=list)
    agent_execution_log: list[AgentRun] = Field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    planning_completed_at: datetime | None = None
