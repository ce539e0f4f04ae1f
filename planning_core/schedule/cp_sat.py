"""The CP-SAT model of the RCPSP (used by ``rcpsp.solve_rcpsp``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

if TYPE_CHECKING:
    from planning_core.schedule.rcpsp import _Net


@dataclass(frozen=True)
class CpSatResult:
    """What CP-SAT found: a schedule (or None), its proven bound and whether it is optimal."""

    starts: list[int] | None
    bound: int
    optimal: bool
    status_name: str


def _incompatible_cliques(net: _Net) -> list[list[int]]:
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


def _makespan_bound(solver: cp_model.CpSolver, scale: int, weights: Sequence[int] | None, upper: int) -> int:
    """CP-SAT's proven bound on the makespan (from the lexicographic objective when weighted)."""
    bound = solver.best_objective_bound
    if scale == 1:
        return int(math.ceil(bound - 1e-6))
    highest_secondary = sum(w for w in weights or () if w > 0) * upper
    return int(math.ceil((bound - highest_secondary) / scale - 1e-6))


def solve_with_cp_sat(
    net: _Net,
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
) -> CpSatResult:
    """Minimise the makespan with interval variables and cumulative constraints."""
    model = cp_model.CpModel()
    starts = []
    intervals = []
    for j in range(net.n):
        low, high = net.head[j], upper_bound - net.tail[j]
        s = model.new_int_var(low, max(low, high), f"s{j}")
        starts.append(s)
        intervals.append(model.new_fixed_size_interval_var(s, net.d[j], f"i{j}"))
    for j in range(net.n):
        for succ, lag in net.succs[j]:
            model.add(starts[succ] >= starts[j] + net.d[j] + lag)
    makespan = model.new_int_var(lower_bound, upper_bound, "makespan")
    # The time after the makespan is fully occupied: lets every cumulative reason about the makespan.
    tail_size = model.new_int_var(0, upper_bound - lower_bound, "after_makespan")
    after = model.new_interval_var(makespan, tail_size, upper_bound, "after")
    for k, cap in enumerate(net.caps):
        users = [j for j in range(net.n) if net.d[j] > 0 and any(r == k for r, _ in net.req[j])]
        if not users:
            continue
        demands = [dict(net.req[j])[k] for j in users]
        if sum(demands) <= cap:
            continue
        model.add_cumulative([intervals[j] for j in users] + [after], demands + [cap], cap)
    for clique in _incompatible_cliques(net):
        model.add_no_overlap([intervals[j] for j in clique])
    for j in range(net.n):
        if not net.succs[j]:
            model.add(makespan >= starts[j] + net.d[j])
    if secondary_weights:
        terms = [(w, j) for j, w in enumerate(secondary_weights) if w]
        scale = sum(abs(w) for w, _ in terms) * (upper_bound + 1) + 1
        model.minimize(scale * makespan + sum(w * starts[j] for w, j in terms))
    else:
        scale = 1
        model.minimize(makespan)
    for j in range(net.n):
        model.add_hint(starts[j], hint[j])
    hinted_makespan = max((hint[j] + net.d[j] for j in range(net.n)), default=0)
    model.add_hint(makespan, hinted_makespan)
    model.add_hint(tail_size, upper_bound - hinted_makespan)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = num_workers
    params.random_seed = seed
    if deterministic:
        params.max_deterministic_time = time_limit_seconds
        params.max_time_in_seconds = 3 * time_limit_seconds
        params.interleave_search = num_workers > 1
    else:
        params.max_time_in_seconds = time_limit_seconds
    for name, value in (extra_parameters or {}).items():
        setattr(params, name, value)
    status = solver.solve(model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return CpSatResult(
        starts=[solver.value(s) for s in starts] if found else None,
        bound=_makespan_bound(solver, scale, secondary_weights, upper_bound) if found else lower_bound,
        optimal=status == cp_model.OPTIMAL,
        status_name=solver.status_name(status),
    )
