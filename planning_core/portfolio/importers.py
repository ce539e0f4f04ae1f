"""Import previews: read a portfolio file of any supported format into a validated Portfolio, with
every row-level problem and what was done about it. Nothing here writes anywhere.

``preview_import`` never raises on bad rows (they are reported and skipped or defaulted); it raises
``PortfolioFormatError`` only when the file as a whole cannot be used: missing, empty, binary, wrong
encoding, unknown format, or missing required columns.

Formats (``FORMATS``) and how each is recognised:

- ``template``: a folder with applications.csv, a CSV with ``application_id`` and ``name`` (or the
  dependencies CSV beside it), a workbook with an ``applications`` sheet holding ``name``, or a zip
  holding applications.csv and dependencies.csv.
- ``konveyor``: a CSV with ``Record Type 1`` and ``Application Name``.
- ``azure_migrate``: a CSV with ``Source server name``, ``Destination server name``, ``Destination port``.
- ``aws_mpa``: a workbook with MPA sheets (``Infrastructure``, ``Databases``, ``App2App``...) or an
  ``Applications`` sheet holding ``Application Name``.
- ``cmf``: a CSV with ``app_name`` and ``server_name``.

A workbook with one sheet in a CSV format is read like that CSV. A zip of CSV files is read like a
workbook whose sheets are the files (named without ``.csv``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from planning_core.domain import DependencyType, Portfolio
from planning_core.errors import PortfolioFormatError
from planning_core.portfolio import aws_mpa, azure_migrate, cmf, konveyor, template
from planning_core.portfolio.common import Parsed, report_cycles, server_map
from planning_core.portfolio.merge import MergePreview, merge_previews, plan_merge
from planning_core.portfolio.models import (
    DefaultApplied,
    ImportOptions,
    ImportPreview,
    ImportProblem,
    Problems,
)
from planning_core.portfolio.sources import (
    Table,
    decode_text,
    is_spreadsheet_archive,
    is_workbook,
    parse_csv_text,
    read_bytes,
    read_csv_archive,
    read_workbook,
)

__all__ = [
    "FORMATS",
    "DefaultApplied",
    "ImportOptions",
    "ImportPreview",
    "ImportProblem",
    "MergePreview",
    "detect_format",
    "merge_previews",
    "plan_merge",
    "preview_import",
    "server_map",
]

FORMATS = ("template", "konveyor", "azure_migrate", "aws_mpa", "cmf")
_CSV_SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # format: (columns that identify it, columns it cannot do without)
    "template": (tuple(template.APPLICATION_COLUMNS), template.REQUIRED_APPLICATION_COLUMNS),
    "konveyor": (konveyor.SIGNATURE, konveyor.REQUIRED),
    "azure_migrate": (azure_migrate.SIGNATURE, azure_migrate.REQUIRED),
    "cmf": (cmf.SIGNATURE, cmf.REQUIRED),
}
_TEMPLATE_DEPENDENCIES = (tuple(template.DEPENDENCY_COLUMNS), template.REQUIRED_DEPENDENCY_COLUMNS)
_MPA_ONLY_SHEETS = tuple(s for s in aws_mpa.SHEETS if s != aws_mpa.APPLICATIONS)


@dataclass
class _Source:
    """A file as read once: a folder (template), one table (CSV) or the sheets of a workbook."""

    path: Path
    table: Table | None = None
    sheets: dict[str, Table] | None = None


def _load(path: Path, *, options: ImportOptions, problems: Problems) -> _Source:
    path = Path(path)
    if path.is_dir():
        if not (path / template.APPLICATIONS_CSV).is_file():
            raise PortfolioFormatError(
                f"{path} is a folder without {template.APPLICATIONS_CSV}: not a portfolio template"
            )
        return _Source(path=path)
    data = read_bytes(path)
    if is_workbook(data) and not is_spreadsheet_archive(data):
        return _Source(
            path=path, sheets=read_csv_archive(path, data, encoding=options.encoding, problems=problems)
        )
    if is_workbook(data):
        return _Source(path=path, sheets=read_workbook(path, problems=problems))
    text = decode_text(data, encoding=options.encoding, name=path.name, problems=problems)
    return _Source(path=path, table=parse_csv_text(text, name=path.name, problems=problems))


def _detect(source: _Source) -> str:
    if source.sheets is None and source.table is None:
        return "template"
    if source.sheets is not None:
        return _detect_workbook(source)
    return _detect_table(source.table, name=source.path.name)  # type: ignore[arg-type]


def _detect_workbook(source: _Source) -> str:
    sheets = source.sheets or {}
    if any(aws_mpa.sheet(sheets, name) is not None for name in _MPA_ONLY_SHEETS):
        return "aws_mpa"
    apps = aws_mpa.sheet(sheets, template.APPLICATIONS_SHEET)
    if apps is not None:
        if apps.best_hits(("name",)) and apps.best_hits(("application_id",)):
            return "template"
        if apps.best_hits((aws_mpa.APP_NAME,)) or apps.best_hits((aws_mpa.APP_ID,)):
            return "aws_mpa"
    non_empty = [t for t in sheets.values() if t.rows]
    if len(non_empty) == 1:
        found = _detect_table(non_empty[0], name=source.path.name)
        if found != "template" or non_empty[0].best_hits(template.REQUIRED_APPLICATION_COLUMNS) == 2:
            return found
    raise PortfolioFormatError(
        f"{source.path.name}: cannot tell the format from its sheets ({', '.join(sheets)[:200] or 'none'}); "
        "expected 'applications'/'dependencies' (template) or the MPA sheets (Applications, Infrastructure, ...)"
    )


def _detect_table(table: Table, *, name: str) -> str:
    scores = {fmt: table.best_hits(signature) for fmt, (signature, _) in _CSV_SIGNATURES.items()}
    scores["template"] = max(scores["template"], table.best_hits(_TEMPLATE_DEPENDENCIES[0]))
    complete = {
        fmt for fmt, (_, required) in _CSV_SIGNATURES.items() if table.best_hits(required) == len(required)
    }
    if table.best_hits(_TEMPLATE_DEPENDENCIES[1]) == len(_TEMPLATE_DEPENDENCIES[1]):
        complete.add("template")
    best = max(FORMATS, key=lambda fmt: (fmt in complete, scores.get(fmt, 0)))
    if scores.get(best, 0) >= 2 or best in complete:
        return best
    headers = ", ".join(c.strip() for c in table.rows[0][1][:12])[:200] if table.rows else ""
    raise PortfolioFormatError(
        f"{name}: cannot tell the format from its headers ({headers or 'none'}); supported: "
        "project template, Konveyor, Azure Migrate dependency export, AWS MPA workbook, Cloud Migration Factory"
    )


def detect_format(path: Path, *, encoding: str | None = None) -> str:
    """The format of a portfolio file, from its headers or sheet names; PortfolioFormatError if unknown."""
    problems = Problems(limit=10)
    return _detect(_load(Path(path), options=ImportOptions(encoding=encoding), problems=problems))


def preview_import(
    path: Path, *, format: str | None = None, options: ImportOptions | None = None
) -> ImportPreview:
    """Read a portfolio file into a preview: the portfolio, every problem and the action taken."""
    options = options or ImportOptions()
    if format is not None and format not in FORMATS:
        raise PortfolioFormatError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    problems = Problems(limit=options.max_problems)
    source = _load(Path(path), options=options, problems=problems)
    chosen = format or _detect(source)
    parsed = _parse(chosen, source, options=options, problems=problems)
    return _finish(chosen, parsed, problems)


def _csv_table(source: _Source, fmt: str, required: tuple[str, ...]) -> Table:
    """The table to parse for a CSV format (a workbook's only sheet when given one), header located."""
    if source.table is not None:
        table = source.table
    else:
        non_empty = [t for t in (source.sheets or {}).values() if t.rows]
        if len(non_empty) != 1:
            raise PortfolioFormatError(
                f"{source.path.name}: a {fmt} file is a CSV (or a workbook with one sheet)"
            )
        table = non_empty[0]
    table.locate_header(_CSV_SIGNATURES[fmt][0])
    missing = table.missing(required)
    if missing:
        found = ", ".join(h for h in table.headers if h)[:300] or "none"
        raise PortfolioFormatError(
            f"{source.path.name} is missing the column(s) {', '.join(missing)} for the {fmt} format (found: {found})"
        )
    return table


def _parse(fmt: str, source: _Source, *, options: ImportOptions, problems: Problems) -> Parsed:
    if fmt == "template":
        return _parse_template(source, options=options, problems=problems)
    if fmt == "aws_mpa":
        if source.sheets is None:
            raise PortfolioFormatError(
                f"{source.path.name}: an MPA inventory is an Excel workbook (.xlsx/.xlsm)"
            )
        return aws_mpa.parse(source.sheets, options=options, problems=problems)
    parser = {"konveyor": konveyor, "azure_migrate": azure_migrate, "cmf": cmf}[fmt]
    table = _csv_table(source, fmt, parser.REQUIRED)
    return parser.parse(table, options=options, problems=problems)


def _parse_template(source: _Source, *, options: ImportOptions, problems: Problems) -> Parsed:
    if source.sheets is not None:
        non_empty = [t for t in source.sheets.values() if t.rows]
        apps = aws_mpa.sheet(source.sheets, template.APPLICATIONS_SHEET)
        if apps is None and len(non_empty) == 1:
            apps = non_empty[0]
        if apps is None:
            raise PortfolioFormatError(f"{source.path.name} has no sheet named 'applications'")
        deps = aws_mpa.sheet(source.sheets, template.DEPENDENCIES_SHEET)
        if deps is None:
            problems.warn(
                row=None,
                column=None,
                message=f"{source.path.name} has no 'dependencies' sheet",
                action="imported without dependencies",
            )
    else:
        apps, deps = template.template_tables(
            source.path, encoding=options.encoding, problems=problems, strict=False
        )
    applications = template.parse_application_table(apps, problems=problems)
    dependencies = (
        template.parse_dependency_table(deps, applications, problems=problems) if deps is not None else []
    )
    pins = {a.application_id: a.pinned_wave for a in applications if a.pinned_wave is not None}
    return Parsed(applications=applications, dependencies=dependencies, pins=pins)


def _finish(fmt: str, parsed: Parsed, problems: Problems) -> ImportPreview:
    known = {a.application_id for a in parsed.applications}
    dependencies = [
        d
        for d in parsed.dependencies
        if d.source_application_id in known and d.target_application_id in known
    ]
    portfolio = Portfolio(applications=parsed.applications, dependencies=dependencies)
    names = {a.application_id: a.name for a in parsed.applications}
    cycles = report_cycles(dependencies, names, problems=problems)
    listed = problems.finished()
    stats = {
        "applications": len(parsed.applications),
        "dependencies": len(dependencies),
        "precedes": sum(d.dependency_type == DependencyType.PRECEDES for d in dependencies),
        "move_together": sum(d.dependency_type == DependencyType.MOVE_TOGETHER for d in dependencies),
        "cycles": cycles,
        "errors": sum(p.severity == "error" for p in problems.items) + problems.not_listed["error"],
        "warnings": sum(p.severity == "warning" for p in problems.items) + problems.not_listed["warning"],
    }
    stats |= {k: int(v) for k, v in parsed.stats.items() if k not in stats}
    return ImportPreview(
        format=fmt,
        portfolio=portfolio,
        problems=listed,
        pins=parsed.pins,
        stats=stats,
        servers=parsed.servers,
        defaults=problems.defaults_applied(),
    )
