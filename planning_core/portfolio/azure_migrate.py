"""Azure Migrate dependency analysis export: one row per observed connection per time slot.

Servers are identified by name (short host name, case-insensitive) or, when the name is blank, by IP.
Each server belongs to one application: ``options.server_applications`` (for example the servers of an
inventory imported first) wins; otherwise the application name the export shows most often for that
server (``Source application`` / ``Destination application``); otherwise the server itself (its name
or IP) stands for an application. Rows on administrative ports (``options.admin_ports``) are dropped
and counted. The weight of a dependency is the number of observations (rows). Direction and
``move_together``: see ``planning_core.portfolio.common``.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from planning_core.domain import Application
from planning_core.portfolio import normalise
from planning_core.portfolio.common import (
    DEPENDENCY_ONLY,
    SERVERS,
    Parsed,
    connections_to_dependencies,
    cut,
    join_limited,
    note_defaults,
    server_key,
)
from planning_core.portfolio.models import ImportOptions, Problems
from planning_core.portfolio.sources import Table

SOURCE_SERVER = "Source server name"
SOURCE_IP = "Source IP"
SOURCE_APP = "Source application"
DESTINATION_SERVER = "Destination server name"
DESTINATION_IP = "Destination IP"
DESTINATION_APP = "Destination application"
DESTINATION_PORT = "Destination port"
REQUIRED = (SOURCE_SERVER, DESTINATION_SERVER, DESTINATION_PORT)
SIGNATURE = (SOURCE_SERVER, DESTINATION_SERVER, DESTINATION_PORT, SOURCE_APP, DESTINATION_APP, "Timeslot")


def parse(table: Table, *, options: ImportOptions, problems: Problems) -> Parsed:
    """Applications and dependencies from an Azure Migrate dependency export table."""
    get = {
        c: table.getter(c)
        for c in (
            SOURCE_SERVER,
            SOURCE_IP,
            SOURCE_APP,
            DESTINATION_SERVER,
            DESTINATION_IP,
            DESTINATION_APP,
            DESTINATION_PORT,
        )
    }
    admin = frozenset(options.admin_ports)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    shown: dict[str, str] = {}
    aliases: dict[str, str] = {}
    pairs: Counter[tuple[str, str]] = Counter()
    dropped: Counter[int] = Counter()
    ports: dict[str, int | None] = {}
    stats: Counter[str] = Counter()
    for row, cells in table.rows:
        stats["rows"] += 1
        source = _server(get[SOURCE_SERVER](cells), get[SOURCE_IP](cells), shown, aliases)
        target = _server(get[DESTINATION_SERVER](cells), get[DESTINATION_IP](cells), shown, aliases)
        if not source or not target:
            column = SOURCE_SERVER if not source else DESTINATION_SERVER
            problems.add(row=row, column=column, message="no server name or IP address", action="row skipped")
            continue
        raw_port = get[DESTINATION_PORT](cells)
        port = ports.get(raw_port, -1)
        if port == -1:
            port = ports[raw_port] = _port(raw_port)
        if port is None and raw_port:
            problems.add(
                row=row,
                column=DESTINATION_PORT,
                message=f"not a port number: {raw_port[:40]!r}",
                action="row skipped",
            )
            continue
        if port in admin:
            dropped[port] += 1  # type: ignore[index]
            continue
        if source == target:
            stats["same_server_connections"] += 1
            continue
        source_app, target_app = get[SOURCE_APP](cells), get[DESTINATION_APP](cells)
        if source_app:
            votes[source][source_app] += 1
        if target_app:
            votes[target][target_app] += 1
        pairs[(source, target)] += 1
    stats["admin_connections_dropped"] = sum(dropped.values())
    _report_admin(dropped, problems)
    pairs, votes = _resolve_ips(pairs, votes, aliases, stats)
    return _build(pairs, votes, shown, options=options, problems=problems, stats=stats)


def _server(name: str, ip: str, shown: dict[str, str], aliases: dict[str, str]) -> str:
    """The server's key (its name, else its IP); remembers which IP a named server had."""
    key = server_key(name) or server_key(ip)
    if key and key not in shown:
        shown[key] = cut(name or ip, 300)
    if name and ip:
        aliases.setdefault(server_key(ip), key)
    return key


