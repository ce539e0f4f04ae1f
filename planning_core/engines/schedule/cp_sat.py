"""The CP-SAT model of the RCPSP (used by ``rcpsp.solve_rcpsp``)."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planning_core.engines.schedule.network import Network
from planning_core.graph import mask_members, reach_masks

# Wall-clock runs on two workers: one complete search with restarts, and the other thread interleaving
# only the large-neighbourhood searches that suit schedules (the feasibility jumps, local search and
# graph neighbourhoods are dropped: the heuristic's hint is already feasible).
TWO_WORKER_SUBSOLVERS: tuple[str, ...] = ("quick_restart",)
TWO_WORKER_IGNORED: tuple[str, ...] = (
    "feasibility_pump",
    "ls",
    "fj",
    "graph_arc_lns",
    "graph_cst_lns",
    "graph_dec_lns",
    "graph_var_lns",
    "rins/rens",
)


@dataclass(frozen=True)
class CpSatResult:
    """What CP-SAT found: a schedule (or None), its proven bound and whether it is optimal."""

    starts: list[int] | None
    bound: int
    optimal: bool
    status_name: str


def _incompatible_cliques(net: Network) -> list[list[int]]:
    """Sets of activities that pairwise can never run together (their demands exceed a capacity)."""
    active = [j for j in range(net.n) if net.d[j] > 0 and net.req[j]]
    dem = [dict(net.req[j]) for j in range(net.n)]

    def clash(i: int, j: int) -> bool:
        return any(a + dem[j].get(k, 0) > net.caps[k] for k, a in net.req[i])

    cliques: list[list[int]] = []
    seen: set[frozenset[int]] = set()
    by_size = sorted(active, key=lambda j: (-max(a / max(net.caps[k], 1) for k, a in net.req[j]), j))
    for seed_activity in by_size:
        clique = [seed_activity]
        for j in by_size:
            if j != seed_activity and all(clash(i, j) for i in clique):
                clique.append(j)
        key = frozenset(clique)
        if len(clique) >= 2 and key not in seen:
            seen.add(key)
            cliques.append(sorted(clique))
        if len(cliques) >= 2 * len(net.caps) + 8:
            break
    return cliques


def _reach(net: Network) -> tuple[list[int], list[int]]:
    """Bitsets of every activity's transitive successors and transitive predecessors."""
    succ = reach_masks([[s for s, _ in row] for row in net.succs], reversed(net.order))
    pred = reach_masks([[p for p, _ in row] for row in net.preds], net.order)
    return [b & ~(1 << j) for j, b in enumerate(succ)], [b & ~(1 << j) for j, b in enumerate(pred)]


def _distances_from(net: Network, i: int, reach: int) -> dict[int, int]:
    """Longest start-to-start distance from ``i`` to each of its transitive successors."""
    dist = {i: 0}
    for j in net.order:
        if j != i and reach >> j & 1:
            dist[j] = max(dist[p] + net.d[p] + lag for p, lag in net.preds[j] if p in dist)
    return dist


def _delay_candidates(net: Network, succ: list[int], pred: list[int]) -> list[tuple[int, int, list[int]]]:
    """Pairs (i, j), j after i with two or more parallel branches between them, smallest first."""
    pairs: list[tuple[int, int, list[int]]] = []
    for i in range(net.n):
        outs = [s for s, _ in net.succs[i]]
        if len(outs) < 2:
            continue
        for j in mask_members(succ[i]):
            ins = [p for p, _ in net.preds[j]]
            if len(ins) < 2:
                continue
            if sum(1 for s in outs if s == j or succ[s] >> j & 1) < 2:
                continue
            if sum(1 for p in ins if p == i or pred[p] >> i & 1) < 2:
                continue
            between = mask_members(succ[i] & pred[j])
            if len(between) >= 2:
                pairs.append((i, j, between))
    pairs.sort(key=lambda e: (len(e[2]), e[0], e[1]))
    return pairs


