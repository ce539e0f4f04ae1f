"""Wave planner on a generated portfolio, against a greedy baseline and "chunk in input order".

    python -m benchmarks.portfolio --apps N --dependencies M --seed S --time-limit T

Last line: `portfolio apps=<N> waves=<w> lower_bound=<lb> hard_violations=<v> cut_weight=<c>
seconds=<t> greedy_waves=<g> chunk_waves=<k>` (plus the chunk plan's hard violations before it).
"""

from __future__ import annotations

import argparse
import sys
import time

from planning_core.demo import generate_portfolio
from planning_core.domain import PlanningConfig, Portfolio
from planning_core.engines.waves.constraints import hard_violations
from planning_core.engines.waves.engine import plan_waves
from planning_core.engines.waves.greedy import best_greedy
from planning_core.engines.waves.models import Wave, WaveAssignment, WavePlan, WavePlanSummary
from planning_core.engines.waves.units import build_problem


def greedy_baseline(portfolio: Portfolio, config: PlanningConfig) -> int:
    """Waves of the plain priority-rule construction (no exact search, no improvement)."""
    fixed = {a.application_id: a.pinned_wave for a in portfolio.applications if a.pinned_wave and a.migrated}
    result = best_greedy(build_problem(portfolio, config, fixed=fixed), seed=config.random_seed)
    return max(result[0], default=0) if result else 0


def chunk_plan(portfolio: Portfolio, config: PlanningConfig) -> WavePlan:
    """The origin system's fallback: migrated apps in input order, max apps per wave, nothing else."""
    apps = [a for a in portfolio.applications if a.migrated]
    size = config.max_apps_per_wave
    waves = [
        Wave(
            wave_number=k + 1,
            applications=[
                WaveAssignment(
                    application_id=a.application_id,
                    name=a.name,
                    six_r_strategy=a.six_r_strategy,
                    complexity=a.complexity,
                    business_criticality=a.business_criticality,
                    effort_hours=a.effort,
                )
                for a in apps[k * size : (k + 1) * size]
            ],
        )
        for k in range((len(apps) + size - 1) // size)
    ]
    summary = WavePlanSummary(
        total_waves=len(waves),
        total_applications=len(portfolio.applications),
        migrated_applications=len(apps),
        not_migrated_applications=len(portfolio.applications) - len(apps),
        total_effort_hours=round(sum(a.effort for a in apps), 1),
        effort_capacity_hours=config.wave_effort_capacity_hours,
        max_apps_per_wave=size,
    )
    return WavePlan(waves=waves, summary=summary)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, required=True)
    parser.add_argument("--dependencies", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args(argv)
    portfolio = generate_portfolio(apps=args.apps, seed=args.seed, dependencies=args.dependencies)
    config = PlanningConfig(
        random_seed=args.seed, solver_time_limit_seconds=min(max(args.time_limit, 0.01), 600)
    )
    started = time.perf_counter()
    plan = plan_waves(portfolio, config, time_limit_s=args.time_limit)
    seconds = time.perf_counter() - started
    hard = hard_violations(plan, portfolio, config)
    greedy = greedy_baseline(portfolio, config)
    chunk = chunk_plan(portfolio, config)
    chunk_hard = hard_violations(chunk, portfolio, config)
    print(
        f"dependencies={len(portfolio.dependencies)} units={plan.solver.get('units')} "
        f"method={plan.solver.get('method')} status={plan.solver.get('status')} "
        f"lower_bound_kind={plan.lower_bound_kind} chunk_hard_violations={len(chunk_hard)}"
    )
    print(
        f"portfolio apps={args.apps} waves={plan.summary.total_waves} lower_bound={plan.lower_bound} "
        f"hard_violations={len(hard)} cut_weight={plan.summary.cut_weight:g} seconds={seconds:.2f} "
        f"greedy_waves={greedy} chunk_waves={chunk.summary.total_waves}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
