"""AWS MigOps / Migration Portfolio Assessment (MPA) inventory workbook (.xlsx/.xlsm).

Sheets are found by name ignoring case and spaces; headers by name ignoring case, stray spaces and
punctuation; formulas give their saved values (a formula without one is reported and read as blank).

- ``Applications`` (required): ``Application ID`` is the id (blank: the slug of the name, warned);
  ``Application Name``, ``Business Unit``, ``Environment Type``, ``Business Criticality``,
  ``Migration Strategy`` (blank: the servers' most common strategy, else rehost with a warning),
  ``Complexity``, ``Description``; every other non-blank column is kept as an attribute.
  ``Dependencies`` lists the ids or names an application depends on (separated by ',', ';' or lines).
- ``Infrastructure``: one row per asset; an application's ``server_count`` is the number of distinct
  in-scope assets linked to it here (``Application ID``, several allowed) or in ``Infra2App``; an
  application with none keeps the default of 1. ``In Scope`` = No leaves the asset out. The assets'
  host names are kept in the attribute ``servers``.
- ``Databases``: ``Total DB size (GB)`` summed into the owning application's ``data_size_gb``.
- ``App2App``: the first application depends on the second. ``App2DB``: the application uses the
  database; when another application owns it, the owner must move first.
- ``Asset Communication Data``: traffic between assets (``Count`` observations, 1 when blank), mapped
  to applications through the assets' host names, IPs and asset ids; see ``common`` for direction,
  administrative ports and ``move_together``.

Every "depends on" becomes ``precedes`` from the dependency (the callee) to the dependant.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from planning_core.domain import Application, Dependency, DependencyType
from planning_core.errors import PortfolioFormatError
from planning_core.portfolio import normalise
from planning_core.portfolio.common import (
    SERVERS,
    Parsed,
    connections_to_dependencies,
    criticality_or_default,
    cut,
    join_limited,
    report_missing_strategies,
    server_key,
    strategy_or_default,
)
from planning_core.portfolio.models import ImportOptions, Problems
from planning_core.portfolio.sources import Table, header_key
from planning_core.portfolio.template import build_application

APPLICATIONS = "Applications"
INFRASTRUCTURE = "Infrastructure"
DATABASES = "Databases"
APP2APP = "App2App"
APP2DB = "App2DB"
INFRA2APP = "Infra2App"
COMMUNICATION = "Asset Communication Data"
SHEETS = (APPLICATIONS, INFRASTRUCTURE, DATABASES, APP2APP, APP2DB, INFRA2APP, COMMUNICATION)
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
_APP2APP_SOURCE = (
    "Application ID",
    "Source Application ID",
    "Source Application",
    "From Application ID",
    "Application",
    "Application Name",
)
_APP2APP_TARGET = (
    "Dependent Application ID",
    "Dependency Application ID",
    "Depends On Application ID",
    "Depends On",
    "Target Application ID",
    "Target Application",
    "To Application ID",
    "Related Application ID",
    "Dependency",
)
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
    APP2APP: _APP2APP_SOURCE + _APP2APP_TARGET,
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
_SPLIT = re.compile(r"[,;\n|]+")
Getter = Callable[[list[str]], str]


def sheet(tables: dict[str, Table], name: str) -> Table | None:
    """A sheet by name, ignoring case and spaces."""
    for title, table in tables.items():
        if header_key(title).replace(" ", "") == header_key(name).replace(" ", ""):
            return table
    return None


class _Refs:
    """Resolves references to applications (by id or name, ignoring case) to application ids."""

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}

    def add(self, app: Application) -> None:
        self.keys.setdefault(app.application_id.lower(), app.application_id)
        self.keys.setdefault(" ".join(app.name.lower().split()), app.application_id)

    def find(self, text: str) -> str | None:
        return self.keys.get(text.strip().lower()) or self.keys.get(" ".join(text.lower().split()))


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
    stats: Counter[str] = Counter()
    assets = _infrastructure(sheet(tables, INFRASTRUCTURE), sheet(tables, INFRA2APP), problems, stats)
    refs = _Refs()
    applications, declared = _applications(apps_table, refs, problems, assets)
    by_id = {a.application_id: a for a in applications}
    dependencies: dict[tuple[str, str, DependencyType], Dependency] = {}
    for row, column, dependant, needed in declared:
        _link(needed, dependant, refs, row=row, column=column, problems=problems, into=dependencies)
    _app2app(sheet(tables, APP2APP), refs, problems, dependencies)
    sizes = _databases(sheet(tables, DATABASES), sheet(tables, APP2DB), refs, problems, dependencies)
    for app_id, size in sizes.items():
        by_id[app_id].data_size_gb = min(round(size, 6), 1e9)
    servers = _server_map(assets, refs)
    _report_unknown_links(assets, refs, problems)
    for dep in _traffic(sheet(tables, COMMUNICATION), servers, options, problems, stats):
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
    refs: _Refs,
    problems: Problems,
    assets: _Assets,
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
            "environment": cut(get["Environment Type"](cells) or get["Environment"](cells), 200)
            or "production",
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
        if (complexity := _complexity(get["Complexity"](cells), row, problems)) is not None:
            values["complexity"] = complexity
        if linked := sorted(assets.links.get(app_id.lower(), ())):
            values["server_count"] = min(len(linked), 100_000)
            hosts = [assets.names.get(key, [key])[0] for key in linked]
            values["attributes"].setdefault(SERVERS, join_limited(sorted(hosts)))
        app = build_application(values, row=row, problems=problems)
        if app is None:
            continue
        applications.append(app)
        refs.add(app)
        needed = [n.strip() for n in _SPLIT.split(get["Dependencies"](cells)) if n.strip()]
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


@dataclass
class _Assets:
    """Assets (key -> the names it is known by), their links to applications, and what is out of scope."""

    names: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    out_of_scope: set[str] = field(default_factory=set)
    strategies: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))


def _infrastructure(
    infra: Table | None, infra2app: Table | None, problems: Problems, stats: Counter
) -> _Assets:
    """The assets of the Infrastructure sheet linked to applications there and in Infra2App."""
    assets = _Assets()
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
    assets: _Assets, row: int, cells: list[str], get: dict[str, Getter], problems: Problems
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
    ips = _SPLIT.split(get["IP Address"](cells) or get["IP Addresses"](cells))
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
    for ref in (r.strip().lower() for r in _SPLIT.split(get[APP_ID](cells))):
        if ref:
            assets.links[ref].add(key)
            if strategy := get["Migration Strategy"](cells):
                assets.strategies[ref][strategy] += 1


def _link(
    needed: str, dependant: str, refs: _Refs, *, row: int, column: str, problems: Problems, into: dict
) -> None:
    """Record 'dependant depends on needed' as needed precedes dependant, if both are known."""
    first = refs.find(needed)
    if first is None:
        problems.add(
            row=row,
            column=column,
            message=f"dependency on unknown application {needed[:100]!r}",
            action="dependency skipped",
        )
        return
    if first == dependant:
        problems.add(
            row=row,
            column=column,
            message=f"application {dependant!r} cannot depend on itself",
            action="dependency skipped",
        )
        return
    key = (first, dependant, DependencyType.PRECEDES)
    into.setdefault(key, Dependency(source_application_id=first, target_application_id=dependant))


def _app2app(table: Table | None, refs: _Refs, problems: Problems, into: dict) -> None:
    if table is None:
        return
    source = next((c for c in _APP2APP_SOURCE if table.has(c)), None)
    target = next((c for c in _APP2APP_TARGET if table.has(c) and c != source), None)
    if source is None or target is None:
        problems.warn(
            row=None,
            column=None,
            message=f"sheet {APP2APP!r} has no recognisable application columns ({', '.join(table.headers)[:200]})",
            action="sheet ignored",
        )
        return
    get_source, get_target = table.getter(source), table.getter(target)
    for row, cells in table.rows:
        dependant = refs.find(get_source(cells))
        if dependant is None:
            problems.add(
                row=row,
                column=f"{APP2APP}: {source}",
                message=f"unknown application {get_source(cells)[:100]!r}",
                action="row skipped",
            )
            continue
        _link(
            get_target(cells),
            dependant,
            refs,
            row=row,
            column=f"{APP2APP}: {target}",
            problems=problems,
            into=into,
        )


def _databases(
    databases: Table | None, app2db: Table | None, refs: _Refs, problems: Problems, into: dict
) -> dict[str, float]:
    """Data size per application id; App2DB uses of another application's database become dependencies."""
    owners: dict[str, str] = {}
    sizes: dict[str, float] = defaultdict(float)
    unowned: dict[str, float] = {}
    if databases is not None:
        get = {c: databases.getter(c) for c in ("Database ID", "Application ID", "Total DB size (GB)")}
        for row, cells in databases.rows:
            database = get["Database ID"](cells).lower()
            try:
                size = normalise.size_gb(get["Total DB size (GB)"](cells)) or 0.0
            except ValueError as exc:
                problems.add(
                    row=row,
                    column=f"{DATABASES}: Total DB size (GB)",
                    message=str(exc),
                    action="size counted as 0",
                )
                size = 0.0
            owner_ref = get["Application ID"](cells)
            owner = refs.find(owner_ref) if owner_ref else None
            if owner_ref and owner is None:
                problems.add(
                    row=row,
                    column=f"{DATABASES}: Application ID",
                    message=f"unknown application {owner_ref[:100]!r}",
                    action="database not counted for any application",
                )
                continue
            if owner is None:
                unowned[database] = unowned.get(database, 0.0) + size
            else:
                owners[database] = owner
                sizes[owner] += size
    if app2db is not None:
        get = {c: app2db.getter(c) for c in ("Application ID", "Database ID")}
        for row, cells in app2db.rows:
            user, database = refs.find(get["Application ID"](cells)), get["Database ID"](cells).lower()
            if user is None or not database:
                problems.add(
                    row=row,
                    column=f"{APP2DB}: Application ID",
                    message=f"unknown application {get['Application ID'](cells)[:100]!r} or blank database",
                    action="row skipped",
                )
                continue
            if database in unowned:
                owners[database] = user
                sizes[user] += unowned.pop(database)
            owner = owners.get(database)
            if owner and owner != user:
                into.setdefault(
                    (owner, user, DependencyType.PRECEDES),
                    Dependency(source_application_id=owner, target_application_id=user),
                )
    return sizes


