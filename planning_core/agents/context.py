"""What a specialist works on, and the pure functions behind its tools (each returns JSON text).

The tools give agents real data: full application ids, dependencies, the validators and the engines.
Nothing here changes a stored document; a proposal only takes effect through planning_core.agents.review.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from planning_core.domain import Phase, PlanningConfig, Portfolio, to_money
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.schedule.models import Timeline
from planning_core.engines.waves.constraints import cut_weight, validate_wave_plan
from planning_core.engines.waves.edits import move_application, with_pins
from planning_core.engines.waves.models import WavePlan
from planning_core.errors import InvalidInput
from planning_core.plan import PlanDocument

TOOL_SOLVER_SECONDS = 3.0
MAX_LISTED = 60


@dataclass(frozen=True)
class AdviceContext:
    """One phase's review: the plan so far, the portfolio, and the engine's new document."""

    phase: Phase
    plan: PlanDocument
    portfolio: Portfolio
    document: object
    memory: str = ""

    @property
    def config(self) -> PlanningConfig:
        return self.plan.planning_config

    @property
    def wave_plan(self) -> WavePlan | None:
        return self.document if isinstance(self.document, WavePlan) else self.plan.wave_plan

    @property
    def allocation(self) -> ResourceAllocation | None:
        if isinstance(self.document, ResourceAllocation):
            return self.document
        return self.plan.resource_allocation

    @property
    def timeline(self) -> Timeline | None:
        return self.document if isinstance(self.document, Timeline) else self.plan.timeline


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def _require_waves(ctx: AdviceContext) -> WavePlan:
    if ctx.wave_plan is None:
        raise InvalidInput("There is no wave plan yet.")
    return ctx.wave_plan


def lookup_application(ctx: AdviceContext, application_id: str) -> str:
    """An application's fields, its wave, and every dependency with the other application's wave."""
    app = ctx.portfolio.by_id().get(application_id.strip())
    if app is None:
        return _json({"error": f"No application {application_id!r} in this plan."})
    wave_of = ctx.wave_plan.wave_of() if ctx.wave_plan else {}
    deps = []
    for dep in ctx.portfolio.dependencies:
        if app.application_id not in (dep.source_application_id, dep.target_application_id):
            continue
        other = (
            dep.target_application_id
            if dep.source_application_id == app.application_id
            else dep.source_application_id
        )
        deps.append(
            {
                "type": dep.dependency_type.value,
                "source": dep.source_application_id,
                "target": dep.target_application_id,
                "weight": dep.weight,
                "other_wave": wave_of.get(other),
            }
        )
    return _json(
        {
            "application_id": app.application_id,
            "name": app.name,
            "strategy": app.six_r_strategy.value,
            "complexity": app.complexity,
            "criticality": app.business_criticality.value,
            "effort_hours": app.effort,
            "pinned_wave": app.pinned_wave,
            "wave": wave_of.get(app.application_id),
            "dependencies": deps,
        }
    )


def validate_plan(ctx: AdviceContext) -> str:
    """The current wave plan's hard violations and warnings, with its size and bounds."""
    plan = _require_waves(ctx)
    violations = validate_wave_plan(plan, ctx.portfolio, ctx.config)
    return _json(
        {
            "waves": len(plan.waves),
            "lower_bound": plan.lower_bound,
            "cut_weight": cut_weight(plan, ctx.portfolio),
            "hard_violations": [v.message for v in violations if v.hard][:MAX_LISTED],
            "warnings": [v.message for v in violations if not v.hard][:MAX_LISTED],
        }
    )


def validate_move(ctx: AdviceContext, application_id: str, to_wave: int) -> str:
    """Whether moving one application to a wave passes the analyst's validation, and its effect."""
    plan = _require_waves(ctx)
    before = {v.message for v in validate_wave_plan(plan, ctx.portfolio, ctx.config) if v.hard}
    try:
        moved = move_application(
            plan, ctx.portfolio, ctx.config, application_id=application_id.strip(), to_wave=int(to_wave)
        )
    except InvalidInput as error:
        return _json({"valid": False, "reason": str(error)})
    broken = [v.message for v in moved.violations if v.hard and v.message not in before]
    return _json(
        {
            "valid": not broken,
            "new_hard_violations": broken[:MAX_LISTED],
            "cut_weight_before": cut_weight(plan, ctx.portfolio),
            "cut_weight_after": cut_weight(moved, ctx.portfolio),
        }
    )


