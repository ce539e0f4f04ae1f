"""Times the risk simulation of a generated portfolio's plan.

    python -m benchmarks.risk --apps 1000 --iterations 1000 [--seed 0] [--portfolio-seed 7]

Builds the plan with the engines (wave planning, resource allocation, timeline, costs; default
configuration, no database), then times ``simulate_risk`` alone. Last line:

    risk apps=<n> iterations=<k> seconds=<t> end_date_p80=<d> total_cost_p80=<c>
"""

from __future__ import annotations

import argparse
import time

from planning_core.demo import generate_portfolio
from planning_core.domain import PlanningConfig
from planning_core.engines.costs.engine import estimate_costs
from planning_core.engines.resources.engine import allocate_resources
from planning_core.engines.risk.engine import DEFAULT_ITERATIONS, simulate_risk
from planning_core.engines.schedule.engine import build_timeline
from planning_core.engines.waves.engine import plan_waves


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.risk", description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--iterations", type=int, default=DEFAULT_ITERATIONS)
    parser.add_argument("--seed", type=int, default=0, help="seed of the simulation")
    parser.add_argument("--portfolio-seed", type=int, default=7, help="seed of the generated portfolio")
    args = parser.parse_args(argv)

    portfolio = generate_portfolio(apps=args.apps, seed=args.portfolio_seed)
    config = PlanningConfig()
    mark = time.perf_counter()
    wave_plan = plan_waves(portfolio, config)
    allocation = allocate_resources(portfolio, wave_plan, config)
    timeline = build_timeline(portfolio, wave_plan, allocation, config)
    costs = estimate_costs(portfolio, wave_plan, allocation, timeline, config)
    print(
        f"plan built in {time.perf_counter() - mark:.3f} s: {len(wave_plan.waves)} waves, "
        f"{len(timeline.activities)} activities, end {timeline.end_date}, total {costs.currency} {costs.total:,}"
    )
    started = time.perf_counter()
    risk = simulate_risk(
        portfolio, wave_plan, allocation, timeline, costs, config, iterations=args.iterations, seed=args.seed
    )
    seconds = time.perf_counter() - started
    print(
        f"end date P50 {risk.end_date_p50}, P80 {risk.end_date_p80}, P95 {risk.end_date_p95}; "
        f"P(end by {risk.target_date}) = {risk.probability_meeting_target:.2f}"
    )
    print(
        f"total P50 {risk.total_cost_p50:,}, P80 {risk.total_cost_p80:,}, P95 {risk.total_cost_p95:,}; "
        f"contingency covers P80: {'yes' if risk.contingency_covers_p80 else 'no'}"
    )
    for driver in risk.drivers[:5]:
        print(
            f"driver {driver.name}: end {driver.end_swing_days:+.1f} working days, cost {driver.cost_swing:+,}"
        )
    for warning in risk.warnings:
        print(f"warning: {warning}")
    print(
        f"risk apps={args.apps} iterations={args.iterations} seconds={seconds:.3f} "
        f"end_date_p80={risk.end_date_p80} total_cost_p80={risk.total_cost_p80}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
