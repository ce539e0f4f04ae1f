"""Team for a deadline (issue 15): the smallest team that ends a stored plan by a date, the earliest end
date of its current team, and one call that applies a team as a new revision of the plan's settings."""

from __future__ import annotations

from datetime import date

from planning_core.domain import Portfolio
from planning_core.engines.schedule.team import TeamAnswer, earliest_end_date, team_for_deadline
from planning_core.errors import PhaseOrderError
from planning_core.plan import PlanDocument
from planning_core.service.flow import PlanningService
from planning_core.service.queue import RunHandle


def _scheduled(service: PlanningService, planning_flow_id: str) -> tuple[PlanDocument, Portfolio]:
    plan = service.get_plan(planning_flow_id)
    if plan.wave_plan is None or plan.resource_allocation is None:
        raise PhaseOrderError("Plan the waves and allocate the resources first; then a team can be sized.")
    return plan, Portfolio(applications=plan.applications, dependencies=plan.dependencies)


def earliest_end(service: PlanningService, planning_flow_id: str) -> date:
    """The end date the scheduler gives the stored plan with its current team."""
    plan, portfolio = _scheduled(service, planning_flow_id)
    assert plan.wave_plan is not None and plan.resource_allocation is not None
    return earliest_end_date(portfolio, plan.wave_plan, plan.resource_allocation, plan.planning_config)


def team_for(
    service: PlanningService, planning_flow_id: str, target: date, bounds: dict[str, tuple[int, int]]
) -> TeamAnswer:
    """The smallest headcount per role (within the analyst's bounds) whose schedule ends by `target`,
    or, when none does, the earliest date the bounds allow (`answer.met` is False)."""
    plan, portfolio = _scheduled(service, planning_flow_id)
    assert plan.wave_plan is not None and plan.resource_allocation is not None
    return team_for_deadline(
        portfolio, plan.wave_plan, plan.resource_allocation, plan.planning_config, target, bounds
    )


def apply_team(
    service: PlanningService,
    planning_flow_id: str,
    expected_version: int,
    headcounts: dict[str, int],
    *,
    reason: str,
) -> RunHandle:
    """Set the pools' headcounts (a settings change: one revision, later phases recomputed)."""
    plan = service.get_plan(planning_flow_id)
    config = plan.planning_config
    pools = [
        p.model_copy(update={"headcount": headcounts.get(p.role, p.headcount)}) for p in config.resource_pools
    ]
    return service.change_config(
        planning_flow_id,
        expected_version,
        config.model_copy(update={"resource_pools": pools}).model_dump(mode="json"),  # validated again
        reason=reason or "Team sized for a deadline",
    )