def _report_unknown_links(assets: _Assets, refs: _Refs, problems: Problems) -> None:
    unknown = sorted(ref for ref in assets.links if refs.find(ref) is None)
    if unknown:
        shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
        problems.add(
            row=None,
            column=f"{INFRASTRUCTURE}/{INFRA2APP}: Application ID",
            message=f"assets are linked to {len(unknown)} unknown application id(s): {shown}",
            action="those links are not counted",
        )


def _server_map(assets: _Assets, refs: _Refs) -> dict[str, str]:
    """Server key (host name, IP, asset id) -> application id (the first application linked wins)."""
    mapping: dict[str, str] = {}
    for app_ref, keys in assets.links.items():
        app_id = refs.find(app_ref)
        if app_id is None:
            continue
        for key in sorted(keys):
            for name in assets.names.get(key, [key]):
                mapping.setdefault(server_key(name), app_id)
                mapping.setdefault(name.lower(), app_id)
    return mapping


def _traffic(
    table: Table | None, servers: dict[str, str], options: ImportOptions, problems: Problems, stats: Counter
) -> list[Dependency]:
    if table is None:
        return []
    get = {
        c: table.getter(c)
        for c in (
            "Source Name",
            "Source IP Address",
            "Target Name",
            "Target IP Address",
            "Target Port",
            "Count",
        )
    }
    admin = frozenset(options.admin_ports)
    counts: Counter[tuple[str, str]] = Counter()
    unmapped: Counter[str] = Counter()
    for row, cells in table.rows:
        caller = _owner(get["Source Name"](cells), get["Source IP Address"](cells), servers, unmapped)
        callee = _owner(get["Target Name"](cells), get["Target IP Address"](cells), servers, unmapped)
        try:
            port = normalise.integer(get["Target Port"](cells))
            observed = normalise.number(get["Count"](cells))
        except ValueError as exc:
            problems.add(row=row, column=COMMUNICATION, message=str(exc), action="row skipped")
            continue
        if port in admin:
            stats["admin_connections_dropped"] += int(observed or 1)
            continue
        if caller is None or callee is None:
            continue
        if caller == callee:
            stats["internal_connections"] += int(observed or 1)
            continue
        counts[(caller, callee)] += max(round(observed or 1), 1)
    if unmapped:
        shown = ", ".join(sorted(unmapped)[:10])
        problems.warn(
            row=None,
            column=COMMUNICATION,
            message=f"{len(unmapped)} server(s) in the communication data belong to no application: {shown}",
            action="their connections are not dependencies",
        )
    return connections_to_dependencies(counts, options=options, stats=stats)


def _owner(name: str, ip: str, servers: dict[str, str], unmapped: Counter[str]) -> str | None:
    for candidate in (name.lower(), server_key(name), server_key(ip)):
        if candidate and candidate in servers:
            return servers[candidate]
    if name or ip:
        unmapped[name or ip] += 1
    return None
