"""Helpers every importer shares: defaulted values, server-to-application mapping, connection
aggregation into dependencies, and cycle reporting.

Direction of dependencies derived from traffic (Azure Migrate, MPA asset communication data): the
server that opens a connection (source) is the caller; the server that listens (destination, the
port owner) is the callee. The callee must be in the cloud no later than its caller, so the importer
writes ``precedes`` from the callee's application to the caller's. When two applications call each
other and each direction was observed at least ``move_together_min_observations`` times, that strong
two-way chatter becomes one ``move_together`` dependency (weight: all observations). Weaker two-way
traffic keeps only the busier direction (both when tied, which is then reported as a cycle).
Traffic inside one application is not a dependency and is only counted.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from planning_core.domain import Application, Criticality, Dependency, DependencyType, Portfolio, SixR
from planning_core.graph import strongly_connected_keys
from planning_core.portfolio import normalise
from planning_core.portfolio.models import ImportOptions, Problems

DEPENDENCY_ONLY = "dependency_only"
"""Attribute set to "true" on applications known only from traffic (no inventory fields)."""
SERVERS = "servers"
"""Attribute listing an application's servers (", "-separated), so that later traffic imports map to it."""


@dataclass
class Parsed:
    """What a format parser hands back before the portfolio is validated."""

    applications: list[Application]
    dependencies: list[Dependency]
    pins: dict[str, int] = field(default_factory=dict)
    servers: dict[str, str] = field(default_factory=dict)
    stats: Counter[str] = field(default_factory=Counter)


EFFORT_MODEL = "the effort model's estimate"
DEFAULT_VALUES: dict[str, object] = {
    "six_r_strategy": SixR.REHOST,
    "complexity": 5,
    "business_criticality": Criticality.MEDIUM,
    "environment": "production",
    "server_count": 1,
    "data_size_gb": 0,
    "effort_hours": EFFORT_MODEL,
}
"""The application fields whose defaults the preview names (``ImportPreview.defaults``), and the value
each takes when a file does not give it."""


def note_defaults(
    values: dict, *, problems: Problems, reason: str, exclude: tuple[str, ...] = (), rows: int = 1
) -> None:
    """Record a default for every field of ``DEFAULT_VALUES`` that ``values`` does not set."""
    for column, value in DEFAULT_VALUES.items():
        if column not in values and column not in exclude:
            problems.default(column, value, reason, rows)


def strategy_or_default(
    raw: str, *, row: int | None, column: str, problems: Problems, missing: list[str], name: str
) -> SixR:
    """A strategy cell; unknown values are reported and blank/TBC ones collected in ``missing``."""
    try:
        value = normalise.strategy(raw)
    except ValueError as exc:
        problems.add(row=row, column=column, message=str(exc), action="defaulted to rehost")
        problems.default("six_r_strategy", SixR.REHOST, f"{column} not understood")
        return SixR.REHOST
    if value is None:
        missing.append(name)
        problems.default("six_r_strategy", SixR.REHOST, f"{column} blank or undecided (TBC)")
        return SixR.REHOST
    return value


def report_missing_strategies(missing: list[str], *, problems: Problems, column: str) -> None:
    """One warning for all applications whose strategy was blank or not decided (TBC)."""
    if not missing:
        return
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    problems.warn(
        row=None,
        column=column,
        message=f"{len(missing)} application(s) have no migration strategy (blank or TBC): {shown}",
        action="defaulted to rehost; set the strategy in the portfolio before planning",
    )


def criticality_or_default(raw: str, *, row: int | None, column: str, problems: Problems) -> Criticality:
    """A criticality cell; unknown values reported and defaulted to medium."""
    try:
        value = normalise.criticality(raw)
    except ValueError as exc:
        problems.add(row=row, column=column, message=str(exc), action="defaulted to medium")
        problems.default("business_criticality", Criticality.MEDIUM, f"{column} not understood")
        return Criticality.MEDIUM
    if value is None:
        problems.default("business_criticality", Criticality.MEDIUM, f"{column} blank")
        return Criticality.MEDIUM
    return value


def cut(value: str, limit: int) -> str:
    """Text cut to a model field's limit."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


@lru_cache(maxsize=200_000)
def server_key(name: str) -> str:
    """How servers are matched: lower case, the short host name of an FQDN, IPs in canonical form."""
    name = name.strip().lower()
    if not name:
        return ""
    if name[0].isdigit() or ":" in name:
        try:
            return str(ipaddress.ip_address(name))
        except ValueError:
            pass
    return name.split(".", 1)[0] if "." in name else name


def join_limited(values: Iterable[str], limit: int = 2000) -> str:
    """Distinct values joined by ', ' within a text limit."""
    return cut(", ".join(dict.fromkeys(v for v in values if v)), limit)


def connections_to_dependencies(
    counts: Counter[tuple[str, str]], *, options: ImportOptions, stats: Counter[str]
) -> list[Dependency]:
    """Application-level dependencies from caller->callee observation counts (see module docstring)."""
    dependencies: list[Dependency] = []
    done: set[tuple[str, str]] = set()
    for caller, callee in sorted(counts):
        pair = (min(caller, callee), max(caller, callee))
        if pair in done:
            continue
        done.add(pair)
        forward, backward = counts.get((caller, callee), 0), counts.get((callee, caller), 0)
        threshold = options.move_together_min_observations
        if forward >= threshold and backward >= threshold:
            dependencies.append(
                Dependency(
                    source_application_id=pair[0],
                    target_application_id=pair[1],
                    dependency_type=DependencyType.MOVE_TOGETHER,
                    weight=forward + backward,
                )
            )
            stats["move_together"] += 1
            continue
        if forward >= backward and forward:
            dependencies.append(_precedes(callee, caller, forward + (backward if forward > backward else 0)))
        if backward >= forward and backward:
            dependencies.append(_precedes(caller, callee, backward + (forward if backward > forward else 0)))
        if forward and backward and forward != backward:
            stats["reverse_directions_merged"] += 1
    return dependencies


def _precedes(first: str, then: str, weight: float) -> Dependency:
    return Dependency(source_application_id=first, target_application_id=then, weight=weight)


def report_cycles(dependencies: list[Dependency], names: dict[str, str], *, problems: Problems) -> int:
    """Warn once per group of applications that precede each other in a cycle; return the count."""
    graph: dict[str, list[str]] = {}
    for dep in dependencies:
        if dep.dependency_type == DependencyType.PRECEDES:
            graph.setdefault(dep.source_application_id, []).append(dep.target_application_id)
    groups = [g for g in strongly_connected_keys(graph) if len(g) > 1]
    for group in groups:
        shown = ", ".join(names.get(a, a) for a in sorted(group)[:10])
        more = f" and {len(group) - 10} more" if len(group) > 10 else ""
        problems.warn(
            row=None,
            column=None,
            message=f"applications depend on each other in a cycle: {shown}{more}",
            action="kept; the wave planner places a cycle in one wave",
        )
    return len(groups)


def server_map(portfolio: Portfolio) -> dict[str, str]:
    """Server key -> application id from the applications' ``servers`` attributes (first one wins)."""
    mapping: dict[str, str] = {}
    for app in portfolio.applications:
        for name in app.attributes.get(SERVERS, "").split(","):
            if key := server_key(name.strip().rstrip("…")):
                mapping.setdefault(key, app.application_id)
    return mapping
