"""The wave problem in solver form: applications contracted into units that must share a wave.

A unit is a `move_together` group (connected component), merged with every `precedes` cycle it
touches (a cycle means "same wave"). Units that cannot fit one wave (effort or app count) are split
at their weakest cut; units whose apps are pinned to different waves are split by pin. The units
form a DAG of `precedes` arcs: wave(source unit) <= wave(target unit).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from planning_core.domain import CRITICALITY_RANK, Application, DependencyType, PlanningConfig, Portfolio
from planning_core.graph import UnionFind, strongly_connected, topological_order

EPS = 1e-6
PILOT_MAX_CRITICALITY = 1  # low or medium
PILOT_MAX_COMPLEXITY = 5


@dataclass
class Unit:
    """Applications that go into one wave together."""

    apps: list[str]
    effort: float
    count: int
    fixed: int | None = None
    risk: int = 0
    pilot_ok: bool = False
    exclusive: bool = False
    split_from: int | None = None  # index of the original group when this unit is a piece of it


@dataclass
class WaveProblem:
    """Units, their precedence DAG and the per-wave limits."""

    units: list[Unit]
    succ: list[list[int]]
    pred: list[list[int]]
    capacity: float
    max_apps: int
    closed_waves: set[int] = field(default_factory=set)
    cut_edges: list[tuple[int, int, float]] = field(default_factory=list)
    unit_of: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    oversized_groups: list[list[str]] = field(default_factory=list)
    pin_conflict_groups: list[list[str]] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.units)

    def weight(self, i: int) -> float:
        """Effort a unit takes from a wave in the solver (an oversized unit fills a whole wave)."""
        return self.capacity if self.units[i].exclusive else self.units[i].effort

    def apps_weight(self, i: int) -> int:
        """App slots a unit takes in the solver (an oversized unit fills a whole wave)."""
        return self.max_apps if self.units[i].exclusive else self.units[i].count


@dataclass
class _Graph:
    apps: list[Application]
    effort: list[float]
    precedes: list[list[int]]
    together: list[dict[int, float]]


def _app_graph(apps: list[Application], portfolio: Portfolio) -> _Graph:
    index = {a.application_id: i for i, a in enumerate(apps)}
    precedes: list[set[int]] = [set() for _ in apps]
    together: list[dict[int, float]] = [dict() for _ in apps]
    for dep in portfolio.dependencies:
        s = index.get(dep.source_application_id)
        t = index.get(dep.target_application_id)
        if s is None or t is None or s == t:
            continue
        if dep.dependency_type == DependencyType.PRECEDES:
            precedes[s].add(t)
        else:
            together[s][t] = together[s].get(t, 0.0) + dep.weight
            together[t][s] = together[t].get(s, 0.0) + dep.weight
    return _Graph(apps, [a.effort for a in apps], [sorted(p) for p in precedes], together)


def merged_groups(graph: _Graph) -> tuple[list[list[int]], list[list[int]]]:
    """Groups that must share a wave (move_together components merged with precedes cycles) + cycles."""
    n = len(graph.apps)
    cycles = [c for c in strongly_connected(graph.precedes) if len(c) > 1]
    uf = UnionFind(n)
    for i in range(n):
        for j in graph.together[i]:
            uf.union(i, j)
    for comp in cycles:
        for x in comp[1:]:
            uf.union(comp[0], x)
    while True:
        groups = uf.groups()
        gid = [0] * n
        for g, members in enumerate(groups):
            for x in members:
                gid[x] = g
        gsucc = [
            sorted({gid[t] for s in m for t in graph.precedes[s] if gid[t] != g})
            for g, m in enumerate(groups)
        ]
        merged = [c for c in strongly_connected(gsucc) if len(c) > 1]
        if not merged:
            return groups, cycles
        for comp in merged:
            for g in comp[1:]:
                uf.union(groups[comp[0]][0], groups[g][0])


def _atoms(members: list[int], graph: _Graph) -> list[list[int]]:
    """Precedes-cycles inside a group (each must stay whole if it can), in a topological order."""
    local = {x: k for k, x in enumerate(members)}
    succ = [[local[t] for t in graph.precedes[x] if t in local] for x in members]
    comps = strongly_connected(succ)
    comps.reverse()  # Tarjan emits reverse topological order
    return [[members[k] for k in comp] for comp in comps]


def _order_atoms(atoms: list[list[int]], graph: _Graph) -> list[list[int]]:
    """A topological order of atoms that keeps strongly tied atoms next to each other."""
    atom_of = {x: a for a, atom in enumerate(atoms) for x in atom}
    succ: list[set[int]] = [set() for _ in atoms]
    for a, atom in enumerate(atoms):
        for x in atom:
            for t in graph.precedes[x]:
                b = atom_of.get(t)
                if b is not None and b != a:
                    succ[a].add(b)
    tie: list[defaultdict[int, float]] = [defaultdict(float) for _ in atoms]
    for a, atom in enumerate(atoms):
        for x in atom:
            for t, w in graph.together[x].items():
                b = atom_of.get(t)
                if b is not None and b != a:
                    tie[a][b] += w

    def tied_to(last: int | None, a: int) -> float:
        return tie[last][a] if last is not None else 0.0

    order = topological_order([sorted(s) for s in succ], prefer=tied_to)
    return [atoms[a] for a in order]


def _segment(seq: list[list[int]], graph: _Graph, capacity: float, max_apps: int) -> list[list[int]]:
    """Cut an ordered list of atoms into consecutive pieces that fit a wave, keeping most tie weight."""
    items: list[list[int]] = []
    for atom in seq:
        eff = sum(graph.effort[x] for x in atom)
        if len(atom) > 1 and (eff > capacity + EPS or len(atom) > max_apps):
            items.extend([x] for x in atom)  # a precedes cycle too big for one wave: break it
        else:
            items.append(atom)
    m = len(items)
    pos = {x: k for k, item in enumerate(items) for x in item}
    best = [float("-inf")] * (m + 1)
    back = [0] * (m + 1)
    best[0] = 0.0
    for b in range(1, m + 1):
        eff = 0.0
        cnt = 0
        inside = 0.0
        for a in range(b - 1, -1, -1):
            item = items[a]
            eff += sum(graph.effort[x] for x in item)
            cnt += len(item)
            if a < b - 1 and (eff > capacity + EPS or cnt > max_apps):
                break
            for x in item:
                for t, w in graph.together[x].items():
                    p = pos.get(t)
                    if p is not None and a <= p < b and (p > a or t > x):
                        inside += w
            if best[a] + inside > best[b]:
                best[b] = best[a] + inside
                back[b] = a
    pieces: list[list[int]] = []
    b = m
    while b > 0:
        a = back[b]
        pieces.append([x for item in items[a:b] for x in item])
        b = a
    pieces.reverse()
    return pieces


def _split_by_pins(members: list[int], pins: dict[int, int], graph: _Graph) -> list[list[int]]:
    """Split a group whose apps are pinned to different waves: each app joins its nearest pin."""
    local = set(members)
    owner: dict[int, int] = {x: pins[x] for x in members if x in pins}
    frontier = sorted(owner, key=lambda x: (owner[x], x))
    while frontier:
        nxt: list[int] = []
        for x in frontier:
            neighbours = set(graph.together[x]) | set(graph.precedes[x])
            for t in sorted(neighbours):
                if t in local and t not in owner:
                    owner[t] = owner[x]
                    nxt.append(t)
        frontier = nxt
    for x in members:
        owner.setdefault(x, min(pins.values()))
    by_wave: dict[int, list[int]] = defaultdict(list)
    for x in members:
        by_wave[owner[x]].append(x)
    return [by_wave[w] for w in sorted(by_wave)]


def _names(apps: list[Application], members: list[int], limit: int = 4) -> str:
    ids = [apps[x].application_id for x in members]
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


def build_problem(
    portfolio: Portfolio,
    config: PlanningConfig,
    *,
    fixed: dict[str, int] | None = None,
    closed_waves: set[int] | None = None,
) -> WaveProblem:
    """Contract the migrated applications into units and their precedence DAG."""
    fixed = fixed or {}
    apps = [a for a in portfolio.applications if a.migrated]
    graph = _app_graph(apps, portfolio)
    capacity = config.wave_effort_capacity_hours
    max_apps = config.max_apps_per_wave
    warnings: list[str] = []
    groups, cycles = merged_groups(graph)
    for comp in cycles:
        warnings.append(
            f"Applications {_names(apps, comp)} depend on each other in a cycle of 'precedes'; "
            "they are planned in the same wave."
        )
    pins = {i: fixed[a.application_id] for i, a in enumerate(apps) if a.application_id in fixed}
    pieces: list[tuple[list[int], int | None]] = []
    oversized: list[list[str]] = []
    pin_conflicts: list[list[str]] = []
    for g, members in enumerate(groups):
        group_pins = {pins[x] for x in members if x in pins}
        if len(group_pins) > 1:
            pin_conflicts.append([apps[x].application_id for x in members])
            warnings.append(
                f"Applications {_names(apps, members)} must move together but are pinned or locked to "
                f"waves {', '.join(str(w) for w in sorted(group_pins))}; the group is split by pin."
            )
            pieces.extend((p, g) for p in _split_by_pins(members, pins, graph))
            continue
        eff = sum(graph.effort[x] for x in members)
        if len(members) > 1 and not group_pins and (eff > capacity + EPS or len(members) > max_apps):
            parts = _segment(_order_atoms(_atoms(members, graph), graph), graph, capacity, max_apps)
            oversized.append([apps[x].application_id for x in members])
            warnings.append(
                f"Group {_names(apps, members)} ({len(members)} apps, {eff:,.1f} h) does not fit one wave "
                f"(at most {max_apps} apps and {capacity:,.1f} h); split into {len(parts)} parts at its "
                "weakest cut."
            )
            pieces.extend((p, g) for p in parts)
            continue
        pieces.append((members, None))
    return _assemble(apps, graph, pieces, pins, config, warnings, oversized, pin_conflicts, closed_waves)


def _assemble(
    apps: list[Application],
    graph: _Graph,
    pieces: list[tuple[list[int], int | None]],
    pins: dict[int, int],
    config: PlanningConfig,
    warnings: list[str],
    oversized: list[list[str]],
    pin_conflicts: list[list[str]],
    closed_waves: set[int] | None,
) -> WaveProblem:
    capacity = config.wave_effort_capacity_hours
    max_apps = config.max_apps_per_wave
    unit_index = [0] * len(apps)
    units: list[Unit] = []
    for u, (members, origin) in enumerate(pieces):
        for x in members:
            unit_index[x] = u
        eff = sum(graph.effort[x] for x in members)
        member_pins = sorted({pins[x] for x in members if x in pins})
        risk = max(CRITICALITY_RANK[apps[x].business_criticality] for x in members)
        low = risk <= PILOT_MAX_CRITICALITY and all(
            apps[x].complexity <= PILOT_MAX_COMPLEXITY for x in members
        )
        exclusive = eff > capacity + EPS or len(members) > max_apps
        if exclusive and len(members) == 1:
            warnings.append(
                f"Application {apps[members[0]].application_id} alone needs {eff:,.1f} h, more than a "
                f"wave's capacity of {capacity:,.1f} h; it gets a wave of its own."
            )
        units.append(
            Unit(
                apps=[apps[x].application_id for x in members],
                effort=eff,
                count=len(members),
                fixed=member_pins[0] if member_pins else None,
                risk=risk,
                pilot_ok=low and len(members) <= config.pilot_max_apps and not exclusive,
                exclusive=exclusive,
                split_from=origin,
            )
        )
    n = len(units)
    succ_sets: list[set[int]] = [set() for _ in range(n)]
    for x in range(len(apps)):
        for t in graph.precedes[x]:
            if unit_index[x] != unit_index[t]:
                succ_sets[unit_index[x]].add(unit_index[t])
    succ = [sorted(s) for s in succ_sets]
    for comp in strongly_connected(succ):  # only pin splits can leave cycles: drop arcs inside them
        if len(comp) > 1:
            inside = set(comp)
            for u in comp:
                succ[u] = [v for v in succ[u] if v not in inside]
    pred: list[list[int]] = [[] for _ in range(n)]
    for u in range(n):
        for v in succ[u]:
            pred[v].append(u)
    cut: dict[tuple[int, int], float] = defaultdict(float)
    for x in range(len(apps)):
        for t, w in graph.together[x].items():
            a, b = unit_index[x], unit_index[t]
            if a < b:
                cut[(a, b)] += w
    return WaveProblem(
        units=units,
        succ=succ,
        pred=pred,
        capacity=capacity,
        max_apps=max_apps,
        closed_waves=set(closed_waves or set()),
        cut_edges=[(a, b, w) for (a, b), w in sorted(cut.items())],
        unit_of={apps[x].application_id: unit_index[x] for x in range(len(apps))},
        warnings=warnings,
        oversized_groups=oversized,
        pin_conflict_groups=pin_conflicts,
    )
