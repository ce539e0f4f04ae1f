"""`planning-flow`: the whole flow headless — demo portfolios, import (sync) and sources, plan, export."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from planning_core.domain import TenantContext
from planning_core.errors import InvalidInput, PlanningError
from planning_core.plan import PlanDocument
from planning_core.service.flow import PlanningService, format_validation_error, parse_config
from planning_core.service.workspace import (
    DEMO_CLIENT,
    DEMO_ENGAGEMENT,
    LOCAL_USER,
    open_database,
    workspace,
)


def _read_config(path: Path | None) -> dict[str, Any]:
    """The JSON config file's object (keys left out take the documented defaults)."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise InvalidInput(f"Config file not found: {path}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"Config file {path} is not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise InvalidInput(f"Config file {path} must hold a JSON object of planning settings.")
    return data


def _summary_line(plan: PlanDocument, out: Path | None) -> str:
    """One line an operator can grep: the plan's key figures."""
    parts = [f"plan {plan.planning_flow_id}", f"phase={plan.current_phase.value}"]
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


def cmd_demo(args: argparse.Namespace) -> int:
    from planning_core.demo import generate_portfolio
    from planning_core.portfolio.template import write_template

    if args.apps < 1 or args.apps > 100_000:
        raise InvalidInput("--apps must be between 1 and 100,000")
    portfolio = generate_portfolio(apps=args.apps, seed=args.seed, dependencies=args.dependencies)
    write_template(portfolio, Path(args.out))
    print(
        f"demo apps={len(portfolio.applications)} dependencies={len(portfolio.dependencies)} out={args.out}"
    )
    return 0


def _describe(problem) -> str:
    where = f"row {problem.row}" if problem.row is not None else "file"
    if problem.column:
        where += f", column {problem.column}"
    return f"{where}: {problem.message}"


def _load_portfolio_file(path: Path, fmt: str | None, *, skip_bad_rows: bool = False):
    """Preview a portfolio file; refuse it (nothing written) when a row has an error, unless skipping."""
    from planning_core.portfolio.importers import preview_import

    if not path.exists():
        raise InvalidInput(f"Portfolio file not found: {path}")
    preview = preview_import(path, format=fmt)
    for problem in preview.problems:
        print(f"{problem.severity}: {_describe(problem)} ({problem.action})", file=sys.stderr)
    errors = [p for p in preview.problems if p.severity == "error"]
    if errors and not skip_bad_rows:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InvalidInput(
            f"{path}: {_describe(errors[0])}{more}; nothing was imported "
            "(fix the file, or pass --skip-bad-rows to import the other rows)"
        )
    if not preview.portfolio.applications:
        raise InvalidInput(f"{path}: no applications found; nothing was imported")
    return preview


def _source_name(args: argparse.Namespace, path: Path) -> str:
    """The source a file is imported as: --source, else the file's name."""
    from planning_core.service.portfolio import check_source_name

    return check_source_name(args.source if args.source is not None else path.name)


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


