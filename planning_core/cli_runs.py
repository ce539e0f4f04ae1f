"""The commands of `planning-flow` about a stored plan's runs: status, resume, run-phase, export, and the
background worker; and the summary line every command that runs phases prints (planning_core.cli).

Lines a script can parse: `plan <id> phase=<phase> status=<status> ...` (see `_summary_line` and
`_status_line`); `status=running` only while a live process owns the run.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from planning_core.domain import TenantContext
from planning_core.errors import InvalidInput
from planning_core.plan import PlanDocument
from planning_core.service.faults import retry_once
from planning_core.service.flow import PlanningService, PlanStatus
from planning_core.service.queue import plan_status
from planning_core.service.workspace import LOCAL_USER, open_database


def _summary_line(
    plan: PlanDocument, out: Path | None, status: PlanStatus | None = None, hard_violations: int = 0
) -> str:
    """One line an operator can grep: the plan's real state (blocked, with its hard violations, when
    completion is refused) and key figures."""
    status = status or plan_status(plan, None, now=plan.updated_at or datetime.now(UTC), stale_after_s=0)
    parts = [f"plan {plan.planning_flow_id}", f"phase={status.phase.value}", f"status={status.status}"]
    if status.status == "blocked":
        parts.append(f"hard_violations={hard_violations}")
    parts.append(f"apps={len(plan.selected_applications)}")
    if plan.wave_plan:
        parts += [
            f"waves={plan.wave_plan.summary.total_waves}",
            f"lower_bound={plan.wave_plan.lower_bound}",
            f"not_migrated={len(plan.wave_plan.not_migrated)}",
        ]
    if plan.timeline:
        parts += [
            f"start={plan.timeline.start_date}",
            f"end={plan.timeline.end_date}",
            f"duration_days={plan.timeline.total_duration_days}",
        ]
    if plan.cost_estimation:
        parts.append(f"total_cost={plan.cost_estimation.total} {plan.cost_estimation.currency}")
    parts.append(f"warnings={len(plan.warnings)}")
    if out is not None:
        parts.append(f"out={out}")
    return " ".join(parts)


def _print_summary(service: PlanningService, plan: PlanDocument, out: Path | None = None) -> None:
    status = service.plan_status(plan.planning_flow_id)
    print(
        _summary_line(plan, out, status, service.hard_violations(plan) if status.status == "blocked" else 0)
    )


def _existing_workspace(database, client: str, engagement: str) -> TenantContext | None:
    """The workspace's tenant if the client account and engagement exist (nothing is created)."""
    with database.tenancy() as tenancy:
        client_id = next((i for i, n in tenancy.list_client_accounts() if n == client), None)
        if client_id is None:
            return None
        engagement_id = next((i for i, n in tenancy.list_engagements(client_id) if n == engagement), None)
    if engagement_id is None:
        return None
    return TenantContext(client_account_id=client_id, engagement_id=engagement_id, user_id=LOCAL_USER)


EXPORT_FORMATS = ("pdf", "xlsx", "csv", "json", "mspdi")


def _one_line(text: str) -> str:
    """Text on one line (control characters, such as a newline in a plan's name, become spaces)."""
    return "".join(c if c.isprintable() else " " for c in text)


def _status_line(status: PlanStatus) -> str:
    updated = status.updated_at.isoformat() if status.updated_at is not None else "-"
    return (
        f"plan {status.planning_flow_id} phase={status.phase.value} status={status.status} "
        f"revision={status.revision} updated={updated} name={_one_line(status.name)}"
    )


def _service(args: argparse.Namespace, database) -> PlanningService:
    """The service of the --client / --engagement workspace, which must exist (nothing is created)."""
    tenant = _existing_workspace(database, args.client, args.engagement)
    if tenant is None:
        raise InvalidInput(f"Engagement {args.engagement!r} of client {args.client!r} does not exist.")
    return PlanningService(database, tenant)


def cmd_status(args: argparse.Namespace) -> int:
    """One line per plan of the workspace (or the one plan asked for)."""
    database = open_database(args.database_url)
    try:
        tenant = retry_once(lambda: _existing_workspace(database, args.client, args.engagement))
        if tenant is None:
            if args.plan_id is not None:
                raise InvalidInput(f"Plan {args.plan_id} does not exist in this engagement.")
            return 0
        service = PlanningService(database, tenant)
        if args.plan_id is not None:
            statuses = [retry_once(lambda: service.plan_status(args.plan_id))]
        else:
            statuses = retry_once(service.plan_statuses)
    finally:
        database.dispose()
    for status in statuses:
        print(_status_line(status))
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    """Run the plan's remaining phases, from the first unfinished one; print the summary line."""
    database = open_database(args.database_url)
    try:
        service = _service(args, database)
        args.plan_id = args.plan
        plan = service.resume(args.plan)
        _print_summary(service, plan)
    finally:
        database.dispose()
    return 0