def optimize_with_lock(ctx: AdviceContext, application_id: str, wave: int) -> str:
    """Re-run the wave optimizer with one extra lock (application in wave) and report the result."""
    from planning_core.engines.waves.engine import plan_waves

    if application_id.strip() not in ctx.portfolio.by_id():
        return _json({"error": f"No application {application_id!r} in this plan."})
    pinned = with_pins(ctx.portfolio, {application_id.strip(): int(wave)})
    try:
        result = plan_waves(
            pinned, ctx.config, time_limit_s=min(TOOL_SOLVER_SECONDS, ctx.config.solver_time_limit_seconds)
        )
    except InvalidInput as error:
        return _json({"error": str(error)})
    current = _require_waves(ctx)
    return _json(
        {
            "waves_with_lock": len(result.waves),
            "waves_now": len(current.waves),
            "cut_weight_with_lock": result.summary.cut_weight,
            "cut_weight_now": current.summary.cut_weight,
            "hard_violations_with_lock": [v.message for v in result.violations if v.hard][:MAX_LISTED],
        }
    )


def wave_resources(ctx: AdviceContext, wave_number: int) -> str:
    """Hours, capacity and utilisation per role in one wave."""
    allocation = ctx.allocation
    if allocation is None:
        return _json({"error": "There is no resource allocation yet."})
    rows = [a for a in allocation.allocations if a.wave_number == int(wave_number)]
    if not rows:
        waves = sorted({a.wave_number for a in allocation.allocations})
        return _json({"error": f"No wave {wave_number}; waves are {waves}."})
    return _json(
        [
            {
                "role": a.role,
                "hours": a.hours,
                "capacity_hours": a.capacity_hours,
                "utilisation_pct": a.utilisation_pct,
                "over_allocated": a.over_allocated,
            }
            for a in rows
        ]
    )


def explain_critical_path(ctx: AdviceContext) -> str:
    """The critical path's activities with dates and slack, and the activities with the least slack."""
    timeline = ctx.timeline
    if timeline is None:
        return _json({"error": "There is no timeline yet."})
    by_id = {a.id: a for a in timeline.activities}
    path = [by_id[i] for i in timeline.critical_path if i in by_id]
    near = sorted((a for a in timeline.activities if not a.critical), key=lambda a: (a.slack_days, a.id))[:10]
    return _json(
        {
            "start": timeline.start_date,
            "end": timeline.end_date,
            "working_days": timeline.total_working_days,
            "critical_path": [
                {"id": a.id, "name": a.name, "start": a.start, "end": a.end, "days": a.duration_days}
                for a in path
            ],
            "least_slack": [{"id": a.id, "slack_days": a.slack_days} for a in near],
        }
    )


def price_change(ctx: AdviceContext, role: str, hours_delta: float) -> str:
    """What adding (or removing) hours of a role costs, with the plan's contingency."""
    pool = next((p for p in ctx.config.resource_pools if p.role == role.strip()), None)
    if pool is None:
        roles = ", ".join(p.role for p in ctx.config.resource_pools)
        return _json({"error": f"No resource pool {role!r}; roles are {roles}."})
    labour = to_money(Decimal(str(hours_delta)) * pool.hourly_rate)
    contingency = to_money(labour * Decimal(str(ctx.config.contingency_percentage)) / Decimal(100))
    return _json(
        {
            "role": pool.role,
            "hours_delta": hours_delta,
            "hourly_rate": str(pool.hourly_rate),
            "labour_delta": str(labour),
            "contingency_delta": str(contingency),
            "total_delta": str(labour + contingency),
            "currency": pool.currency,
        }
    )