def _sub_delay(
    net: Network,
    i: int,
    j: int,
    between: list[int],
    dist: dict[int, int],
    delays: dict[tuple[int, int], int],
    time_limit: float,
) -> int:
    """Least start-to-start delay from ``i`` to ``j`` with the activities between them on the resources.

    A small CP-SAT model: ``i`` starts at 0, the activities between keep their links and the delays
    found so far, each resource's cumulative holds; CP-SAT's bound on ``start[j]`` is the delay.
    """
    model = cp_model.CpModel()
    members = set(between) | {j}
    horizon = dist[j] + sum(net.d[a] for a in between) + 1
    start = {a: model.new_int_var(dist[a], horizon, "") for a in sorted(members)}
    start[i] = model.new_constant(0)
    for a in sorted(members):
        for p, lag in net.preds[a]:
            if p in start:
                model.add(start[a] >= start[p] + net.d[p] + lag)
    for (a, b), delay in delays.items():
        if a in start and b in start:
            model.add(start[b] >= start[a] + delay)
    for k, cap in enumerate(net.caps):
        users = [(a, dict(net.req[a]).get(k, 0)) for a in between]
        users = [(a, q) for a, q in users if q > 0 and net.d[a] > 0]
        if sum(q for _, q in users) > cap:
            model.add_cumulative(
                [model.new_fixed_size_interval_var(start[a], net.d[a], "") for a, _ in users],
                [q for _, q in users],
                cap,
            )
    model.minimize(start[j])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return dist[j]
    return max(dist[j], int(math.ceil(solver.best_objective_bound - 1e-6)))


def resource_delays(
    net: Network, *, time_budget: float, per_pair: float = 0.05, max_activities: int = 400
) -> dict[tuple[int, int], int]:
    """Start-to-start delays implied by the resources between pairs of linked activities.

    The approach of OR-Tools' RCPSP example: for pairs (i, j) with parallel branches between them,
    smallest sets first, bound the sub-project between them with a short CP-SAT call (each call sees the
    delays already found). Only delays longer than the longest path are kept. Valid when no lag is
    negative; stops when the wall-clock budget is spent.
    """
    if net.n > max_activities or time_budget <= 0 or any(lag < 0 for row in net.succs for _, lag in row):
        return {}
    deadline = time.perf_counter() + time_budget
    succ, pred = _reach(net)
    dists: dict[int, dict[int, int]] = {}
    delays: dict[tuple[int, int], int] = {}
    for i, j, between in _delay_candidates(net, succ, pred):
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        if i not in dists:
            dists[i] = _distances_from(net, i, succ[i])
        dist = dists[i]
        delay = _sub_delay(net, i, j, between, dist, delays, min(per_pair, left))
        if delay > dist[j]:
            delays[(i, j)] = delay
    return delays


def _makespan_bound(solver: cp_model.CpSolver, scale: int, weights: Sequence[int] | None, upper: int) -> int:
    """CP-SAT's proven bound on the makespan (from the lexicographic objective when weighted)."""
    bound = solver.best_objective_bound
    if scale == 1:
        return int(math.ceil(bound - 1e-6))
    highest_secondary = sum(w for w in weights or () if w > 0) * upper
    return int(math.ceil((bound - highest_secondary) / scale - 1e-6))


@dataclass
class _Model:
    """The CP-SAT model and the variables the solver reads back."""

    model: cp_model.CpModel
    starts: list[cp_model.IntVar]
    intervals: list[cp_model.IntervalVar]
    makespan: cp_model.IntVar
    after_size: cp_model.IntVar
    after: cp_model.IntervalVar


def _variables(net: Network, upper_bound: int, lower_bound: int) -> _Model:
    """Start variables cut by heads and tails, fixed-size intervals, the makespan and the idle tail."""
    model = cp_model.CpModel()
    starts = [
        model.new_int_var(net.head[j], max(net.head[j], upper_bound - net.tail[j]), f"s{j}")
        for j in range(net.n)
    ]
    intervals = [model.new_fixed_size_interval_var(starts[j], net.d[j], f"i{j}") for j in range(net.n)]
    makespan = model.new_int_var(lower_bound, upper_bound, "makespan")
    after_size = model.new_int_var(0, upper_bound - lower_bound, "after_makespan")
    after = model.new_interval_var(makespan, after_size, upper_bound, "after")
    return _Model(model, starts, intervals, makespan, after_size, after)


def _precedence(m: _Model, net: Network) -> None:
    """Hard: a successor starts after its predecessor finishes plus the lag."""
    for j in range(net.n):
        for succ, lag in net.succs[j]:
            m.model.add(m.starts[succ] >= m.starts[j] + net.d[j] + lag)


def _capacity(m: _Model, net: Network) -> None:
    """Hard: at every time, each resource's demand stays within its capacity.

    The span after the makespan is filled to capacity, so the cumulatives also push the makespan.
    """
    for k, cap in enumerate(net.caps):
        users = [j for j in range(net.n) if net.d[j] > 0 and any(r == k for r, _ in net.req[j])]
        demands = [dict(net.req[j])[k] for j in users]
        if sum(demands) <= cap:
            continue
        m.model.add_cumulative([m.intervals[j] for j in users] + [m.after], demands + [cap], cap)


