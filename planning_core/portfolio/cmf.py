"""AWS Cloud Migration Factory intake CSV: one row per server, grouped into applications by ``app_name``.

The id is the slug of ``app_name`` (see ``normalise.SlugRegistry``). ``server_count`` counts distinct
servers (``server_name``, else ``server_fqdn``); the environment is the servers' most common
``server_environment``; ``r_type`` maps to 6R through the documented mapping (``Refactor/Rearchitect``
is refactor; ``TBC`` or blank is rehost with a warning); when an application's servers disagree, the most
common strategy wins and the disagreement is reported. ``aws_region``, ``aws_accountid``,
``server_tier`` and ``server_os_family`` become attributes, and the servers (short host names) the
attribute ``servers``.

Waves: wave names are numbered by their trailing digits when every wave name ends in a distinct number
("Wave 3" -> 3), otherwise in order of first appearance (1, 2, ...). With
``options.import_wave_pins`` an application is pinned to its wave (the earliest one, with a warning,
when its servers sit in several); without it the waves are only counted.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from planning_core.domain import Application, SixR
from planning_core.portfolio import normalise
from planning_core.portfolio.common import (
    SERVERS,
    Parsed,
    cut,
    join_limited,
    report_missing_strategies,
    server_key,
)
from planning_core.portfolio.models import ImportOptions, Problems
from planning_core.portfolio.sources import Table
from planning_core.portfolio.template import build_application

APP = "app_name"
SERVER = "server_name"
FQDN = "server_fqdn"
WAVE = "wave_name"
R_TYPE = "r_type"
ENVIRONMENT = "server_environment"
REQUIRED = (APP, SERVER)
SIGNATURE = (WAVE, APP, SERVER, "aws_region", "aws_accountid", "server_os_family", "server_fqdn", R_TYPE)
_ATTRIBUTES = ("aws_region", "aws_accountid", "server_tier", "server_os_family")
_TRAILING_NUMBER = re.compile(r"(\d+)\s*$")


@dataclass
class _App:
    name: str
    row: int
    servers: list[str] = field(default_factory=list)
    environments: Counter[str] = field(default_factory=Counter)
    strategies: Counter[SixR] = field(default_factory=Counter)
    waves: list[str] = field(default_factory=list)
    attributes: dict[str, list[str]] = field(default_factory=dict)


def parse(table: Table, *, options: ImportOptions, problems: Problems) -> Parsed:
    """Applications (with server counts and optional wave pins) from a CMF intake table."""
    get = {c: table.getter(c) for c in (APP, SERVER, FQDN, WAVE, R_TYPE, ENVIRONMENT, *_ATTRIBUTES)}
    groups: dict[str, _App] = {}
    servers: dict[str, str] = {}
    wave_order: list[str] = []
    for row, cells in table.rows:
        name = cut(get[APP](cells), 300)
        if not name:
            problems.add(row=row, column=APP, message="app_name is blank", action="row skipped")
            continue
        server = get[SERVER](cells) or get[FQDN](cells)
        if not server:
            problems.add(
                row=row, column=SERVER, message="server_name and server_fqdn are blank", action="row skipped"
            )
            continue
        key = " ".join(name.lower().split())
        group = groups.setdefault(key, _App(name=name, row=row))
        _add_row(group, row, cells, get, server, problems)
        servers[server_key(server)] = key
        if fqdn := get[FQDN](cells):
            servers[fqdn.strip().lower()] = key
        if (wave := get[WAVE](cells)) and wave not in wave_order:
            wave_order.append(wave)
    numbers = wave_numbers(wave_order)
    return _build(groups, servers, numbers, options=options, problems=problems)


def _add_row(group: _App, row: int, cells: list[str], get: dict, server: str, problems: Problems) -> None:
    key = server_key(server)
    if key in group.servers:
        problems.warn(
            row=row,
            column=SERVER,
            message=f"server {server[:100]!r} is listed twice for {group.name!r}",
            action="counted once",
        )
    else:
        group.servers.append(key)
    if environment := get[ENVIRONMENT](cells):
        group.environments[cut(environment, 200)] += 1
    try:
        strategy = normalise.strategy(get[R_TYPE](cells))
    except ValueError as exc:
        problems.add(row=row, column=R_TYPE, message=str(exc), action="ignored for this server")
        strategy = None
    if strategy is not None:
        group.strategies[strategy] += 1
    if wave := get[WAVE](cells):
        group.waves.append(wave)
    for column in _ATTRIBUTES:
        if value := get[column](cells):
            group.attributes.setdefault(column, []).append(value)


def wave_numbers(names: list[str]) -> dict[str, int]:
    """Wave numbers from names: distinct trailing digits when all have them, else order of appearance."""
    digits = [_TRAILING_NUMBER.search(n) for n in names]
    values = [int(m.group(1)) for m in digits if m]
    if (
        len(values) == len(names)
        and len(set(values)) == len(values)
        and all(1 <= v <= 10_000 for v in values)
    ):
        return dict(zip(names, values, strict=True))
    return {name: position for position, name in enumerate(names, start=1)}


def _build(
    groups: dict[str, _App],
    servers: dict[str, str],
    numbers: dict[str, int],
    *,
    options: ImportOptions,
    problems: Problems,
) -> Parsed:
    registry = normalise.SlugRegistry()
    applications: list[Application] = []
    pins: dict[str, int] = {}
    missing: list[str] = []
    ids: dict[str, str] = {}
    for key, group in groups.items():
        app_id, collided = registry.id_for(group.name)
        if collided:
            problems.warn(
                row=group.row,
                column=APP,
                message=f"the name {group.name!r} gives the same id as another application",
                action=f"given the id {app_id!r}",
            )
        values = {
            "application_id": app_id,
            "name": group.name,
            "server_count": min(len(group.servers), 100_000),
            "six_r_strategy": _strategy(group, problems, missing),
            "attributes": {column: join_limited(items) for column, items in group.attributes.items()}
            | {SERVERS: join_limited(sorted(group.servers))},
        }
        if group.environments:
            values["environment"] = group.environments.most_common(1)[0][0]
        if options.import_wave_pins and group.waves:
            values["pinned_wave"] = pins[app_id] = _pin(group, numbers, problems)
        app = build_application(values, row=group.row, problems=problems, defaulted="not in the CMF intake")
        if app is not None:
            applications.append(app)
            ids[key] = app_id
    report_missing_strategies(missing, problems=problems, column=R_TYPE)
    stats = Counter(
        {"waves_in_file": len(numbers), "server_rows": sum(len(g.servers) for g in groups.values())}
    )
    server_map = {server: ids[key] for server, key in servers.items() if key in ids}
    return Parsed(applications=applications, dependencies=[], pins=pins, servers=server_map, stats=stats)


def _strategy(group: _App, problems: Problems, missing: list[str]) -> SixR:
    if not group.strategies:
        missing.append(group.name)
        problems.default("six_r_strategy", SixR.REHOST, f"{R_TYPE} blank or TBC on every server")
        return SixR.REHOST
    ranked = group.strategies.most_common()
    if len(ranked) > 1:
        detail = ", ".join(f"{s.value} ({n})" for s, n in ranked)
        problems.warn(
            row=group.row,
            column=R_TYPE,
            message=f"the servers of {group.name!r} have different strategies: {detail}",
            action=f"{ranked[0][0].value} used (the most common)",
        )
    return ranked[0][0]


def _pin(group: _App, numbers: dict[str, int], problems: Problems) -> int:
    waves = sorted({numbers[w] for w in group.waves})
    if len(waves) > 1:
        problems.warn(
            row=group.row,
            column=WAVE,
            message=f"the servers of {group.name!r} are in waves {', '.join(map(str, waves))}",
            action=f"pinned to wave {waves[0]} (the earliest)",
        )
    return waves[0]
