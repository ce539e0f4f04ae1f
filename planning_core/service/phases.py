"""The phase pipeline: which engine computes which document, and what each phase needs first."""

from __future__ import annotations

from collections.abc import Callable

from planning_core.domain import PHASE_LABELS, PHASE_ORDER, Phase, PhaseStatus, Portfolio
from planning_core.engines.costs.engine import estimate_costs
from planning_core.engines.costs.models import CostEstimate
from planning_core.engines.resources.engine import allocate_resources
from planning_core.engines.resources.utilisation import with_schedule_utilisation
from planning_core.engines.risk.engine import simulate_risk
from planning_core.engines.risk.models import RiskAnalysis
from planning_core.engines.schedule.engine import build_timeline
from planning_core.engines.synthesis.engine import synthesize
from planning_core.engines.waves.constraints import hard_violations
from planning_core.engines.waves.edits import carry_wave_dates
from planning_core.engines.waves.engine import plan_waves
from planning_core.engines.waves.models import Violation, WavePlan
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
    planned = plan_waves(portfolio, plan.planning_config, locked_waves=locked or None)
    # The analyst's wave dates (not-before, fixed cut-over) survive re-planning, by wave number.
    return carry_wave_dates(plan.wave_plan, planned) if plan.wave_plan else planned


def _run_resource_allocation(plan: PlanDocument, portfolio: Portfolio) -> object:
    assert plan.wave_plan is not None
    return allocate_resources(portfolio, plan.wave_plan, plan.planning_config)


# The documents a phase writes: its own, and for the timeline the two it completes (one capacity truth:
# the allocation's utilisation comes from the schedule, and the schedule's hard violations, such as a wave
# over the duration limit, are listed with the wave plan's so the board shows them and they block completion).
PHASE_WRITES: dict[Phase, tuple[str, ...]] = {
    phase: (document,) for phase, document in PHASE_DOCUMENT.items()
} | {Phase.TIMELINE_GENERATION: ("timeline", "resource_allocation", "wave_plan")}

# Constraints that only the schedule can check; the timeline phase replaces them on the wave plan.
SCHEDULE_CONSTRAINTS = frozenset({"wave_duration", "fixed_cutover"})


def _run_timeline(plan: PlanDocument, portfolio: Portfolio) -> object:
    """The timeline; it also refreshes the allocation's utilisation and the wave plan's schedule
    violations on the plan (see PHASE_WRITES)."""
    assert plan.wave_plan is not None and plan.resource_allocation is not None
    timeline = build_timeline(portfolio, plan.wave_plan, plan.resource_allocation, plan.planning_config)
    plan.resource_allocation = with_schedule_utilisation(
        plan.resource_allocation, timeline, plan.planning_config
    )
    plan.wave_plan = with_schedule_violations(plan.wave_plan, timeline.violations)
    return timeline


def with_schedule_violations(wave_plan: WavePlan, scheduled: list[Violation]) -> WavePlan:
    """The wave plan with the schedule's violations in place of those of an earlier schedule."""
    kept = [v for v in wave_plan.violations if v.constraint not in SCHEDULE_CONSTRAINTS]
    return wave_plan.model_copy(update={"violations": kept + list(scheduled)})


def _run_costs(plan: PlanDocument, portfolio: Portfolio) -> object:
    """The cost estimate; the risk simulation of that estimate goes on the plan with it (`plan.risk`)."""
    assert plan.wave_plan is not None and plan.resource_allocation is not None
    estimate = estimate_costs(
        portfolio, plan.wave_plan, plan.resource_allocation, plan.timeline, plan.planning_config
    )
    plan.risk = risk_of(plan, portfolio, estimate)
    return estimate


def risk_of(plan: PlanDocument, portfolio: Portfolio, estimate: CostEstimate) -> RiskAnalysis | None:
    """The risk simulation of a cost estimate: `risk_iterations` iterations (200 by default; 0: none)
    seeded with the configuration's `random_seed`, so the same plan always gives the same figures.
    None without a timeline (nothing to simulate) or with zero iterations."""
    config = plan.planning_config
    if config.risk_iterations < 1 or plan.timeline is None or plan.resource_allocation is None:
        return None
    assert plan.wave_plan is not None
    return simulate_risk(
        portfolio,
        plan.wave_plan,
        plan.resource_allocation,
        plan.timeline,
        estimate,
        config,
        iterations=config.risk_iterations,
        seed=config.random_seed,
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
    configuration (not the list stored with it), and the timeline's (wave_duration, fixed_cutover);
    they block completing the plan."""
    if plan.wave_plan is None:
        return []
    scheduled = [v for v in plan.timeline.violations if v.hard] if plan.timeline is not None else []
    return hard_violations(plan.wave_plan, portfolio, plan.planning_config) + scheduled


def run_engine(plan: PlanDocument, portfolio: Portfolio, phase: Phase) -> object:
    """Run one phase's engine on the plan's current documents (pure; nothing is stored)."""
    check_prerequisites(plan, phase)
    return RUNNERS[phase](plan, portfolio)
