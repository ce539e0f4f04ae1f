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


@dataclass
class _Model:
    """The CP-SAT model and the variables the solver reads back."""

    model: cp_model.CpModel
    starts: list[cp_model.IntVar]
    intervals: list[cp_model.IntervalVar]
    makespan: cp_model.IntVar
    after_size: cp_model.IntVar
    after: cp_model.IntervalVar


def _variables(net: _Net, upper_bound: int, lower_bound: int) -> _Model:
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


def _precedence(m: _Model, net: _Net) -> None:
    """Hard: a successor starts after its predecessor finishes plus the lag."""
    for j in range(net.n):
        for succ, lag in net.succs[j]:
            m.model.add(m.starts[succ] >= m.starts[j] + net.d[j] + lag)


def _capacity(m: _Model, net: _Net) -> None:
    """Hard: at every time, each resource's demand stays within its capacity.

    The span after the makespan is filled to capacity, so the cumulatives also push the makespan.
    """
    for k, cap in enumerate(net.caps):
        users = [j for j in range(net.n) if net.d[j] > 0 and any(r == k for r, _ in net.req[j])]
        demands = [dict(net.req[j])[k] for j in users]
        if sum(demands) <= cap:
            continue
        m.model.add_cumulative([m.intervals[j] for j in users] + [m.after], demands + [cap], cap)


def _incompatible_pairs(m: _Model, net: _Net) -> None:
    """Redundant: activities whose demands together exceed a capacity never overlap (no-overlap cliques)."""
    for clique in _incompatible_cliques(net):
        m.model.add_no_overlap([m.intervals[j] for j in clique])


def _project_end(m: _Model, net: _Net) -> None:
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


def _hints(m: _Model, net: _Net, hint: list[int], upper_bound: int) -> None:
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
    for name, value in (extra or {}).items():
        setattr(params, name, value)


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
    m = _variables(net, upper_bound, lower_bound)
    _precedence(m, net)
    _capacity(m, net)
    _incompatible_pairs(m, net)
    _project_end(m, net)
    scale = _objective(m, upper_bound, secondary_weights)
    _hints(m, net, hint, upper_bound)
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
