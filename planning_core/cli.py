"""`planning-flow`: the whole flow headless — demo portfolios, import (sync) and sources, plan, and the
commands about a stored plan's runs (status, resume, run-phase, export, worker: planning_core.cli_runs).

A refusal prints `error: ...` and exits 2; a fault (lost database, full disk, a bug) prints one
`error: ...` line naming the problem, never SQL or data, writes the details to the log file
(PLANNING_LOG_FILE) and exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from db.session import DatabaseUnavailable
from planning_core.agents import quiet_library_output, run_line
from planning_core.cli_runs import _existing_workspace, _print_summary, _summary_line, add_run_commands
from planning_core.errors import InvalidInput, PlanningError
from planning_core.plan import PlanDocument
from planning_core.service.faults import report_fault
from planning_core.service.flow import PlanningService, format_validation_error, parse_config
from planning_core.service.workspace import (
    DEMO_CLIENT,
    DEMO_ENGAGEMENT,
    open_database,
    workspace,
)
from planning_core.settings import get_settings


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
    for line in preview.default_lines():
        print(f"default: {line}", file=sys.stderr)
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
            sync = PortfolioService(database, tenant).sync(
                source, portfolio, format=preview.format, defaults=preview.default_lines()
            )
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
    if args.suggestions is not None:
        config = config.model_copy(update={"suggestion_mode": args.suggestions})
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
            defaults=preview.default_lines(),
        )
        args.plan_id = plan_id  # named in the error line if the run fails: `resume` continues it
        service = PlanningService(database, tenant)
        out = Path(args.out) if args.out else None
        with _quiet_specialists(out):
            service.run_all(plan_id)
        plan = service.get_plan(plan_id)  # with its import defaults as warnings
        if out is not None:
            write_outputs(plan, out)
        if get_settings().llm_configured:
            for run in plan.agent_execution_log:  # one line per specialist run
                print(run_line(run, plan.suggestions))
        _print_summary(service, plan, out)
    finally:
        database.dispose()
    return 0


def _quiet_specialists(out: Path | None) -> AbstractContextManager[object]:
    """With a model configured, the libraries behind the specialists log to a file (PLANNING_LOG_FILE,
    else agents.log in the output folder, else the default log file), never to the terminal."""
    settings = get_settings()
    if not settings.llm_configured:
        return nullcontext()
    if settings.log_file_setting is not None:
        return quiet_library_output(settings.log_file_setting)
    return quiet_library_output(out / "agents.log" if out is not None else settings.log_file())


def write_outputs(plan: PlanDocument, out: Path) -> None:
    """plan.json and every export the product has, into one folder."""
    out.mkdir(parents=True, exist_ok=True)
    try:
        from planning_core.export import write_all
    except ImportError:
        (out / "plan.json").write_text(plan.model_dump_json(indent=2), encoding="utf-8")
        return
    write_all(plan, out)


def _scenario_service(args: argparse.Namespace, database):
    """The scenario service of the --client/--engagement workspace, which must exist."""
    from planning_core.service.scenarios import ScenarioService

    tenant = _existing_workspace(database, args.client, args.engagement)
    if tenant is None:
        raise InvalidInput(
            f"Engagement {args.engagement!r} of client account {args.client!r} does not exist."
        )
    return ScenarioService(database, tenant)


def cmd_scenario(args: argparse.Namespace) -> int:
    """A scenario of a plan with the settings of --config changed, planned through every phase."""
    settings = _read_config(Path(args.config))
    database = open_database(args.database_url)
    try:
        plan = _scenario_service(args, database).create_scenario(args.plan_id, settings, name=args.name or "")
    finally:
        database.dispose()
    out = Path(args.out) if args.out else None
    if out is not None:
        write_outputs(plan, out)
    print(_summary_line(plan, out))
    assert plan.scenario is not None
    for line in plan.scenario.dropped:
        print(f"dropped: {line}", file=sys.stderr)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Two to four plans side by side, as JSON (and the comparison's PDF/XLSX next to it with --report)."""
    database = open_database(args.database_url)
    try:
        comparison = _scenario_service(args, database).compare(args.plan_ids)
    finally:
        database.dispose()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(comparison.cli_document(), indent=2), encoding="utf-8")
    if args.report:
        from planning_core.export.compare import render_comparison_pdf, render_comparison_xlsx

        out.with_suffix(".pdf").write_bytes(render_comparison_pdf(comparison))
        out.with_suffix(".xlsx").write_bytes(render_comparison_xlsx(comparison))
    print(
        f"compare plans={len(comparison.plans)} moved_applications={len(comparison.moved_applications)} out={out}"
    )
    return 0


def add_scenario_commands(sub, database_options) -> None:
    """`scenario PLAN_ID --config FILE` and `compare ID ID [ID ...] --out FILE.json`."""
    scenario = sub.add_parser(
        "scenario", help="create and plan a scenario of a plan with some settings changed"
    )
    scenario.add_argument("plan_id")
    scenario.add_argument("--config", required=True, help="JSON file of the settings to change")
    scenario.add_argument("--name", default=None)
    scenario.add_argument("--out", default=None, help="folder for the scenario's plan.json and exports")
    database_options(scenario)
    scenario.set_defaults(func=cmd_scenario)
    compare = sub.add_parser("compare", help="compare two to four plans of an engagement side by side")
    compare.add_argument("plan_ids", nargs="+", metavar="PLAN_ID")
    compare.add_argument("--out", required=True, help="the comparison's JSON file")
    compare.add_argument("--report", action="store_true", help="also write the comparison's .pdf and .xlsx")
    database_options(compare)
    compare.set_defaults(func=cmd_compare)


def _database_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--database-url", default=None, help="default: DATABASE_URL, else the embedded SQLite file"
    )
    p.add_argument("--client", default=DEMO_CLIENT, help="client account name")
    p.add_argument("--engagement", default=DEMO_ENGAGEMENT, help="engagement name")


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

    imp = sub.add_parser("import", help="import (sync) a portfolio file into an engagement as a named source")
    imp.add_argument("path")
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="preview what would be added, changed and removed; write nothing",
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
    plan.add_argument(
        "--suggestions",
        choices=("apply", "review"),
        default=None,
        help="the specialists' valid suggestions: applied at once (apply, the default) or kept pending for "
        "an analyst's review in the dashboard (review); overrides the config file's suggestion_mode",
    )
    source_option(plan)
    tenant_options(plan)
    plan.set_defaults(func=cmd_plan)
    add_scenario_commands(sub, _database_options)
    add_run_commands(sub, _database_options)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print(f"error: interrupted{_resume_hint(args)}", file=sys.stderr)
        return 130
    except DatabaseUnavailable as error:
        print(f"error: {report_fault(error, _context(args))}{_resume_hint(args)}", file=sys.stderr)
        return 1
    except PlanningError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:
        print(f"error: {format_validation_error(error)}", file=sys.stderr)
        return 2
    except Exception as error:  # a fault: one line here, the details in the log file
        print(f"error: {report_fault(error, _context(args))}{_resume_hint(args)}", file=sys.stderr)
        return 1


def _context(args: argparse.Namespace) -> str:
    return f"planning-flow {args.command}"


def _resume_hint(args: argparse.Namespace) -> str:
    plan_id = getattr(args, "plan_id", None)
    if args.command in ("plan", "resume", "run-phase") and plan_id:
        return f"; plan {plan_id} keeps its completed phases: planning-flow resume {plan_id}"
    return ""


if __name__ == "__main__":
    sys.exit(main())
