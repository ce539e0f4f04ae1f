"""The wave placement compacted by the shared RCPSP core, then every wave closed up on its cut-over.

The placement (``placement``) puts one wave at a time, so a wave placed late cannot use capacity that
an earlier wave's placement left free before it. Here the placed crews are kept (each work activity's
mode becomes a single-mode activity: its duration, and its daily hours in hundredths, rounded up,
against each role's daily capacity in hundredths, rounded down) and the whole timeline becomes one
RCPSP (``rcpsp``: plan -> migrate -> test -> cut-over -> hypercare per wave, cut-over after cut-over
for the dependencies); the core's serial SGS takes the placed starts as priorities and its
forward-backward improvement (double justification) shortens the schedule.

A left-justified schedule starts planning as early as it can, which stretches the wave windows, so
``close_up`` then places every wave's work again as late as it fits before its cut-over (latest cut-over
first, same modes, on the exact day-by-role profile): windows only shrink. The compacted schedule
replaces the placement only when it is better by ``score``: fewer waves over their window or off their
fixed cut-over, then an earlier end. A fixed cut-over is a release and a due day the core does not
know, so timelines with fixed cut-overs are left as placed.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from planning_core.engines.schedule.network import RcpspProblem
from planning_core.engines.schedule.placement import Placed, Profile, WaveTask, _backward
from planning_core.engines.schedule.rcpsp import heuristic_schedule

HOURS_SCALE = 100  # hours are booked in hundredths
EPS = 1e-9


def score(placed: dict[int, Placed]) -> tuple[int, int]:
    """(waves over their window or off their fixed cut-over, makespan): smaller is better."""
    return (sum(p.over_limit or p.fixed_missed for p in placed.values()), max(p.end for p in placed.values()))


def compact(
    tasks: list[WaveTask],
    roles: list[str],
    capacities: list[float],
    window_end: Callable[[int], int],
    placed: dict[int, Placed],
) -> dict[int, Placed]:
    """The placement compacted by the RCPSP core and closed up (see the module docstring), when better."""
    if any(t.fixed is not None for t in tasks):
        return placed
    index = {r: k for k, r in enumerate(roles)}
    caps = [max(0, math.floor(c * HOURS_SCALE + 1e-6)) for c in capacities]
    durations: list[int] = []
    demands: list[list[int]] = []
    links: list[tuple[int, int, int]] = []
    keys: list[float] = []
    first: dict[int, int] = {}
    for task in tasks:
        where = placed[task.number]
        first[task.number] = base = len(durations)
        for mode, start in zip(where.modes, where.starts, strict=True):
            row = [0] * len(roles)
            for role, hours in mode.daily:
                row[index[role]] = min(math.ceil(hours * HOURS_SCALE - EPS), caps[index[role]])
            durations.append(mode.duration)
            demands.append(row)
            keys.append(start)
        durations.extend(task.tail)
        demands.extend([[0] * len(roles), [0] * len(roles)])
        keys.extend([where.cutover, where.cutover + task.tail[0]])
        links.extend((base + k, base + k + 1, 0) for k in range(4))
        release = len(durations)
        if task.release > 0:  # a zero-demand activity of that many days before the plan
            durations.append(task.release)
            demands.append([0] * len(roles))
            keys.append(0)
            links.append((release, base, 0))
    for task in tasks:
        for before in task.after:
            if before in first:
                links.append((first[before] + 3, first[task.number] + 3, 0))
    problem = RcpspProblem(durations=durations, demands=demands, capacities=caps, links=links)
    schedule = heuristic_schedule(problem, rules=(), priority=keys)
    solved = {}
    for task in tasks:
        base = first[task.number]
        cutover = schedule[base + 3]
        solved[task.number] = Placed(
            [schedule[base + k] for k in range(3)],
            list(placed[task.number].modes),
            cutover,
            cutover + sum(task.tail),
        )
    closed = close_up(tasks, roles, capacities, window_end, solved)
    return closed if closed is not None and score(closed) < score(placed) else placed


def close_up(
    tasks: list[WaveTask],
    roles: list[str],
    capacities: list[float],
    window_end: Callable[[int], int],
    solved: dict[int, Placed],
) -> dict[int, Placed] | None:
    """A schedule checked on the exact profile, every wave's work then closed up on its cut-over (latest
    cut-over first, same modes); None when a crew does not fit (it cannot, with safe rounding)."""
    profile = Profile(roles, capacities)
    for placed in solved.values():
        for mode, start in zip(placed.modes, placed.starts, strict=True):
            if mode.daily and profile.latest(mode, start, start + mode.duration) != start:
                return None
            profile.book(mode, start)
    by_number = {t.number: t for t in tasks}
    for number in sorted(solved, key=lambda n: (-solved[n].cutover, -n)):
        placed, task = solved[number], by_number[number]
        for mode, start in zip(placed.modes, placed.starts, strict=True):
            profile.unbook(mode, start)
        back = _backward(profile, task, placed.starts[0], placed.cutover, placed.modes)
        assert back is not None  # the current placement itself fits
        placed.starts, placed.modes = back
        for mode, start in zip(placed.modes, placed.starts, strict=True):
            profile.book(mode, start)
        placed.over_limit = placed.end > window_end(placed.starts[0])
        placed.fixed_missed = task.fixed is not None and placed.cutover != task.fixed
    return solved