def cmd_import(args: argparse.Namespace) -> int:
    from planning_core import limits
    from planning_core.domain import Portfolio
    from planning_core.service.portfolio import PortfolioService, compute_sync

    path = Path(args.path)
    preview = _load_portfolio_file(path, args.format, skip_bad_rows=args.skip_bad_rows)
    portfolio = preview.portfolio
    source = _source_name(args, path)
    limits.check_portfolio_size(portfolio)
    database = open_database(args.database_url)
    try:
        if args.dry_run:
            tenant = _existing_workspace(database, args.client, args.engagement)
            if tenant is None:
                sync, _ = compute_sync(Portfolio(), [], source, portfolio)
            else:
                sync = PortfolioService(database, tenant).preview_sync(source, portfolio)
        else:
            tenant = workspace(database, client_account=args.client, engagement=args.engagement)
            sync = PortfolioService(database, tenant).sync(source, portfolio, format=preview.format)
    finally:
        database.dispose()
    print(
        f"import format={preview.format} source={source} applications={len(portfolio.applications)} "
        f"dependencies={len(portfolio.dependencies)} problems={len(preview.problems)}"
        + (" dry_run=yes" if args.dry_run else "")
    )
    for line in sync.lines():
        print(line)
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    from planning_core.service.portfolio import PortfolioService

    database = open_database(args.database_url)
    try:
        tenant = _existing_workspace(database, args.client, args.engagement)
        if tenant is None:
            if args.remove is not None:
                raise InvalidInput(f"Source {args.remove!r} does not exist in this engagement.")
            return 0
        service = PortfolioService(database, tenant)
        if args.remove is not None:
            removed = service.remove_source(args.remove)
            print(f"removed source {args.remove}")
            for line in removed.lines():
                print(line)
            return 0
        for info in service.sources():
            print(
                f"source {info.name} applications={info.applications} dependencies={info.dependencies} "
                f"imported={info.imported_at.isoformat()}"
            )
    finally:
        database.dispose()
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    """Plan exactly the file: every check first, then one transaction (sync + plan), then the phases."""
    from planning_core import limits
    from planning_core.service.portfolio import PortfolioService, check_plan_request

    config = parse_config(_read_config(Path(args.config) if args.config else None), analyst=True)
    name = args.name or ""
    check_plan_request(config, name, 1)
    path = Path(args.portfolio)
    preview = _load_portfolio_file(path, args.format, skip_bad_rows=args.skip_bad_rows)
    source = _source_name(args, path)
    limits.check_portfolio_size(preview.portfolio)
    check_plan_request(config, name, len(preview.portfolio.applications))
    if preview.pins:
        for app in preview.portfolio.applications:
            if app.application_id in preview.pins and app.pinned_wave is None:
                app.pinned_wave = preview.pins[app.application_id]
    database = open_database(args.database_url)
    try:
        tenant = workspace(database, client_account=args.client, engagement=args.engagement)
        plan_id, _ = PortfolioService(database, tenant).create_plan_of_source(
            source=source,
            portfolio=preview.portfolio,
            config=config,
            name=name,
            format=preview.format,
            other_dependencies=args.with_other_dependencies,
        )
        plan = PlanningService(database, tenant).run_all(plan_id)
    finally:
        database.dispose()
    out = Path(args.out) if args.out else None
    if out is not None:
        write_outputs(plan, out)
    print(_summary_line(plan, out))
    return 0


def write_outputs(plan: PlanDocument, out: Path) -> None:
    """plan.json and every export the product has, into one folder."""
    out.mkdir(parents=True, exist_ok=True)
    try:
        from planning_core.export import write_all
    except ImportError:
        (out / "plan.json").write_text(plan.model_dump_json(indent=2), encoding="utf-8")
        return
    write_all(plan, out)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planning-flow", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="write a deterministic demo portfolio in the project template")
    demo.add_argument("--apps", type=int, default=300)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--dependencies", type=int, default=None)
    demo.add_argument(
        "--out", required=True, help="an .xlsx file, or a folder for applications.csv + dependencies.csv"
    )
    demo.set_defaults(func=cmd_demo)

    def tenant_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--database-url", default=None, help="default: DATABASE_URL, else the embedded SQLite file"
        )
        p.add_argument("--client", default=DEMO_CLIENT, help="client account name")
        p.add_argument("--engagement", default=DEMO_ENGAGEMENT, help="engagement name")
        p.add_argument(
            "--format", default=None, help="portfolio format (detected from the file when left out)"
        )
        p.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="import the valid rows when some rows have errors (they are listed)",
        )

    def source_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--source",
            default=None,
            help="the source this file is (default: the file's name); importing a source again syncs it",
        )

    imp = sub.add_parser(
        "import", help="import (sync) a portfolio file into an engagement as a named source"
    )
    imp.add_argument("path")
    imp.add_argument(
        "--dry-run", action="store_true", help="preview what would be added, changed and removed; write nothing"
    )
    source_option(imp)
    tenant_options(imp)
    imp.set_defaults(func=cmd_import)

    sources = sub.add_parser("sources", help="list the sources of an engagement's portfolio, or remove one")
    sources.add_argument("--remove", default=None, metavar="NAME", help="remove this source")
    sources.add_argument(
        "--database-url", default=None, help="default: DATABASE_URL, else the embedded SQLite file"
    )
    sources.add_argument("--client", default=DEMO_CLIENT, help="client account name")
    sources.add_argument("--engagement", default=DEMO_ENGAGEMENT, help="engagement name")
    sources.set_defaults(func=cmd_sources)

    plan = sub.add_parser("plan", help="import a portfolio, run every phase, write plan.json and exports")
    plan.add_argument("--portfolio", required=True)
    plan.add_argument("--config", default=None, help="JSON file of planning settings")
    plan.add_argument("--out", default=None, help="folder for plan.json, report.pdf, plan.xlsx, ...")
    plan.add_argument("--name", default=None)
    plan.add_argument(
        "--with-other-dependencies",
        action="store_true",
        help="also enforce the dependencies other sources give among the file's applications",
    )
    source_option(plan)
    tenant_options(plan)
    plan.set_defaults(func=cmd_plan)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except PlanningError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:
        print(f"error: {format_validation_error(error)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
