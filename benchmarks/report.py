"""Report benchmark: plan N demo applications with the phase engines and time the PDF.

    python -m benchmarks.report --apps 1000 [--out DIR]

prints `report apps=<n> waves=<n> activities=<n> pdf_seconds=<t> pages=<n> cpu_seconds=<t> bytes=<n>`, then one
`export <name> seconds=<t> bytes=<n>` line for each of XLSX, CSV, MS Project XML and JSON; with --out it also
writes every export (report.pdf, plan.xlsx, plan.json, plan.mspdi.xml, csv/) to DIR. The 5,000-application
run (the largest plan the product accepts, see planning_core.limits) is the exports' size test.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from planning_core.demo import demo_planning_config, generate_portfolio
from planning_core.domain import Phase, PhaseStatus
from planning_core.engines.costs.engine import estimate_costs
from planning_core.engines.resources.engine import allocate_resources
from planning_core.engines.schedule.engine import build_timeline
from planning_core.engines.synthesis.engine import synthesize
from planning_core.engines.waves.engine import plan_waves
from planning_core.export import render_csv_tables, render_json, render_mspdi, render_xlsx, write_all
from planning_core.export.pdf.report import build_pdf
from planning_core.plan import PlanDocument

TODAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def engine_plan(n_apps: int, *, seed: int = 7) -> PlanDocument:
    """A completed plan of a deterministic demo portfolio, computed by the phase engines."""
    portfolio = generate_portfolio(apps=n_apps, seed=seed)
    config = demo_planning_config(today=TODAY.date())
    waves = plan_waves(portfolio, config, time_limit_s=10)
    allocation = allocate_resources(portfolio, waves, config)
    timeline = build_timeline(portfolio, waves, allocation, config)
    costs = estimate_costs(portfolio, waves, allocation, timeline, config)
    synthesis = synthesize(portfolio, waves, allocation, timeline, costs, config)
    return PlanDocument(
        planning_flow_id=f"demo-{n_apps}",
        name=f"Demo migration plan ({n_apps} applications)",
        client_account_id=1,
        engagement_id=1,
        client_account_name="Contoso Ltd",
        engagement_name="Data-centre exit",
        revision=1,
        current_phase=Phase.COMPLETED,
        phase_status=PhaseStatus.COMPLETED,
        phase_statuses={p: PhaseStatus.COMPLETED for p in Phase},
        planning_config=config,
        selected_applications=[a.application_id for a in portfolio.applications],
        applications=portfolio.applications,
        dependencies=portfolio.dependencies,
        wave_plan=waves,
        resource_allocation=allocation,
        timeline=timeline,
        cost_estimation=costs,
        synthesis=synthesis,
        created_at=TODAY,
        updated_at=TODAY,
        planning_completed_at=TODAY,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one result line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None, help="also write every export to this folder")
    args = parser.parse_args(argv)
    plan = engine_plan(args.apps, seed=args.seed)
    started, cpu_started = time.perf_counter(), time.process_time()
    pdf, pages = build_pdf(plan)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"report apps={args.apps} waves={len(plan.wave_plan.waves) if plan.wave_plan else 0} "
        f"activities={len(plan.timeline.activities) if plan.timeline else 0} pdf_seconds={seconds:.2f} "
        f"pages={pages} cpu_seconds={cpu:.2f} bytes={len(pdf)}"
    )
    for name, render in (
        ("xlsx", render_xlsx),
        ("csv", lambda p: b"".join(render_csv_tables(p).values())),
        ("mspdi", render_mspdi),
        ("json", render_json),
    ):
        started = time.perf_counter()
        data = render(plan)
        print(f"export {name} seconds={time.perf_counter() - started:.2f} bytes={len(data)}")
    if args.out is not None:
        write_all(plan, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
