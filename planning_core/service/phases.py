"""The phase pipeline: which engine computes which document, and what each phase needs first."""

from __future__ import annotations

from collections.abc import Callable

from planning_core.domain import PHASE_LABELS, PHASE_ORDER, Phase, PhaseStatus, Portfolio
from planning_core.engines.costs.engine import estimate_costs
from planning_core.engines.resources.engine import allocate_resources
from planning_core.engines.schedule.engine import build_timeline
from planning_core.engines.synthesis.engine import synthesize
from planning_core.engines.waves.constraints import hard_violations
from planning_core.engines.waves.engine import plan_waves
from planning_core.engines.waves.models import Violation
from planning_core.errors import PhaseOrderError
from planning_core.plan import PlanDocument

# The document each phase writes on the PlanDocument.
PHASE_DOCUMENT: dict[Phase, str] = {
    Phase.WAVE_PLANNING: "wave_plan",
    Phase.RESOURCE_ALLOCATION: "resource_allocation",
    Phase.TIMELINE_GENERATION: "timeline",
    Phase.COST_ESTIMATION: "cost_estimation",
    Phase.SYNTHESIS: "synthesis",
}


def _run_wave_planning(plan: PlanDocument, portfolio: Portfolio) -> object:
    locked = [w for w in plan.wave_plan.waves if w.locked] if plan.wave_plan else None
    return plan_waves(portfolio, plan.planning_config, locked_waves=locked or None)


def _run_resource_allocation(plan: PlanDocument, portfolio: Portfolio) -> object:
    assert plan.wave_plan is not None
    return allocate_resources(portfolio, plan.wave_plan, plan.planning_config)


def _run_timeline(plan: PlanDocument, portfolio: Portfolio) -> object:
    assert plan.wave_plan is not None and plan.resource_allocation is not None
    return build_timeline(portfolio, plan.wave_plan, plan.resource_allocation, plan.planning_config)


def _run_costs(plan: PlanDocument, portfolio: Portfolio) -> object:
    assert plan.wave_plan is not None and plan.resource_allocation is not None
    return estimate_costs(
        portfolio, plan.wave_plan, plan.resource_allocation, plan.timeline, plan.planning_config
    )


def _run_synthesis(plan: PlanDocument, portfolio: Portfolio) -> object:
    assert plan.wave_plan and plan.resource_allocation and plan.timeline and plan.cost_estimation
    return synthesize(
        portfolio,
        plan.wave_plan,
        plan.resource_allocation,
        plan.timeline,
        plan.cost_estimation,
        plan.planning_config,
    )


RUNNERS: dict[Phase, Callable[[PlanDocument, Portfolio], object]] = {
    Phase.WAVE_PLANNING: _run_wave_planning,
    Phase.RESOURCE_ALLOCATION: _run_resource_allocation,
    Phase.TIMELINE_GENERATION: _run_timeline,
    Phase.COST_ESTIMATION: _run_costs,
    Phase.SYNTHESIS: _run_synthesis,
}


def previous_phases(phase: Phase) -> tuple[Phase, ...]:
    return PHASE_ORDER[: PHASE_ORDER.index(phase)]


def later_phases(phase: Phase) -> tuple[Phase, ...]:
    return PHASE_ORDER[PHASE_ORDER.index(phase) + 1 :]


def check_prerequisites(plan: PlanDocument, phase: Phase) -> None:
    """Refuse to run a phase whose earlier phases are not completed, with a message saying what to run."""
    for earlier in previous_phases(phase):
        status = plan.phase_statuses.get(earlier, PhaseStatus.PENDING)
        if status != PhaseStatus.COMPLETED:
            raise PhaseOrderError(
                f"{PHASE_LABELS[phase]} needs {PHASE_LABELS[earlier].lower()} first "
                f"(it is {status.value}). Run {PHASE_LABELS[earlier].lower()} and try again."
            )


def blocking_violations(plan: PlanDocument, portfolio: Portfolio) -> list[Violation]:
    """Hard constraint violations of the plan's wave plan, recomputed against its portfolio and
    configuration (not the list stored with it); they block completing the plan."""
    if plan.wave_plan is None:
        return []
    return hard_violations(plan.wave_plan, portfolio, plan.planning_config)


def run_engine(plan: PlanDocument, portfolio: Portfolio, phase: Phase) -> object:
    """Run one phase's engine on the plan's current documents (pure; nothing is stored)."""
    check_prerequisites(plan, phase)
    return RUNNERS[phase](plan, portfolio)
