"""Exact search for fewer waves: OR-Tools CP-SAT on the decision problem "does m waves suffice?".

Each unit may only go to the waves between its earliest wave (predecessors' effort) and its latest
wave (successors' effort, pinned descendants); m rises from the lower bound until a plan is found,
so the first plan found is optimal. Under the time limit the best plan found so far is returned.
"""

from __future__ import annotations

import math
import time

from ortools.sat.python import cp_model

from planning_core.engines.waves.bounds import station_windows
from planning_core.engines.waves.branch_bound import Instance, improve_waves
from planning_core.engines.waves.greedy import random_restarts, releases_and_deadlines
from planning_core.engines.waves.units import WaveProblem

MAX_CP_UNITS = 3000
MAX_CP_CELLS = 400_000
MAX_BB_UNITS = 600
RESTARTS = 3000  # random-priority constructions before the branch and bound (seeded: deterministic)
RESTART_SHARE = 0.1  # at most this share of the time limit


def _scaled(problem: WaveProblem) -> tuple[list[int], int]:
    """Integer weights and capacity for CP-SAT (exact for integral efforts, conservative otherwise)."""
    weights = [problem.weight(u) for u in range(problem.n)]
    if all(float(w).is_integer() for w in weights) and float(problem.capacity).is_integer():
        return [int(w) for w in weights], int(problem.capacity)
    scale = 100
    return [math.ceil(w * scale - 1e-6) for w in weights], math.floor(problem.capacity * scale + 1e-6)


def windows_for(problem: WaveProblem, m: int, earliest: list[int], tail: list[int]) -> list[tuple[int, int]]:
    """Allowed wave range per unit when the plan has m waves."""
    _, deadline = releases_and_deadlines(problem)
    out = []
    for u, unit in enumerate(problem.units):
        if unit.fixed is not None:
            out.append((unit.fixed, unit.fixed))
            continue
        out.append((earliest[u], min(m - tail[u] + 1, deadline[u], m)))
    return out


def feasible_with(
    problem: WaveProblem,
    m: int,
    *,
    deadline: float,
    seed: int,
    pilot_apps: int = 0,
    hint: list[int] | None = None,
    windows: list[tuple[int, int]],
) -> tuple[list[int] | None, str]:
    """A plan with at most m waves ("feasible"), a proof there is none ("infeasible"), or "unknown"."""
    remaining = deadline - time.perf_counter()
    if remaining <= 0.01:
        return None, "unknown"
    if any(lo > hi for lo, hi in windows):
        return None, "infeasible"
    weights, cap = _scaled(problem)
    model = cp_model.CpModel()
    x: list[dict[int, cp_model.IntVar]] = []
    for u, (lo, hi) in enumerate(windows):
        unit = problem.units[u]
        allowed = [
            k
            for k in range(lo, hi + 1)
            if (unit.fixed is not None or k not in problem.closed_waves)
            and not (pilot_apps and k == 1 and not unit.pilot_ok)
        ]
        if not allowed:
            return None, "infeasible"
        row = {k: model.new_bool_var(f"x{u}_{k}") for k in allowed}
        model.add_exactly_one(row.values())
        x.append(row)
    station = [sum(k * v for k, v in row.items()) for row in x]
    for u in range(problem.n):
        for v in problem.succ[u]:
            model.add(station[u] <= station[v])
    by_wave: dict[int, list[int]] = {}
    for u, row in enumerate(x):
        for k in row:
            by_wave.setdefault(k, []).append(u)
    fixed_units = {u for u, unit in enumerate(problem.units) if unit.fixed is not None}
    for k, us in by_wave.items():
        free = [u for u in us if u not in fixed_units]
        fixed_load = sum(weights[u] for u in us if u in fixed_units)
        fixed_count = sum(problem.apps_weight(u) for u in us if u in fixed_units)
        if sum(weights[u] for u in us) > cap:
            model.add(sum(weights[u] * x[u][k] for u in free) <= max(cap - fixed_load, 0))
        if sum(problem.apps_weight(u) for u in us) > problem.max_apps:
            model.add(
                sum(problem.apps_weight(u) * x[u][k] for u in free) <= max(problem.max_apps - fixed_count, 0)
            )
    if pilot_apps:
        first = list(by_wave.get(1, []))
        if not first:
            return None, "infeasible"
        model.add(sum(problem.units[u].count * x[u][1] for u in first) <= pilot_apps)
        model.add(sum(x[u][1] for u in first) >= 1)
    if hint is not None:
        for u, row in enumerate(x):
            for k, var in row.items():
                model.add_hint(var, 1 if hint[u] == k else 0)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(remaining, 0.01)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [next(k for k, v in row.items() if solver.value(v)) for row in x], "feasible"
    if status == cp_model.INFEASIBLE:
        return None, "infeasible"
    return None, "unknown"


def _branch_and_bound(
    problem: WaveProblem, *, lower: int, upper: int, deadline: float, seed: int
) -> tuple[list[int] | None, str]:
    """Rising m with the station-oriented branch and bound (no pins, locks or pilot)."""
    inst = Instance(
        weights=[problem.weight(u) for u in range(problem.n)],
        counts=[problem.apps_weight(u) for u in range(problem.n)],
        succ=[list(s) for s in problem.succ],
        capacity=problem.capacity,
        max_count=problem.max_apps,
    )
    share = time.perf_counter() + RESTART_SHARE * max(deadline - time.perf_counter(), 0.0)
    restarted = random_restarts(problem, upper=upper, lower=lower, seed=seed, runs=RESTARTS, deadline=share)
    if restarted is not None:
        upper = max(restarted)
    best, proved, waves = improve_waves(inst, lower=max(lower, 1), upper=upper, deadline=deadline)
    best = best if best is not None else restarted
    return best, "optimal" if proved >= waves else "time_limit"


def exact_search(
    problem: WaveProblem,
    warm: list[int] | None,
    *,
    lower: int,
    deadline: float,
    seed: int = 0,
    pilot_apps: int = 0,
    waves: int | None = None,
) -> tuple[list[int] | None, str]:
    """Fewest waves in [lower, upper) by rising decision problems; (plan or None, status)."""
    upper = waves + 1 if waves is not None else max(warm or [0])
    if problem.n == 0 or problem.n > MAX_CP_UNITS:
        return None, "skipped"
    plain = not pilot_apps and not problem.closed_waves and all(u.fixed is None for u in problem.units)
    if plain and problem.n <= MAX_BB_UNITS:
        return _branch_and_bound(problem, lower=lower, upper=upper, deadline=deadline, seed=seed)
    earliest, tail = station_windows(problem)
    for m in range(max(lower, 1), upper):
        windows = windows_for(problem, m, earliest, tail)
        if sum(hi - lo + 1 for lo, hi in windows) > MAX_CP_CELLS:
            return None, "skipped"
        found, status = feasible_with(
            problem, m, deadline=deadline, seed=seed, pilot_apps=pilot_apps, hint=warm, windows=windows
        )
        if found is not None:
            return found, "optimal" if waves is None else "feasible"
        if status == "unknown":
            return None, "time_limit"
    return None, "optimal"
