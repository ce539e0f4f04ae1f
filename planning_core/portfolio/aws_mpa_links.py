"""AWS MPA workbook: references between applications and the dependencies the workbook declares or
shows (Dependencies column, App2App, App2DB, Server2Server, Asset Communication Data).

References resolve by id first (ignoring case); a name resolves only when exactly one application
has it (compared by ``normalise.name_key``); a name shared by several applications is a problem, not a
guess. ``App2App`` and ``Server2Server`` may head both columns alike (two ``Application ID``): the
first column is then the source, the second the target. Server-level dependencies become application
dependencies through the servers' applications (``Infrastructure``/``Infra2App``); what was derived
is reported.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from planning_core.domain import Application, Dependency, DependencyType
from planning_core.portfolio import normalise
from planning_core.portfolio.common import connections_to_dependencies, server_key
from planning_core.portfolio.models import ImportOptions, Problems
from planning_core.portfolio.sources import Table

INFRASTRUCTURE = "Infrastructure"
DATABASES = "Databases"
APP2APP = "App2App"
APP2DB = "App2DB"
INFRA2APP = "Infra2App"
SERVER2SERVER = "Server2Server"
COMMUNICATION = "Asset Communication Data"
SPLIT = re.compile(r"[,;\n|]+")
APP2APP_SOURCE = (
    "Application ID",
    "Source Application ID",
    "Source Application",
    "From Application ID",
    "Application",
    "Application Name",
)
APP2APP_TARGET = (
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
SERVER2SERVER_SOURCE = (
    "Source Asset ID",
    "Source Server ID",
    "Source Server",
    "Source Hostname",
    "Source Server Name",
    "Asset ID",
    "Server ID",
    "Server Name",
    "Hostname",
    "Server",
)
SERVER2SERVER_TARGET = (
    "Target Asset ID",
    "Target Server ID",
    "Target Server",
    "Target Hostname",
    "Target Server Name",
    "Destination Asset ID",
    "Destination Server",
    "Dependent Asset ID",
    "Depends On",
)


class Refs:
    """Resolves references to applications: by id (ignoring case), else by a name only one has."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.names: dict[str, list[str]] = defaultdict(list)

    def add(self, app: Application) -> None:
        self.ids.setdefault(app.application_id.lower(), app.application_id)
        self.names[normalise.name_key(app.name)].append(app.application_id)

    def find(self, text: str) -> str | None:
        """The id a reference names, or None when unknown or ambiguous."""
        found = self.ids.get(text.strip().lower())
        if found is not None:
            return found
        named = self.names.get(normalise.name_key(text), [])
        return named[0] if len(named) == 1 else None

    def unknown(self, text: str, *, what: str = "unknown application") -> str:
        """Why ``find`` gave nothing: an ambiguous name, or ``what`` followed by the reference."""
        named = self.names.get(normalise.name_key(text), [])
        if len(named) > 1:
            shown = ", ".join(named[:5]) + (" ..." if len(named) > 5 else "")
            return f"the name {text[:100]!r} belongs to {len(named)} applications ({shown}); use the id"
        return f"{what} {text[:100]!r}"


@dataclass
class Assets:
    """Assets (key -> the names it is known by), their links to applications, and what is out of scope."""

    names: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    out_of_scope: set[str] = field(default_factory=set)
    strategies: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))


Getter = Callable[[list[str]], str]


def pair_columns(
    table: Table, sources: tuple[str, ...], targets: tuple[str, ...]
) -> tuple[Getter, Getter, str, str] | None:
    """Getters and labels of a sheet's source and target columns: named ones, else the first two
    columns of a header that repeats (App2App heads both 'Application ID'); None when neither."""
    source = next((c for c in sources if table.has(c)), None)
    target = next((c for c in targets if table.has(c) and c != source), None)
    if source is not None and target is not None:
        return table.getter(source), table.getter(target), source, target
    repeated = next((c for c in sources if table.count(c) > 1), None)
    if repeated is not None:
        return table.getter(repeated, 0), table.getter(repeated, 1), repeated, f"{repeated} (2nd)"
    return None


