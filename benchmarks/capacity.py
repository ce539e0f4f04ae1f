"""One capacity truth, measured on a generated portfolio planned through the flow service (issue 15).

    python -m benchmarks.capacity --apps 400 --limit 60 [--seed 7] [--database-url URL]

Last line: `capacity apps=<n> limit=<days> waves=<w> over_limit=<k> flagged=<f> role_weeks_over=<r>
utilisation_agrees=<yes|no> makespan_days=<m> lower_bound_days=<b> gap_pct=<g> seconds=<t>`:
- over_limit: waves whose window (first activity start to last activity end, calendar days) exceeds the
  limit; flagged: those carried as hard `wave_duration` violations on the wave plan (should be equal);
- role_weeks_over: weeks in which a role's scheduled hours exceed its capacity (should be 0);
- utilisation_agrees: the plan's per-role utilisation equals the sums of the timeline's weekly load, and
  the stored resource_pools rows show the same percentages;
- makespan against the schedule's own lower bound (working days).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

from planning_core.demo import generate_portfolio
from planning_core.service.flow import PlanningService
from planning_core.service.workspace import open_database, workspace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apps", type=int, default=400)
    parser.add_argument("--limit", type=int, default=60, help="wave_duration_limit_days")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        database = open_database(args.database_url or f"sqlite:///{Path(tmp) / 'capacity.db'}")
        try:
            tenant = workspace(
                database, client_account=f"bench-{uuid.uuid4().hex[:8]}", engagement="capacity"
            )
            service = PlanningService(database, tenant)
            portfolio = generate_portfolio(apps=args.apps, seed=args.seed)
            service.import_portfolio(portfolio)
            started = time.perf_counter()
            plan = service.initialize(
                selected_application_ids=[a.application_id for a in portfolio.applications],
                config={"wave_duration_limit_days": args.limit},
            )
            seconds = time.perf_counter() - started
            assert plan.timeline is not None and plan.wave_plan is not None and plan.resource_allocation
            over = sorted(
                w.wave_number for w in plan.timeline.waves if (w.end - w.start).days + 1 > args.limit
            )
            flagged = sorted(
                n
                for v in plan.wave_plan.violations
                if v.constraint == "wave_duration"
                for n in v.wave_numbers
            )
            role_weeks_over = sum(
                1 for load in plan.timeline.resource_load if load.hours > load.capacity_hours + 1e-6
            )
            weekly: dict[str, list[float]] = {}
            for load in plan.timeline.resource_load:
                totals = weekly.setdefault(load.role, [0.0, 0.0])
                totals[0] += load.hours
                totals[1] += load.capacity_hours
            by_role = {u.role: u for u in plan.resource_allocation.utilisation_by_role}
            agrees = all(
                abs(by_role[role].scheduled_hours - hours) < 1e-6
                and abs(by_role[role].capacity_hours - cap) < 1e-6
                for role, (hours, cap) in weekly.items()
            ) and set(by_role) == set(weekly)
            with database.unit_of_work(tenant) as repo:
                rows = repo.plans.resource_pool_rows(plan.planning_flow_id)
            agrees = agrees and all(
                Decimal(str(r["utilization_percentage"]))
                == Decimal(str(round(by_role[r["role_name"]].utilisation_pct, 2)))
                for r in rows
                if r["role_name"] in by_role
            )
            solver = plan.timeline.solver
            makespan, bound = int(solver["makespan_days"]), int(solver["lower_bound_days"])
            for role, (hours, cap) in sorted(weekly.items()):
                print(
                    f"{role:22s} scheduled={hours:10.1f} h capacity={cap:10.1f} h utilisation={by_role[role].utilisation_pct:5.1f} %"
                )
            print(
                f"capacity apps={args.apps} limit={args.limit} waves={plan.wave_plan.summary.total_waves} "
                f"over_limit={len(over)} flagged={len(flagged)} role_weeks_over={role_weeks_over} "
                f"utilisation_agrees={'yes' if agrees else 'no'} makespan_days={makespan} "
                f"lower_bound_days={bound} gap_pct={100 * (makespan - bound) / max(bound, 1):.1f} "
                f"seconds={seconds:.2f}"
            )
        finally:
            database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