def _incompatible_pairs(m: _Model, net: Network) -> None:
    """Redundant: activities whose demands together exceed a capacity never overlap (no-overlap cliques)."""
    for clique in _incompatible_cliques(net):
        m.model.add_no_overlap([m.intervals[j] for j in clique])


def _delays(m: _Model, delays: dict[tuple[int, int], int]) -> None:
    """Redundant: resource-implied minimum delays between linked activities."""
    for (i, j), delay in delays.items():
        m.model.add(m.starts[j] >= m.starts[i] + delay)


def _project_end(m: _Model, net: Network) -> None:
    """Hard: the makespan is at least every activity's finish."""
    for j in range(net.n):
        m.model.add(m.makespan >= m.starts[j] + net.d[j])


def _objective(m: _Model, upper_bound: int, secondary_weights: Sequence[int] | None) -> int:
    """Minimise the makespan, then (lexicographically) the weighted starts; returns the makespan's scale."""
    terms = [(w, j) for j, w in enumerate(secondary_weights or ()) if w]
    if not terms:
        m.model.minimize(m.makespan)
        return 1
    scale = sum(abs(w) for w, _ in terms) * (upper_bound + 1) + 1
    m.model.minimize(scale * m.makespan + sum(w * m.starts[j] for w, j in terms))
    return scale


def _hints(m: _Model, net: Network, hint: list[int], upper_bound: int) -> None:
    """Warm start from the heuristic's schedule."""
    for j in range(net.n):
        m.model.add_hint(m.starts[j], hint[j])
    hinted_makespan = max((hint[j] + net.d[j] for j in range(net.n)), default=0)
    m.model.add_hint(m.makespan, hinted_makespan)
    m.model.add_hint(m.after_size, upper_bound - hinted_makespan)


def _parameters(
    solver: cp_model.CpSolver,
    *,
    time_limit_seconds: float,
    num_workers: int,
    seed: int,
    deterministic: bool,
    extra: dict[str, object] | None,
) -> None:
    """Fixed seed and worker count; a deterministic-time limit when results must be reproducible."""
    params = solver.parameters
    params.num_workers = num_workers
    params.random_seed = seed
    if deterministic:
        params.max_deterministic_time = time_limit_seconds
        params.max_time_in_seconds = 3 * time_limit_seconds
        params.interleave_search = num_workers > 1
    else:
        params.max_time_in_seconds = time_limit_seconds
        if num_workers == 2:
            params.subsolvers.extend(TWO_WORKER_SUBSOLVERS)
            params.ignore_subsolvers.extend(TWO_WORKER_IGNORED)
    for name, value in (extra or {}).items():
        if isinstance(value, list | tuple):
            field = getattr(params, name)
            field.clear()
            field.extend(value)
        elif isinstance(value, str) and hasattr(type(params), value):
            setattr(params, name, getattr(type(params), value))  # an enum value by name
        else:
            setattr(params, name, value)


def solve_with_cp_sat(
    net: Network,
    *,
    hint: list[int],
    upper_bound: int,
    lower_bound: int,
    time_limit_seconds: float,
    num_workers: int,
    seed: int,
    deterministic: bool,
    secondary_weights: Sequence[int] | None = None,
    extra_parameters: dict[str, object] | None = None,
    delays: dict[tuple[int, int], int] | None = None,
    schedule_search: bool = False,
) -> CpSatResult:
    """Minimise the makespan with interval variables and cumulative constraints."""
    m = _variables(net, upper_bound, lower_bound)
    _precedence(m, net)
    _capacity(m, net)
    _incompatible_pairs(m, net)
    if delays:
        _delays(m, delays)
    _project_end(m, net)
    scale = _objective(m, upper_bound, secondary_weights)
    _hints(m, net, hint, upper_bound)
    if schedule_search:
        m.model.add_decision_strategy(m.starts, cp_model.CHOOSE_LOWEST_MIN, cp_model.SELECT_MIN_VALUE)
    solver = cp_model.CpSolver()
    _parameters(
        solver,
        time_limit_seconds=time_limit_seconds,
        num_workers=num_workers,
        seed=seed,
        deterministic=deterministic,
        extra=extra_parameters,
    )
    status = solver.solve(m.model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return CpSatResult(
        starts=[solver.value(s) for s in m.starts] if found else None,
        bound=_makespan_bound(solver, scale, secondary_weights, upper_bound) if found else lower_bound,
        optimal=status == cp_model.OPTIMAL,
        status_name=solver.status_name(status),
    )