def link(
    needed: str, dependant: str, refs: Refs, *, row: int, column: str, problems: Problems, into: dict
) -> None:
    """Record 'dependant depends on needed' as needed precedes dependant, if both are known."""
    first = refs.find(needed)
    if first is None:
        problems.add(
            row=row,
            column=column,
            message=refs.unknown(needed, what="dependency on unknown application"),
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


def app2app(table: Table | None, refs: Refs, problems: Problems, into: dict) -> None:
    """App2App rows: the first (source) application depends on the second (target)."""
    if table is None:
        return
    columns = pair_columns(table, APP2APP_SOURCE, APP2APP_TARGET)
    if columns is None:
        problems.warn(
            row=None,
            column=None,
            message=f"sheet {APP2APP!r} has no recognisable application columns ({', '.join(table.headers)[:200]})",
            action="sheet ignored",
        )
        return
    get_source, get_target, source, target = columns
    for row, cells in table.rows:
        dependant = refs.find(get_source(cells))
        if dependant is None:
            problems.add(
                row=row,
                column=f"{APP2APP}: {source}",
                message=refs.unknown(get_source(cells)),
                action="row skipped",
            )
            continue
        link(
            get_target(cells),
            dependant,
            refs,
            row=row,
            column=f"{APP2APP}: {target}",
            problems=problems,
            into=into,
        )


def server2server(
    table: Table | None, assets: Assets, refs: Refs, problems: Problems, into: dict, stats: Counter
) -> None:
    """Server2Server rows (the source server depends on the target server) as dependencies between
    the servers' applications (every application each server is linked to); reported as derived."""
    if table is None:
        return
    columns = pair_columns(table, SERVER2SERVER_SOURCE, SERVER2SERVER_TARGET)
    if columns is None:
        problems.warn(
            row=None,
            column=None,
            message=f"sheet {SERVER2SERVER!r} has no recognisable server columns ({', '.join(table.headers)[:200]})",
            action="sheet ignored",
        )
        return
    get_source, get_target, _, _ = columns
    owners = _server_owners(assets, refs)
    derived: set[tuple[str, str]] = set()
    unlinked: Counter[str] = Counter()
    for _row, cells in table.rows:
        ends = []
        for text in (get_source(cells), get_target(cells)):
            apps = owners.get(text.strip().lower()) or owners.get(server_key(text), set())
            if not apps and text:
                unlinked[text[:100]] += 1
            ends.append(apps)
        stats["server_dependency_rows"] += 1
        for dependant in sorted(ends[0]):
            for needed in sorted(ends[1] - {dependant}):
                key = (needed, dependant, DependencyType.PRECEDES)
                if key not in into:
                    into[key] = Dependency(source_application_id=needed, target_application_id=dependant)
                    derived.add((needed, dependant))
    stats["dependencies_from_servers"] = len(derived)
    if derived:
        problems.warn(
            row=None,
            column=SERVER2SERVER,
            message=f"{len(derived)} application dependenc(ies) derived from {stats['server_dependency_rows']} "
            f"server-to-server row(s) through the servers' applications ({INFRASTRUCTURE}/{INFRA2APP})",
            action="added: the target server's application before the source server's",
        )
    if unlinked:
        shown = ", ".join(sorted(unlinked)[:10]) + (
            f" and {len(unlinked) - 10} more" if len(unlinked) > 10 else ""
        )
        problems.warn(
            row=None,
            column=SERVER2SERVER,
            message=f"{len(unlinked)} server(s) in {SERVER2SERVER} belong to no application: {shown}",
            action="their rows give no application dependency",
        )


def _server_owners(assets: Assets, refs: Refs) -> dict[str, set[str]]:
    """Every name of every asset (id, host name, FQDN, IPs; lower case and server key) -> its applications."""
    owners: dict[str, set[str]] = defaultdict(set)
    for app_ref, keys in assets.links.items():
        app_id = refs.find(app_ref)
        if app_id is None:
            continue
        for key in keys:
            for name in (key, *assets.names.get(key, ())):
                owners[name.lower()].add(app_id)
                owners[server_key(name)].add(app_id)
    return owners


def databases(
    databases: Table | None, app2db: Table | None, refs: Refs, problems: Problems, into: dict
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
                    message=refs.unknown(owner_ref),
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


def report_unknown_links(assets: Assets, refs: Refs, problems: Problems) -> None:
    unknown = sorted(ref for ref in assets.links if refs.find(ref) is None)
    if unknown:
        shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
        problems.add(
            row=None,
            column=f"{INFRASTRUCTURE}/{INFRA2APP}: Application ID",
            message=f"assets are linked to {len(unknown)} unknown application id(s): {shown}",
            action="those links are not counted",
        )


def server_map(assets: Assets, refs: Refs) -> dict[str, str]:
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


def traffic(
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