def cmd_run_phase(args: argparse.Namespace) -> int:
    """Run one phase (its earlier phases must be completed); print the summary line."""
    database = open_database(args.database_url)
    try:
        service = _service(args, database)
        args.plan_id = args.plan
        plan = service.execute_phase(planning_flow_id=args.plan, phase=args.phase)
        _print_summary(service, plan)
    finally:
        database.dispose()
    return 0


def _formats(value: str) -> list[str]:
    formats = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [f for f in formats if f not in EXPORT_FORMATS]
    if unknown or not formats:
        raise InvalidInput(
            f"Unknown export format {', '.join(unknown) or repr(value)}; formats are: {', '.join(EXPORT_FORMATS)}."
        )
    return list(dict.fromkeys(formats))


def export_files(plan: PlanDocument, formats: list[str]) -> dict[str, bytes]:
    """The files of the chosen formats (name inside the output folder -> content)."""
    from planning_core.export.data import render_csv_tables, render_json, render_xlsx
    from planning_core.export.mspdi import render_mspdi
    from planning_core.export.pdf.report import render_pdf

    files: dict[str, bytes] = {}
    for fmt in formats:
        if fmt == "pdf":
            files["report.pdf"] = render_pdf(plan)
        elif fmt == "xlsx":
            files["plan.xlsx"] = render_xlsx(plan)
        elif fmt == "json":
            files["plan.json"] = render_json(plan)
        elif fmt == "mspdi":
            if plan.timeline is None:
                raise InvalidInput(
                    "The mspdi export needs the plan's timeline: run timeline_generation first."
                )
            files["plan.mspdi.xml"] = render_mspdi(plan)
        else:
            files.update({f"csv/{name}": data for name, data in render_csv_tables(plan).items()})
    return files


def cmd_export(args: argparse.Namespace) -> int:
    """Write a stored plan's exports to a folder."""
    formats = _formats(args.formats)
    database = open_database(args.database_url)
    try:
        service = _service(args, database)
        plan = retry_once(lambda: service.get_plan(args.plan))
    finally:
        database.dispose()
    files = export_files(plan, formats)
    out = Path(args.out)
    for name, data in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"export plan {plan.planning_flow_id} formats={','.join(formats)} files={len(files)} out={out}")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Run background runs until stopped: a procrastinate worker on Postgres, the polling worker on SQLite."""
    import time

    from planning_core.service.runs import reap_dead_jobs, run_task_worker, start_inprocess_worker

    database = open_database(args.database_url)
    try:
        reap_dead_jobs(database)
        print(f"worker database={database.dialect} started", flush=True)
        if database.dialect == "postgresql":
            run_task_worker(database, concurrency=args.concurrency)
        else:
            handle = start_inprocess_worker(database)
            try:
                while handle.thread.is_alive():
                    time.sleep(1.0)
            finally:
                handle.stop()
    finally:
        database.dispose()
    print("worker stopped")
    return 0


def add_run_commands(sub, database_options: Callable[[argparse.ArgumentParser], None]) -> None:  # noqa: ANN001
    """status, resume, run-phase, export and worker (`database_options`: --database-url, --client, --engagement)."""
    status = sub.add_parser(
        "status",
        help="one line per plan: plan ID phase=P status=S revision=N updated=T name=NAME "
        "(status=running only while a live process runs it; interrupted when that process died)",
    )
    status.add_argument("plan_id", nargs="?", default=None, metavar="PLAN_ID")
    database_options(status)
    status.set_defaults(func=cmd_status)
    resume = sub.add_parser(
        "resume", help="run a plan's remaining phases (after an interrupted or failed run)"
    )
    resume.add_argument("plan", metavar="PLAN_ID")
    database_options(resume)
    resume.set_defaults(func=cmd_resume)
    run_phase = sub.add_parser("run-phase", help="run one phase of a plan (its earlier phases must be done)")
    run_phase.add_argument("plan", metavar="PLAN_ID")
    run_phase.add_argument(
        "phase", metavar="PHASE", help="wave_planning, resource_allocation, ..., completed"
    )
    database_options(run_phase)
    run_phase.set_defaults(func=cmd_run_phase)
    export = sub.add_parser("export", help="write a stored plan's exports to a folder")
    export.add_argument("plan", metavar="PLAN_ID")
    export.add_argument("--out", required=True, help="the output folder")
    export.add_argument(
        "--format", dest="formats", default=",".join(EXPORT_FORMATS), help="pdf,xlsx,csv,json,mspdi"
    )
    database_options(export)
    export.set_defaults(func=cmd_export)
    worker = sub.add_parser(
        "worker", help="run queued background runs until stopped (Postgres: procrastinate)"
    )
    worker.add_argument("--database-url", default=None)
    worker.add_argument("--concurrency", type=int, default=1, help="runs at once (Postgres)")
    worker.set_defaults(func=cmd_worker)
