"""Times every phase of the flow for a generated portfolio.

    python -m benchmarks.flow --apps 1000 [--database-url URL] [--seed 7]

Last line: `flow apps=<n> seconds=<total> <phase>=<s> ... database=<dialect>`.
Without --database-url it uses a fresh SQLite file in a temporary folder.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from planning_core.demo import generate_portfolio
from planning_core.domain import RUNNABLE_PHASES, Phase
from planning_core.service.flow import PlanningService
from planning_core.service.workspace import open_database, workspace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        database = open_database(url)
        try:
            tenant = workspace(database, client_account=f"bench-{uuid.uuid4().hex[:8]}", engagement="flow")
            service = PlanningService(database, tenant)
            portfolio = generate_portfolio(apps=args.apps, seed=args.seed)
            started = time.perf_counter()
            service.import_portfolio(portfolio)
            timings: dict[str, float] = {"import": time.perf_counter() - started}
            mark = time.perf_counter()
            plan = service.initialize(
                selected_application_ids=[a.application_id for a in portfolio.applications],
                config={},
                run=False,
            )
            timings["initialize"] = time.perf_counter() - mark
            for phase in (*RUNNABLE_PHASES, Phase.COMPLETED):
                mark = time.perf_counter()
                plan = service.execute_phase(planning_flow_id=plan.planning_flow_id, phase=phase)
                timings[phase.value] = time.perf_counter() - mark
                print(f"{phase.value:22s} {timings[phase.value]:7.3f} s")
            total = sum(v for k, v in timings.items() if k != "import")
            waves = plan.wave_plan.summary.total_waves if plan.wave_plan else 0
            figures = " ".join(f"{k}={v:.3f}" for k, v in timings.items())
            print(
                f"flow apps={args.apps} seconds={total:.3f} waves={waves} phase={plan.current_phase.value} "
                f"{figures} database={database.dialect}"
            )
        finally:
            database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
