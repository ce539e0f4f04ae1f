"""Import benchmark: preview a generated Azure Migrate dependency export.

    python -m benchmarks.imports --rows 100000 [--apps 800] [--seed 7] [--keep PATH] [--resync-remove-pct 10]

Generates a seeded export (servers grouped into applications, calls between related applications,
two-way chatter in clusters, 5% administrative traffic, 2% servers known only by IP), then times
``preview_import`` on it (reading, decoding, parsing and aggregation) and its import as a named source
(one transaction). The line ``imports rows=<n> seconds=<t> applications=<a> dependencies=<d>`` follows.
With ``--resync-remove-pct P`` the same source is then imported again without P % of its applications
and P % of its dependencies (a sync that removes them), timed on its own:
``resync remove_pct=<p> seconds=<t> applications_removed=<a> dependencies_removed=<d>``.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
import uuid
from pathlib import Path

from planning_core.domain import Portfolio
from planning_core.portfolio.importers import preview_import
from planning_core.service.portfolio import PortfolioService
from planning_core.service.workspace import open_database, workspace

HEADER = [
    "Timeslot",
    "Source server name",
    "Source IP",
    "Source application",
    "Source process",
    "Destination server name",
    "Destination IP",
    "Destination application",
    "Destination process",
    "Destination port",
]
SERVICE_PORTS = (443, 80, 1433, 5432, 3306, 8080, 8443, 1521, 6379, 9092, 445)
ADMIN_PORTS = (3389, 22, 5985, 161, 53)


def generate(path: Path, *, rows: int, apps: int, seed: int) -> None:
    """Write a seeded Azure Migrate dependency export with ``rows`` connection rows."""
    rng = random.Random(seed)
    servers = []
    for app in range(apps):
        for index in range(rng.randint(1, 5)):
            ip = f"10.{app // 250}.{app % 250}.{index + 10}"
            name = "" if rng.random() < 0.02 else f"srv-{app:04d}-{index}"
            servers.append((name, ip, f"App{app:04d}" if name else "", app))
    by_app: dict[int, list[tuple[str, str, str, int]]] = {}
    for server in servers:
        by_app.setdefault(server[3], []).append(server)
    callees = {app: rng.sample(range(apps), k=rng.randint(0, 4)) for app in range(apps)}
    callers = [s for s in servers if callees[s[3]]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(rows):
            slot = f"2025-06-{1 + (number // 20000) % 28:02d} {(number // 5000) % 4 * 6:02d}:00"
            source = rng.choice(callers)
            if rng.random() < 0.05:
                target, port = rng.choice(servers), rng.choice(ADMIN_PORTS)
            else:
                app = source[3]
                if app % 10 in (0, 1) and rng.random() < 0.5:
                    peer = app + 1 if app % 10 == 0 else app - 1  # clusters that chatter both ways
                    targets = [peer % apps]
                else:
                    targets = callees[app]
                target, port = rng.choice(by_app[rng.choice(targets)]), rng.choice(SERVICE_PORTS)
            writer.writerow(
                [
                    slot,
                    source[0],
                    source[1],
                    source[2],
                    "java.exe",
                    target[0],
                    target[1],
                    target[2],
                    "sqlservr.exe" if port == 1433 else "nginx.exe",
                    port,
                ]
            )


def main(argv: list[str] | None = None) -> None:
    """Generate, import (parse, then one transaction into the database) and print the timing line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--apps", type=int, default=800)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None, help="write the generated export here and keep it")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temp folder")
    parser.add_argument(
        "--resync-remove-pct", type=float, default=None, help="then time a re-import without this % of rows"
    )
    args = parser.parse_args(argv)
    resync = None
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "azure_migrate_dependency_export.csv"
        generate(path, rows=args.rows, apps=args.apps, seed=args.seed)
        database = open_database(args.database_url or f"sqlite:///{Path(folder) / 'imports.db'}")
        try:
            tenant = workspace(database, client_account=f"bench-{uuid.uuid4().hex[:8]}", engagement="imports")
            service = PortfolioService(database, tenant)
            started, cpu_started = time.perf_counter(), time.process_time()
            preview = preview_import(path)
            parsed = time.perf_counter() - started
            done = service.sync(path.name, preview.portfolio, format=preview.format)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            applications, dependencies = len(done.applications_added), len(done.dependencies_added)
            if args.resync_remove_pct:
                reduced = _without(preview.portfolio, args.resync_remove_pct)
                resync_started = time.perf_counter()
                again = service.sync(path.name, reduced, format=preview.format)
                resync = (time.perf_counter() - resync_started, again)
            dialect = database.dialect
        finally:
            database.dispose()
    print(
        f"format={preview.format} problems={len(preview.problems)} parse_seconds={parsed:.2f} "
        f"cpu_seconds={cpu:.2f} database={dialect} stats={preview.stats}"
    )
    print(
        f"imports rows={args.rows} seconds={seconds:.2f} applications={applications} dependencies={dependencies}"
    )
    if resync is not None:
        resync_seconds, again = resync
        print(
            f"resync remove_pct={args.resync_remove_pct:g} seconds={resync_seconds:.2f} "
            f"applications_removed={len(again.applications_removed)} "
            f"dependencies_removed={len(again.dependencies_removed)}"
        )


def _without(portfolio: Portfolio, pct: float) -> Portfolio:
    """The portfolio without every n-th application (and its dependencies) and every n-th dependency."""
    step = max(1, round(100 / pct))
    kept = [a for index, a in enumerate(portfolio.applications) if index % step != step - 1]
    ids = {a.application_id for a in kept}
    dependencies = [
        d
        for index, d in enumerate(portfolio.dependencies)
        if index % step != step - 1 and d.source_application_id in ids and d.target_application_id in ids
    ]
    return Portfolio(applications=kept, dependencies=dependencies)


if __name__ == "__main__":
    main()
