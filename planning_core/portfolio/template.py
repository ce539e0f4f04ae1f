"""The project's own portfolio template: an .xlsx with sheets ``applications`` and ``dependencies``,
or a folder with ``applications.csv`` and ``dependencies.csv`` (or the path of ``applications.csv``
with ``dependencies.csv`` beside it).

Columns are those of ``APPLICATION_COLUMNS`` and ``DEPENDENCY_COLUMNS``; only the ids (and the
application name) are required, the other columns may be missing or blank and then take the domain's
defaults (rehost, complexity 5, medium criticality, effort from the effort model, one server, 0 GB,
no skills, no pin, ``precedes`` with weight 1); every default given is counted per column, value and
reason (missing column, blank, undecided such as TBC or null, not understood, out of range) into
``ImportPreview.defaults``. A header that repeats is warned about (only its first column is read).
``required_skills`` is ';'-separated. A ``description``
column and any column not listed are kept as the application's description and attributes.
Values go through the documented mapping in ``normalise`` ("Lift and Shift" is rehost, "Tier 1" is
critical, "1.5 TB" is 1,536 GB).

``read_template`` is strict: any bad cell raises ``PortfolioFormatError`` naming every problem with its
row number (the header is row 1). ``parse_template`` is the lenient reader behind the import preview:
it reports the same problems and skips or defaults the rows instead.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from planning_core.domain import Application, Dependency, DependencyType, Portfolio
from planning_core.errors import PortfolioFormatError
from planning_core.portfolio import normalise
from planning_core.portfolio.common import EFFORT_MODEL, note_defaults
from planning_core.portfolio.models import ImportProblem, Problems
from planning_core.portfolio.sources import (
    Table,
    header_key,
    read_csv,
    read_workbook,
    report_repeated_headers,
)

APPLICATION_COLUMNS = [
    "application_id",
    "name",
    "business_unit",
    "environment",
    "six_r_strategy",
    "complexity",
    "business_criticality",
    "effort_hours",
    "server_count",
    "data_size_gb",
    "required_skills",
    "pinned_wave",
]
DEPENDENCY_COLUMNS = ["source_application_id", "target_application_id", "dependency_type", "weight"]
REQUIRED_APPLICATION_COLUMNS = ("application_id", "name")
REQUIRED_DEPENDENCY_COLUMNS = ("source_application_id", "target_application_id")
APPLICATIONS_SHEET = "applications"
DEPENDENCIES_SHEET = "dependencies"
APPLICATIONS_CSV = "applications.csv"
DEPENDENCIES_CSV = "dependencies.csv"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
SHORT_TEXT = 200
_KNOWN_KEYS = {header_key(c) for c in [*APPLICATION_COLUMNS, "description"]}
_DEPENDENCY_TYPES = {
    "movetogether": DependencyType.MOVE_TOGETHER,
    "together": DependencyType.MOVE_TOGETHER,
    "precedes": DependencyType.PRECEDES,
    "precede": DependencyType.PRECEDES,
    "before": DependencyType.PRECEDES,
}


# ---------------------------------------------------------------------------------------------- writing


def _cell(value: Any) -> Any:
    """A model value as a spreadsheet cell: enums by value, lists ';'-joined, None blank."""
    if value is None:
        return None
    if isinstance(value, list):
        return ";".join(value)
    if hasattr(value, "value"):
        return value.value
    return value


def _text(value: Any) -> str:
    value = _cell(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _extra_columns(portfolio: Portfolio) -> list[str]:
    """Description and attribute columns, present only when some application uses them."""
    columns = ["description"] if any(a.description for a in portfolio.applications) else []
    for app in portfolio.applications:
        for key in app.attributes:
            if key not in columns and header_key(key) not in _KNOWN_KEYS:
                columns.append(key)
    return columns


def _application_rows(portfolio: Portfolio) -> tuple[list[str], list[list[Any]]]:
    extra = _extra_columns(portfolio)
    rows = []
    for app in portfolio.applications:
        values = [_cell(getattr(app, column)) for column in APPLICATION_COLUMNS]
        values += [app.description or None if c == "description" else app.attributes.get(c) for c in extra]
        rows.append(values)
    return APPLICATION_COLUMNS + extra, rows


def _dependency_rows(portfolio: Portfolio) -> list[list[Any]]:
    return [[_cell(getattr(dep, column)) for column in DEPENDENCY_COLUMNS] for dep in portfolio.dependencies]


def write_template(portfolio: Portfolio, path: Path) -> None:
    """Write a portfolio as the project template: .xlsx/.xlsm, applications.csv (+ sibling), or a folder."""
    path = Path(path)
    headers, app_rows = _application_rows(portfolio)
    dep_rows = _dependency_rows(portfolio)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        _write_workbook(path, headers, app_rows, dep_rows)
        return
    apps_path, deps_path = _csv_pair(path)
    apps_path.parent.mkdir(parents=True, exist_ok=True)
    _write_csv(apps_path, headers, app_rows)
    _write_csv(deps_path, DEPENDENCY_COLUMNS, dep_rows)


def _write_csv(path: Path, headers: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows([_text(v) for v in row] for row in rows)


def _write_workbook(
    path: Path, headers: list[str], app_rows: list[list[Any]], dep_rows: list[list[Any]]
) -> None:
    import openpyxl

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook(write_only=True)
    for title, columns, rows in (
        (APPLICATIONS_SHEET, headers, app_rows),
        (DEPENDENCIES_SHEET, DEPENDENCY_COLUMNS, dep_rows),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append(columns)
        for row in rows:
            sheet.append([_literal(sheet, value) for value in row])
    workbook.save(path)


def _literal(sheet: Any, value: Any) -> Any:
    """Text that starts with '=' is stored as text, never as a formula."""
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _csv_pair(path: Path) -> tuple[Path, Path]:
    """The two CSV paths a template path names: a folder, or one of the two files."""
    if path.suffix.lower() == ".csv":
        if path.name.lower() == DEPENDENCIES_CSV:
            return path.with_name(APPLICATIONS_CSV), path
        return path, path.with_name(DEPENDENCIES_CSV)
    return path / APPLICATIONS_CSV, path / DEPENDENCIES_CSV


# ---------------------------------------------------------------------------------------------- reading


def read_template(path: Path) -> Portfolio:
    """Read the project template strictly: any missing column or bad cell raises PortfolioFormatError."""
    problems = Problems(limit=50)
    portfolio = parse_template(Path(path), problems=problems, strict=True)
    errors = [p for p in problems.finished() if p.severity == "error"]
    if errors:
        listed = "; ".join(_describe(p) for p in errors[:20])
        more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
        raise PortfolioFormatError(f"{Path(path).name}: {len(errors)} problem(s): {listed}{more}")
    return portfolio


def _describe(problem: ImportProblem) -> str:
    where = []
    if problem.row is not None:
        where.append(f"row {problem.row}")
    if problem.column:
        where.append(f"column {problem.column}")
    return f"{', '.join(where)}: {problem.message}" if where else problem.message


def template_tables(
    path: Path, *, encoding: str | None, problems: Problems, strict: bool
) -> tuple[Table, Table | None]:
    """The applications and dependencies tables of a template path (dependencies may be absent if lenient)."""
    path = Path(path)
    if path.suffix.lower() in WORKBOOK_SUFFIXES or (path.is_file() and path.suffix.lower() != ".csv"):
        sheets = {
            name.strip().lower(): table for name, table in read_workbook(path, problems=problems).items()
        }
        apps = sheets.get(APPLICATIONS_SHEET)
        if apps is None:
            raise PortfolioFormatError(
                f"{path.name} has no sheet named 'applications' (found: {', '.join(sheets) or 'none'})"
            )
        deps = sheets.get(DEPENDENCIES_SHEET)
        if deps is None:
            _missing_part(f"{path.name} has no sheet named 'dependencies'", problems, strict=strict)
        return apps, deps
    apps_path, deps_path = _csv_pair(path)
    if not apps_path.is_file():
        raise PortfolioFormatError(f"{apps_path} not found: the template needs {APPLICATIONS_CSV}")
    apps = read_csv(apps_path, encoding=encoding, problems=problems)
    if not deps_path.is_file():
        _missing_part(f"{deps_path} not found", problems, strict=strict)
        return apps, None
    return apps, read_csv(deps_path, encoding=encoding, problems=problems)


def _missing_part(message: str, problems: Problems, *, strict: bool) -> None:
    if strict:
        raise PortfolioFormatError(
            f"{message}: the template needs both applications and dependencies (an empty dependencies table with its header is fine)"
        )
    problems.warn(row=None, column=None, message=message, action="imported without dependencies")


def parse_template(
    path: Path, *, problems: Problems, strict: bool = False, encoding: str | None = None
) -> Portfolio:
    """Read a template, reporting bad rows into ``problems`` and skipping or defaulting them."""
    apps_table, deps_table = template_tables(path, encoding=encoding, problems=problems, strict=strict)
    applications = parse_application_table(apps_table, problems=problems)
    dependencies = parse_dependency_table(deps_table, applications, problems=problems) if deps_table else []
    return Portfolio(applications=applications, dependencies=dependencies)


def _require(table: Table, wanted: tuple[str, ...]) -> None:
    hits = table.locate_header(wanted)
    missing = table.missing(wanted)
    if missing or hits == 0:
        found = ", ".join(h for h in table.headers if h)[:300] or "none"
        raise PortfolioFormatError(
            f"{table.name} is missing the column(s) {', '.join(missing)} (found: {found})"
        )


Parser = Callable[[str | None], Any]


def _field(
    raw: str,
    *,
    row: int,
    column: str,
    parse: Parser,
    default: Any,
    action: str,
    problems: Problems,
    check: Callable[[Any], str | None] | None = None,
    present: bool = True,
) -> Any:
    """One cell through its parser; blank gives the default; a bad value is reported and defaulted.
    Every default given is counted in ``problems.defaults`` (a missing pin is not a default)."""
    try:
        value = parse(raw)
    except ValueError as exc:
        problems.add(row=row, column=column, message=str(exc), action=action)
        _defaulted(column, default, "not understood", problems)
        return default
    if value is None:
        if not present:
            reason = "no such column in the file"
        elif raw.strip():
            reason = "undecided (TBC, null...)"
        else:
            reason = "blank"
        _defaulted(column, default, reason, problems)
        return default
    message = check(value) if check else None
    if message:
        problems.add(row=row, column=column, message=message, action=action)
        _defaulted(column, default, "out of range", problems)
        return default
    return value


def _defaulted(column: str, default: Any, reason: str, problems: Problems) -> None:
    if column == "pinned_wave":
        return
    shown = EFFORT_MODEL if column == "effort_hours" else default
    problems.default(column, shown, reason)


def _range(low: float, high: float, what: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if low <= value <= high else f"{what} must be between {low:g} and {high:g}, got {value:g}"

    return check


def _short(value: str, *, row: int, column: str, problems: Problems, limit: int = SHORT_TEXT) -> str:
    if len(value) <= limit:
        return value
    problems.add(
        row=row, column=column, message=f"longer than {limit} characters", action=f"cut to {limit} characters"
    )
    return value[:limit]


def parse_application_table(table: Table, *, problems: Problems) -> list[Application]:
    """Applications from a template applications table (first row of a duplicate id wins)."""
    _require(table, REQUIRED_APPLICATION_COLUMNS)
    report_repeated_headers(table, problems)
    get = {column: table.getter(column) for column in [*APPLICATION_COLUMNS, "description"]}
    absent = frozenset(c for c in APPLICATION_COLUMNS if not table.has(c))
    extra = [
        (h, i)
        for i, h in enumerate(table.headers)
        if h and header_key(h) not in _KNOWN_KEYS and table.columns.get(header_key(h)) == i
    ]
    applications: list[Application] = []
    seen: set[str] = set()
    for row, cells in table.rows:
        app = _application(row, cells, get, extra, problems, absent)
        if app is None:
            continue
        if app.application_id in seen:
            problems.add(
                row=row,
                column="application_id",
                message=f"duplicate application id {app.application_id!r}",
                action="row skipped (the first row with this id is kept)",
            )
            continue
        seen.add(app.application_id)
        applications.append(app)
    return applications


_VALUE_COLUMNS: tuple[tuple[str, Parser, Any, str, Callable[[Any], str | None] | None], ...] = (
    # column, parser, value when blank or bad, what is done when bad, range check
    ("six_r_strategy", normalise.strategy, "rehost", "defaulted to rehost", None),
    ("complexity", normalise.integer, 5, "defaulted to 5", _range(1, 10, "complexity")),
    ("business_criticality", normalise.criticality, "medium", "defaulted to medium", None),
    (
        "effort_hours",
        normalise.number,
        None,
        "left blank (the effort model is used)",
        _range(0, 1_000_000, "effort hours"),
    ),
    ("server_count", normalise.integer, 1, "defaulted to 1", _range(0, 100_000, "server count")),
    ("data_size_gb", normalise.size_gb, 0.0, "defaulted to 0", _range(0, 1e9, "data size")),
    ("pinned_wave", normalise.integer, None, "not pinned", _range(1, 10_000, "pinned wave")),
)
_TEXT_COLUMNS = (("business_unit", SHORT_TEXT), ("environment", SHORT_TEXT), ("description", 2000))


def _application(
    row: int,
    cells: list[str],
    get: dict,
    extra: list[tuple[str, int]],
    problems: Problems,
    absent: frozenset[str] = frozenset(),
) -> Application | None:
    """One applications row as an Application; bad cells are reported and defaulted, see the module doc."""
    app_id = get["application_id"](cells)
    if not app_id or len(app_id) > 100:
        message = "application_id is blank" if not app_id else "application_id is longer than 100 characters"
        problems.add(row=row, column="application_id", message=message, action="row skipped")
        return None
    name = get["name"](cells)
    if not name:
        problems.add(row=row, column="name", message="name is blank", action="the id is used as the name")
        name = app_id
    values: dict[str, Any] = {
        "application_id": app_id,
        "name": _short(name, row=row, column="name", limit=300, problems=problems),
    }
    for column, limit in _TEXT_COLUMNS:
        values[column] = _short(get[column](cells), row=row, column=column, limit=limit, problems=problems)
    if not values["environment"]:
        values["environment"] = "production"
        reason = "no such column in the file" if "environment" in absent else "blank"
        problems.default("environment", "production", reason)
    for column, parse, default, action, check in _VALUE_COLUMNS:
        values[column] = _field(
            get[column](cells),
            row=row,
            column=column,
            parse=parse,
            default=default,
            action=action,
            check=check,
            problems=problems,
            present=column not in absent,
        )
    skills = normalise.skills(get["required_skills"](cells))[:50]
    values["required_skills"] = [
        _short(s, row=row, column="required_skills", problems=problems) for s in skills
    ]
    values["attributes"] = {
        _short(h, row=row, column=h, problems=problems): _short(
            cells[i].strip(), row=row, column=h, limit=2000, problems=problems
        )
        for h, i in extra
        if i < len(cells) and cells[i].strip()
    }
    return build_application(values, row=row, problems=problems)


def build_application(
    values: dict[str, Any],
    *,
    row: int | None,
    problems: Problems,
    defaulted: str | None = None,
    exclude: tuple[str, ...] = (),
) -> Application | None:
    """An Application from checked values; anything the model still refuses is reported, row skipped.

    With ``defaulted`` (the reason), every field of ``common.DEFAULT_VALUES`` that ``values`` leaves
    out (and ``exclude`` does not name) is counted as a default of the built application."""
    try:
        app = Application.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors()[:3]:
            column = ".".join(str(p) for p in error["loc"]) or None
            problems.add(row=row, column=column, message=error["msg"], action="row skipped")
        return None
    if defaulted is not None:
        note_defaults(values, problems=problems, reason=defaulted, exclude=exclude)
    return app


def _dependency_type(value: str | None) -> DependencyType | None:
    if normalise.is_blank(value):
        return None
    found = _DEPENDENCY_TYPES.get(normalise.compact(value))  # type: ignore[arg-type]
    if found is None:
        raise ValueError(f"unknown dependency type {value.strip()!r} (use move_together or precedes)")  # type: ignore[union-attr]
    return found


def parse_dependency_table(
    table: Table, applications: list[Application], *, problems: Problems
) -> list[Dependency]:
    """Dependencies from a template dependencies table, checked against the applications read."""
    _require(table, REQUIRED_DEPENDENCY_COLUMNS)
    report_repeated_headers(table, problems)
    known = {a.application_id for a in applications}
    get = {column: table.getter(column) for column in DEPENDENCY_COLUMNS}
    dependencies: list[Dependency] = []
    seen: set[tuple[str, str, DependencyType]] = set()
    for row, cells in table.rows:
        source, target = get["source_application_id"](cells), get["target_application_id"](cells)
        if not _endpoints_ok(source, target, known, row=row, problems=problems):
            continue
        kind = _field(
            get["dependency_type"](cells),
            row=row,
            column="dependency_type",
            parse=_dependency_type,
            default=DependencyType.PRECEDES,
            action="defaulted to precedes",
            problems=problems,
            present=table.has("dependency_type"),
        )
        weight = _field(
            get["weight"](cells),
            row=row,
            column="weight",
            parse=normalise.number,
            default=1.0,
            action="defaulted to 1",
            check=_positive_weight,
            problems=problems,
            present=table.has("weight"),
        )
        key = (source, target, kind)
        if key in seen:
            problems.warn(
                row=row,
                column=None,
                message=f"duplicate dependency {source} -> {target} ({kind.value})",
                action="row skipped (the first row is kept)",
            )
            continue
        seen.add(key)
        dependencies.append(
            Dependency(
                source_application_id=source,
                target_application_id=target,
                dependency_type=kind,
                weight=weight,
            )
        )
    return dependencies


def _positive_weight(value: float) -> str | None:
    return None if 0 < value <= 1e9 else f"weight must be above 0 and at most 1e9, got {value:g}"


def _endpoints_ok(source: str, target: str, known: set[str], *, row: int, problems: Problems) -> bool:
    """Both ends named, known and different; otherwise the row is reported and skipped."""
    for column, value in (("source_application_id", source), ("target_application_id", target)):
        if not value:
            problems.add(row=row, column=column, message=f"{column} is blank", action="row skipped")
            return False
        if value not in known:
            problems.add(
                row=row,
                column=column,
                message=f"dependency on unknown application {value!r}",
                action="row skipped",
            )
            return False
    if source == target:
        problems.add(
            row=row,
            column="target_application_id",
            message=f"application {source!r} cannot depend on itself",
            action="row skipped",
        )
        return False
    return True
