"""AWS MigOps / Migration Portfolio Assessment (MPA) inventory workbook (.xlsx/.xlsm).

Sheets are found by name ignoring case and spaces; headers by name ignoring case, stray spaces and
punctuation; formulas give their saved values (a formula without one is reported and read as blank).

- ``Applications`` (required): ``Application ID`` is the id (blank: the slug of the name, warned);
  ``Application Name``, ``Business Unit``, ``Environment Type``, ``Business Criticality``,
  ``Migration Strategy`` (blank: the servers' most common strategy, else rehost with a warning),
  ``Complexity``, ``Description``; every other non-blank column is kept as an attribute.
  ``Dependencies`` lists the ids or names an application depends on (separated by ',', ';' or lines);
  a name resolves only when one application has it (see ``aws_mpa_links``).
- ``Infrastructure``: one row per asset; an application's ``server_count`` is the number of distinct
  in-scope assets linked to it here (``Application ID``, several allowed) or in ``Infra2App``; an
  application with none keeps the default of 1. ``In Scope`` = No leaves the asset out. The assets'
  host names are kept in the attribute ``servers``.
- ``Databases``: ``Total DB size (GB)`` summed into the owning application's ``data_size_gb``.
- ``App2App``: the first application depends on the second (a header that names both columns alike,
  as MigOps' two ``Application ID``, is read by position). ``App2DB``: the application uses the
  database; when another application owns it, the owner must move first.
- ``Server2Server``: the first server depends on the second; each becomes a dependency between the
  servers' applications (``Infrastructure``/``Infra2App``), reported as derived.
- ``Asset Communication Data``: traffic between assets (``Count`` observations, 1 when blank), mapped
  to applications through the assets' host names, IPs and asset ids; see ``common`` for direction,
  administrative ports and ``move_together``.

Every "depends on" becomes ``precedes`` from the dependency (the callee) to the dependant.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from planning_core.domain import Application, Dependency, DependencyType
from planning_core.errors import PortfolioFormatError
from planning_core.portfolio import normalise
from planning_core.portfolio.aws_mpa_links import (
    APP2APP,
    APP2APP_SOURCE,
    APP2APP_TARGET,
    APP2DB,
    COMMUNICATION,
    DATABASES,
    INFRA2APP,
    INFRASTRUCTURE,
    SERVER2SERVER,
    SERVER2SERVER_SOURCE,
    SERVER2SERVER_TARGET,
    SPLIT,
    Assets,
    Refs,
    app2app,
    databases,
    link,
    report_unknown_links,
    server2server,
    server_map,
    traffic,
)
from planning_core.portfolio.common import (
    SERVERS,
    Parsed,
    criticality_or_default,
    cut,
    join_limited,
    report_missing_strategies,
    strategy_or_default,
)
from planning_core.portfolio.models import ImportOptions, Problems
from planning_core.portfolio.sources import Table, header_key, report_repeated_headers
from planning_core.portfolio.template import build_application

APPLICATIONS = "Applications"
SHEETS = (
    APPLICATIONS,
    INFRASTRUCTURE,
    DATABASES,
    APP2APP,
    APP2DB,
    INFRA2APP,
    SERVER2SERVER,
    COMMUNICATION,
)
APP_ID = "Application ID"
APP_NAME = "Application Name"
_MAPPED = {
    header_key(c)
    for c in (
        APP_ID,
        APP_NAME,
        "Business Unit",
        "Environment Type",
        "Environment",
        "Business Criticality",
        "Migration Strategy",
        "Complexity",
        "Description",
        "Dependencies",
    )
}
SHEET_HEADERS: dict[str, tuple[str, ...]] = {
    APPLICATIONS: (
        APP_ID,
        APP_NAME,
        "Environment Type",
        "Business Unit",
        "Business Criticality",
        "Migration Strategy",
        "Dependencies",
    ),
    INFRASTRUCTURE: ("Asset ID", "Hostname", APP_ID, "Environment", "In Scope", "Migration Strategy", "OS"),
    DATABASES: ("Database ID", APP_ID, "Total DB size (GB)", "Migration Strategy"),
    APP2APP: APP2APP_SOURCE + APP2APP_TARGET,
    SERVER2SERVER: SERVER2SERVER_SOURCE + SERVER2SERVER_TARGET,
    APP2DB: (APP_ID, "Database ID"),
    INFRA2APP: ("Asset ID", "Hostname", APP_ID),
    COMMUNICATION: (
        "Source Name",
        "Source IP Address",
        "Target Name",
        "Target IP Address",
        "Target Port",
        "Count",
    ),
}
Getter = Callable[[list[str]], str]


def sheet(tables: dict[str, Table], name: str) -> Table | None:
    """A sheet by name, ignoring case and spaces."""
    for title, table in tables.items():
        if header_key(title).replace(" ", "") == header_key(name).replace(" ", ""):
            return table
    return None


def parse(tables: dict[str, Table], *, options: ImportOptions, problems: Problems) -> Parsed:
    """Applications, server counts, data sizes and dependencies from an MPA workbook."""
    for name, wanted in SHEET_HEADERS.items():
        if (table := sheet(tables, name)) is not None:
            table.locate_header(wanted)
    apps_table = sheet(tables, APPLICATIONS)
    if apps_table is None or not apps_table.has(APP_ID) and not apps_table.has(APP_NAME):
        raise PortfolioFormatError(
            "the MPA workbook needs an 'Applications' sheet with 'Application ID' and 'Application Name' columns"
        )
    report_repeated_headers(apps_table, problems)
    stats: Counter[str] = Counter()
    assets = _infrastructure(sheet(tables, INFRASTRUCTURE), sheet(tables, INFRA2APP), problems, stats)
    refs = Refs()
    applications, declared = _applications(apps_table, refs, problems, assets)
    by_id = {a.application_id: a for a in applications}
    dependencies: dict[tuple[str, str, DependencyType], Dependency] = {}
    for row, column, dependant, needed in declared:
        link(needed, dependant, refs, row=row, column=column, problems=problems, into=dependencies)
    app2app(sheet(tables, APP2APP), refs, problems, dependencies)
    sizes = databases(sheet(tables, DATABASES), sheet(tables, APP2DB), refs, problems, dependencies)
    for app_id, size in sizes.items():
        by_id[app_id].data_size_gb = min(round(size, 6), 1e9)
    if len(sizes) < len(applications):
        problems.default(
            "data_size_gb",
            0,
            f"no database of the application in {DATABASES}",
            len(applications) - len(sizes),
        )
    server2server(sheet(tables, SERVER2SERVER), assets, refs, problems, dependencies, stats)
    servers = server_map(assets, refs)
    report_unknown_links(assets, refs, problems)
    for dep in traffic(sheet(tables, COMMUNICATION), servers, options, problems, stats):
        key = (dep.source_application_id, dep.target_application_id, dep.dependency_type)
        if key not in dependencies or dependencies[key].weight < dep.weight:
            dependencies[key] = dep
    stats["assets"] = len(assets.names)
    return Parsed(
        applications=applications, dependencies=list(dependencies.values()), servers=servers, stats=stats
    )


_APPLICATION_COLUMNS = (
    APP_ID,
    APP_NAME,
    "Business Unit",
    "Environment Type",
    "Environment",
    "Business Criticality",
    "Migration Strategy",
    "Complexity",
    "Description",
    "Dependencies",
)


def _applications(
    table: Table,
    refs: Refs,
    problems: Problems,
    assets: Assets,
) -> tuple[list[Application], list[tuple[int, str, str, str]]]:
    """Applications of the Applications sheet and the dependencies its Dependencies column declares."""
    get = {c: table.getter(c) for c in _APPLICATION_COLUMNS}
    extra = [(h, i) for i, h in enumerate(table.headers) if h and header_key(h) not in _MAPPED]
    registry = normalise.SlugRegistry()
    applications: list[Application] = []
    declared: list[tuple[int, str, str, str]] = []
    missing: list[str] = []
    seen: set[str] = set()
    for row, cells in table.rows:
        app_id = _application_id(
            row, get[APP_ID](cells), cut(get[APP_NAME](cells), 300), registry, seen, problems
        )
        if app_id is None:
            continue
        name = cut(get[APP_NAME](cells), 300) or app_id
        strategy_raw = get["Migration Strategy"](cells)
        if normalise.is_blank(strategy_raw) and assets.strategies.get(app_id.lower()):
            strategy_raw = assets.strategies[app_id.lower()].most_common(1)[0][0]
        values: dict[str, Any] = {
            "application_id": app_id,
            "name": name,
            "business_unit": cut(get["Business Unit"](cells), 200),
            "six_r_strategy": strategy_or_default(
                strategy_raw,
                row=row,
                column="Migration Strategy",
                problems=problems,
                missing=missing,
                name=name,
            ),
            "business_criticality": criticality_or_default(
                get["Business Criticality"](cells), row=row, column="Business Criticality", problems=problems
            ),
            "description": cut(get["Description"](cells), 2000),
            "attributes": {
                cut(h, 200): cut(cells[i].strip(), 2000)
                for h, i in extra
                if i < len(cells) and cells[i].strip()
            },
        }
        if environment := cut(get["Environment Type"](cells) or get["Environment"](cells), 200):
            values["environment"] = environment
        if (complexity := _complexity(get["Complexity"](cells), row, problems)) is not None:
            values["complexity"] = complexity
        if linked := sorted(assets.links.get(app_id.lower(), ())):
            values["server_count"] = min(len(linked), 100_000)
            hosts = [assets.names.get(key, [key])[0] for key in linked]
            values["attributes"].setdefault(SERVERS, join_limited(sorted(hosts)))
        app = build_application(
            values,
            row=row,
            problems=problems,
            defaulted="blank or not in the workbook (server count: no in-scope asset linked)",
            exclude=("data_size_gb",),
        )
        if app is None:
            continue
        applications.append(app)
        refs.add(app)
        needed = [n.strip() for n in SPLIT.split(get["Dependencies"](cells)) if n.strip()]
        declared += [(row, "Dependencies", app.application_id, n) for n in needed]
    report_missing_strategies(missing, problems=problems, column="Migration Strategy")
    return applications, declared


def _application_id(
    row: int, app_id: str, name: str, registry: normalise.SlugRegistry, seen: set[str], problems: Problems
) -> str | None:
    """The row's id (the name's slug when blank); None, reported, for blank or duplicate rows."""
    if not app_id and not name:
        problems.add(
            row=row,
            column=APP_ID,
            message="Application ID and Application Name are blank",
            action="row skipped",
        )
        return None
    if not app_id:
        app_id, _ = registry.id_for(name)
        problems.warn(
            row=row,
            column=APP_ID,
            message=f"Application ID is blank for {name!r}",
            action=f"given the id {app_id!r} (from the name)",
        )
    if len(app_id) > 100 or app_id.lower() in seen:
        problems.add(
            row=row,
            column=APP_ID,
            message=f"duplicate or over-long Application ID {app_id[:100]!r}",
            action="row skipped (the first row is kept)",
        )
        return None
    seen.add(app_id.lower())
    return app_id


def _complexity(raw: str, row: int, problems: Problems) -> int | None:
    words = {"low": 3, "medium": 5, "high": 8}
    if normalise.compact(raw) in words:
        return words[normalise.compact(raw)]
    try:
        value = normalise.integer(raw)
    except ValueError:
        value = 0
    if value is None:
        return None
    if not 1 <= value <= 10:
        problems.add(
            row=row,
            column="Complexity",
            message=f"complexity must be 1-10 or low/medium/high, got {raw[:40]!r}",
            action="defaulted to 5",
        )
        return None
    return value


_INFRASTRUCTURE_COLUMNS = (
    "Asset ID",
    "Hostname",
    APP_ID,
    "In Scope",
    "Migration Strategy",
    "IP Address",
    "IP Addresses",
    "FQDN",
)


def _infrastructure(
    infra: Table | None, infra2app: Table | None, problems: Problems, stats: Counter
) -> Assets:
    """The assets of the Infrastructure sheet linked to applications there and in Infra2App."""
    assets = Assets()
    if infra is not None:
        get = {c: infra.getter(c) for c in _INFRASTRUCTURE_COLUMNS}
        for row, cells in infra.rows:
            _asset_row(assets, row, cells, get, problems)
    if infra2app is not None:
        get = {c: infra2app.getter(c) for c in ("Asset ID", "Hostname", APP_ID)}
        for row, cells in infra2app.rows:
            asset = (get["Asset ID"](cells) or get["Hostname"](cells)).lower()
            app = get[APP_ID](cells).lower()
            if not asset or not app:
                problems.add(
                    row=row,
                    column=f"{INFRA2APP}: Asset ID/Application ID",
                    message="asset or application is blank",
                    action="row skipped",
                )
            elif asset not in assets.out_of_scope:
                assets.links[app].add(asset)
                assets.names.setdefault(asset, [asset])
    stats["assets_out_of_scope"] = len(assets.out_of_scope)
    return assets


def _asset_row(
    assets: Assets, row: int, cells: list[str], get: dict[str, Getter], problems: Problems
) -> None:
    asset = get["Asset ID"](cells) or get["Hostname"](cells)
    if not asset:
        problems.add(
            row=row,
            column=f"{INFRASTRUCTURE}: Asset ID",
            message="Asset ID and Hostname are blank",
            action="row skipped",
        )
        return
    key = asset.lower()
    ips = SPLIT.split(get["IP Address"](cells) or get["IP Addresses"](cells))
    assets.names[key] = [
        n.strip() for n in (get["Hostname"](cells), get["FQDN"](cells), asset, *ips) if n.strip()
    ]
    try:
        in_scope = normalise.yes_no(get["In Scope"](cells))
    except ValueError as exc:
        problems.add(
            row=row, column=f"{INFRASTRUCTURE}: In Scope", message=str(exc), action="treated as in scope"
        )
        in_scope = True
    if in_scope is False:
        assets.out_of_scope.add(key)
        return
    for ref in (r.strip().lower() for r in SPLIT.split(get[APP_ID](cells))):
        if ref:
            assets.links[ref].add(key)
            if strategy := get["Migration Strategy"](cells):
                assets.strategies[ref][strategy] += 1
