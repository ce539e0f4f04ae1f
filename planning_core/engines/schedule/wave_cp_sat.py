"""CP-SAT over the wave placement: the crew model as a multi-mode RCPSP, warm-started by ``placement``.

Optional (``build_timeline(..., improve_seconds=S)``): the same core as the single-mode scheduler
(``cp_sat``: interval variables, one cumulative per resource, the heuristic's schedule as hint and upper
bound, the same two-worker parameters), with modes:

- every work activity (plan, migrate, test) of a wave picks exactly one of its crew modes: one optional
  interval per mode, booking ``ceil(HOURS_SCALE x daily hours)`` of each role on each of its days against
  ``floor(HOURS_SCALE x daily capacity)`` (rounded the safe way, so a CP-SAT schedule fits the exact
  capacities too; it is re-checked on the exact day-by-role profile all the same);
- plan -> migrate -> test -> cut-over -> hypercare within the wave; a wave's cut-over after the
  cut-overs of the waves it must follow (``WaveTask.after``); the plan not before the wave's release;
- the window (plan start to hypercare end) within the fewest working days the limit allows anywhere in
  the schedule (``window_end``: exact on plain weeks, safe around holidays and blackouts), and a fixed
  cut-over on its day, both *softly*: a literal per wave says whether it holds;
- objective, lexicographic: the fewest waves breaking their window or fixed cut-over, then the makespan.

A wall-clock limit, so the answer may differ between runs; ``improve`` returns the heuristic's placement
unchanged when CP-SAT finds nothing better by the heuristic's own score (exact windows, fixed cut-overs,
makespan). Every wave's work is then closed up on its cut-over (as late as it fits, with its modes),
which only shortens its window.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ortools.sat.python import cp_model

from planning_core.engines.schedule.compaction import close_up, score
from planning_core.engines.schedule.cp_sat import _parameters
from planning_core.engines.schedule.placement import Placed, WaveTask

HOURS_SCALE = 100  # hours are booked in hundredths
EPS = 1e-9


def improve(
    tasks: list[WaveTask],
    roles: list[str],
    capacities: list[float],
    window_end: Callable[[int], int],
    placed: dict[int, Placed],
    *,
    lower_bound: int,
    time_limit: float,
    workers: int = 2,
    seed: int = 0,
) -> dict[int, Placed]:
    """The heuristic's placement improved by CP-SAT (see the module docstring); ``placed`` when not better."""
    best = score(placed)
    if time_limit <= 0 or (best[0] == 0 and best[1] <= lower_bound):
        return placed
    solved = _solve(tasks, roles, capacities, window_end, placed, lower_bound, time_limit, workers, seed)
    if solved is None:
        return placed
    checked = close_up(tasks, roles, capacities, window_end, solved)
    if checked is None or score(checked) >= best:
        return placed
    return checked


def _solve(
    tasks: list[WaveTask],
    roles: list[str],
    capacities: list[float],
    window_end: Callable[[int], int],
    placed: dict[int, Placed],
    lower_bound: int,
    time_limit: float,
    workers: int,
    seed: int,
) -> dict[int, Placed] | None:
    """The CP-SAT model and its answer as placed waves (None when it finds no schedule)."""
    horizon = max(p.end for p in placed.values())
    index = {r: k for k, r in enumerate(roles)}
    allowed = min(window_end(s) - s for s in range(horizon + 1))
    model = cp_model.CpModel()
    users: list[list[tuple[cp_model.IntervalVar, int]]] = [[] for _ in roles]
    chosen: dict[int, list[list[cp_model.IntVar]]] = {}
    starts: dict[int, list[cp_model.IntVar]] = {}
    cutover: dict[int, cp_model.IntVar] = {}
    broken: list[cp_model.LiteralT] = []
    ends: list[cp_model.LinearExprT] = []
    for task in tasks:
        cut, care = task.tail
        hint = placed[task.number]
        previous: cp_model.LinearExprT = task.release
        s_list, x_list = [], []
        for k, modes in enumerate(task.work):
            start = model.new_int_var(task.release, max(task.release, horizon - cut - care - 1), "")
            model.add(start >= previous)
            xs = [model.new_bool_var("") for _ in modes]
            model.add_exactly_one(xs)
            for mode, x in zip(modes, xs, strict=True):
                interval = model.new_optional_fixed_size_interval_var(start, mode.duration, x, "")
                for role, hours in mode.daily:
                    users[index[role]].append((interval, math.ceil(hours * HOURS_SCALE - EPS)))
                model.add_hint(x, mode == hint.modes[k])
            previous = start + sum(m.duration * x for m, x in zip(modes, xs, strict=True))
            model.add_hint(start, hint.starts[k])
            s_list.append(start)
            x_list.append(xs)
        c = model.new_int_var(0, max(0, horizon - cut - care), "")
        model.add(c >= previous)
        model.add_hint(c, hint.cutover)
        starts[task.number], chosen[task.number], cutover[task.number] = s_list, x_list, c
        fits = model.new_bool_var("")
        model.add(c + cut + care - s_list[0] <= allowed).only_enforce_if(fits)
        model.add_hint(fits, not hint.over_limit)
        broken.append(fits.Not())
        if task.fixed is not None:
            on_day = model.new_bool_var("")
            model.add(c == task.fixed).only_enforce_if(on_day)
            model.add_hint(on_day, not hint.fixed_missed)
            broken.append(on_day.Not())
        ends.append(c + cut + care)
    by_number = {t.number: t for t in tasks}
    for task in tasks:
        for before in task.after:
            if before in cutover:
                model.add(cutover[task.number] >= cutover[before] + by_number[before].tail[0])
    for k, capacity in enumerate(capacities):
        cap = math.floor(capacity * HOURS_SCALE + 1e-6)
        if sum(d for _, d in users[k]) > cap:
            model.add_cumulative([i for i, _ in users[k]], [d for _, d in users[k]], cap)
    makespan = model.new_int_var(min(lower_bound, horizon), horizon, "makespan")
    model.add_max_equality(makespan, ends)
    model.minimize((horizon + 1) * cp_model.LinearExpr.sum(broken) + makespan)
    solver = cp_model.CpSolver()
    _parameters(
        solver, time_limit_seconds=time_limit, num_workers=workers, seed=seed, deterministic=False, extra=None
    )
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    result: dict[int, Placed] = {}
    for task in tasks:
        modes = [
            next(m for m, x in zip(options, xs, strict=True) if solver.boolean_value(x))
            for options, xs in zip(task.work, chosen[task.number], strict=True)
        ]
        day = int(solver.value(cutover[task.number]))
        result[task.number] = Placed(
            [int(solver.value(s)) for s in starts[task.number]], modes, day, day + sum(task.tail)
        )
    return result