def _resolve_ips(
    pairs: Counter[tuple[str, str]],
    votes: dict[str, Counter[str]],
    aliases: dict[str, str],
    stats: Counter[str],
) -> tuple[Counter[tuple[str, str]], dict[str, Counter[str]]]:
    """Rows that only had an IP count for the server seen elsewhere with that IP and a name."""
    if not any(s in aliases for pair in pairs for s in pair):
        return pairs, votes
    resolved: Counter[tuple[str, str]] = Counter()
    for (source, target), observed in pairs.items():
        source, target = aliases.get(source, source), aliases.get(target, target)
        if source == target:
            stats["same_server_connections"] += observed
        else:
            resolved[(source, target)] += observed
    merged: dict[str, Counter[str]] = defaultdict(Counter)
    for server, counts in votes.items():
        merged[aliases.get(server, server)].update(counts)
    return resolved, merged


def _port(raw: str) -> int | None:
    try:
        value = normalise.integer(raw)
    except ValueError:
        return None
    return value if value is not None and 0 <= value <= 65535 else None


def _report_admin(dropped: Counter[int], problems: Problems) -> None:
    if not dropped:
        return
    detail = ", ".join(f"port {port}: {count}" for port, count in sorted(dropped.items()))
    problems.warn(
        row=None,
        column=DESTINATION_PORT,
        message=f"{sum(dropped.values())} connection(s) on administrative ports ({detail})",
        action="dropped (administration traffic is not an application dependency)",
    )


def _build(
    pairs: Counter[tuple[str, str]],
    votes: dict[str, Counter[str]],
    shown: dict[str, str],
    *,
    options: ImportOptions,
    problems: Problems,
    stats: Counter[str],
) -> Parsed:
    registry = normalise.SlugRegistry()
    given = {server_key(k): v for k, v in options.server_applications.items()}
    servers = sorted({s for pair in pairs for s in pair})
    owner: dict[str, str] = {}
    names: dict[str, str] = {}
    members: dict[str, list[str]] = defaultdict(list)
    for server in servers:
        if server in given:
            app_id, name = given[server], given[server]
        else:
            name = cut(votes[server].most_common(1)[0][0] if votes.get(server) else shown[server], 300)
            app_id, collided = registry.id_for(name)
            if collided:
                problems.warn(
                    row=None,
                    column=None,
                    message=f"application names {name!r} and another give the same id",
                    action=f"given the id {app_id!r}",
                )
        owner[server] = app_id
        names.setdefault(app_id, name)
        members[app_id].append(shown[server])
    counts: Counter[tuple[str, str]] = Counter()
    for (source, target), observed in pairs.items():
        caller, callee = owner[source], owner[target]
        if caller == callee:
            stats["internal_connections"] += observed
        else:
            counts[(caller, callee)] += observed
    applications = [
        Application(
            application_id=app_id,
            name=names[app_id],
            server_count=min(len(members[app_id]), 100_000),
            attributes={SERVERS: join_limited(sorted(members[app_id])), DEPENDENCY_ONLY: "true"},
        )
        for app_id in sorted(members)
    ]
    dependencies = connections_to_dependencies(counts, options=options, stats=stats)
    note_defaults(
        {"server_count": 0},
        problems=problems,
        reason="application known only from traffic",
        rows=len(applications),
    )
    if applications:
        problems.warn(
            row=None,
            column=None,
            message=f"{len(applications)} application(s) are known only from traffic: strategy, criticality and effort take defaults",
            action="defaulted (rehost, medium); import an inventory too, it merges by name or id",
        )
    server_map = {server: owner[server] for server in servers}
    return Parsed(applications=applications, dependencies=dependencies, servers=server_map, stats=stats)
