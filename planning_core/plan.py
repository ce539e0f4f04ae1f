"""The whole plan as one document: what plan.json holds, what exports and pages read."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from planning_core.domain import Application, Dependency, Model, Money, Phase, PhaseStatus, PlanningConfig
from planning_core.engines.costs.models import CostEstimate
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.risk.models import RiskAnalysis
from planning_core.engines.schedule.models import Timeline
from planning_core.engines.synthesis.models import Synthesis
from planning_core.engines.waves.models import WavePlan


class AgentRun(Model):
    """One specialist's review of one phase (agent_execution_log entry)."""

    agent: str
    phase: Phase
    started_at: datetime
    duration_seconds: float = 0.0
    outcome: str = "skipped"  # skipped, accepted, pending, rejected, failed, no_changes
    token_usage: dict[str, int] = Field(default_factory=dict)
    accepted: list[dict[str, Any]] = Field(default_factory=list)
    rejected: list[dict[str, Any]] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    narrative: str = ""


class SuggestionKind(StrEnum):
    """What a specialist's proposal would change."""

    WAVE_MOVE = "wave_move"  # an application to another existing wave
    RESOURCE_TRANSFER = "resource_transfer"  # hours from one role to another within a wave
    WAVE_NOT_BEFORE = "wave_not_before"  # a wave may not start before a date
    WAVE_FIXED_CUTOVER = "wave_fixed_cutover"  # a wave's cut-over on a fixed date
    CREW_CHANGE = "crew_change"  # a role's headcount
    COST_LINE = "cost_line"  # a one-off cost line
    NOTE = "note"  # an observation; changes no number


class SuggestionStatus(StrEnum):
    """Where a suggestion stands: waiting, decided by the analyst, applied at once, or refused."""

    PENDING = "pending"  # valid, waiting for the analyst's review
    ACCEPTED = "accepted"  # applied as proposed (by the analyst, or at once when the plan applies them)
    EDITED = "edited"  # applied after the analyst changed it (see applied_change)
    REJECTED = "rejected"  # turned down by the analyst
    INVALID = "invalid"  # refused by the validators (see validation), never applied


class Suggestion(Model):
    """One proposal of a specialist, stored with the plan (plan.json's `suggestions`).

    `change` is what the specialist proposed (sanitised), `applied_change` what was applied (the
    analyst's edit for `edited`). `plan_version` is the version the specialist reviewed and
    `validated_version` the version of the last validation: a suggestion is re-validated against the
    current plan before it is applied. `created_at` is the start of the specialist's run.
    """

    suggestion_id: str
    agent: str
    phase: Phase
    kind: SuggestionKind
    change: dict[str, Any] = Field(default_factory=dict)
    rationale: str = ""
    valid: bool = True
    validation: str = ""  # why the validators refused it (or why it cannot be applied yet)
    status: SuggestionStatus = SuggestionStatus.PENDING
    plan_version: int = 0
    validated_version: int = 0
    created_at: datetime
    decided_by: str = ""
    decided_at: datetime | None = None
    decision_note: str = ""
    applied_change: dict[str, Any] | None = None
    applied_revision: int | None = None


class ScenarioOrigin(Model):
    """Where a scenario comes from (plan.json's `scenario`; None for a family's main plan).

    A scenario is a copy of `source_plan_id` (at `source_revision`) with some settings changed; its family
    is `family_id`, the main plan every scenario of the family descends from. `kept` lists the analyst's
    manual moves, locks and overrides of the source that still hold in the scenario, `dropped` those that
    do not, each with why.
    """

    source_plan_id: str
    source_name: str = ""
    source_revision: int = 0
    family_id: str
    created_at: datetime
    changed_settings: list[str] = Field(default_factory=list)
    kept: list[str] = Field(default_factory=list)
    dropped: list[str] = Field(default_factory=list)
    adopted_at: datetime | None = None  # when the scenario was made the family's chosen plan


class BaselineWave(Model):
    """One wave as it was when the baseline was saved."""

    wave_number: int
    name: str = ""
    start: date | None = None
    end: date | None = None
    applications: int = 0


class Baseline(Model):
    """A plan's state saved for later comparison (as MS Project's baselines): dates, waves and cost."""

    baseline_id: int = 0
    planning_flow_id: str
    name: str
    revision: int
    created_at: datetime
    created_by: str = ""
    start_date: date | None = None
    end_date: date | None = None
    total_cost: Money | None = None
    total_cost_p80: Money | None = None
    end_date_p80: date | None = None
    currency: str = "USD"
    waves: list[BaselineWave] = Field(default_factory=list)
    wave_of: dict[str, int] = Field(default_factory=dict)  # application id -> wave number
    activities: dict[str, tuple[date, date]] = Field(default_factory=dict)  # activity id -> (start, end)


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
    risk: RiskAnalysis | None = None  # the cost phase's simulation (config.risk_iterations)
    scenario: ScenarioOrigin | None = None
    warnings: list[str] = Field(default_factory=list)
    agent_execution_log: list[AgentRun] = Field(default_factory=list)
    suggestions: list[Suggestion] = Field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    planning_completed_at: datetime | None = None
