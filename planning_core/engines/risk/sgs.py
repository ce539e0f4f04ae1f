"""Serial schedule generation, vectorised over Monte Carlo iterations with numpy.

The activities come in one fixed priority list in which every predecessor precedes its successors
(the risk engine uses the deterministic schedule's start order). Each activity, in list order and for
every iteration at once, starts at the first working-day offset, from the latest finish of its
predecessors on, at which every role it needs has its people free for its whole duration (usage + its
people <= the role's headcount on each of those days). Durations and people may differ per iteration.

With the plan's own durations and people, placing its activities in its start order never starts one
later than the plan does (by induction: every activity placed so far starts no later than in the plan,
so it is busy on a later day only if the plan has it busy then too, and the plan's start stays
feasible). The makespan is then the plan's unless the plan could be compacted; the risk engine checks
that and corrects any difference.

Per activity the search looks at a window per iteration: from the earliest start to the last day any
of its roles is busy (beyond which everything is free), plus its duration. A cumulative count of
blocked days over that window gives, for every candidate start, whether the next ``d`` days are free.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from planning_core.errors import InvalidInput

USAGE_DTYPE = np.int16  # people per role per day: headcounts are at most 10,000
INITIAL_HORIZON = 512


@dataclass(frozen=True)
class Demand:
    """People one activity needs of one role, per iteration."""

    role: int
    people: np.ndarray  # (iterations,) integers, 1 .. headcount


def priority_order(starts: Sequence[int], predecessors: Sequence[Sequence[int]]) -> list[int]:
    """Activities by (start, index), every predecessor first; a cycle is refused."""
    n = len(starts)
    missing = [0] * n
    successors: list[list[int]] = [[] for _ in range(n)]
    for j, preds in enumerate(predecessors):
        for p in preds:
            successors[p].append(j)
            missing[j] += 1
    ready = [(starts[j], j) for j in range(n) if missing[j] == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        _, j = heapq.heappop(ready)
        order.append(j)
        for s in successors[j]:
            missing[s] -= 1
            if missing[s] == 0:
                heapq.heappush(ready, (starts[s], s))
    if len(order) != n:
        raise InvalidInput("the timeline's activities depend on each other in a cycle; re-run the timeline")
    return order


def serial_sgs(
    durations: np.ndarray,
    order: Sequence[int],
    predecessors: Sequence[Sequence[int]],
    demands: Sequence[Sequence[Demand]],
    capacities: Sequence[int],
) -> np.ndarray:
    """Start offsets (iterations, activities) of the serial SGS over ``order`` for every iteration.

    ``durations`` is (iterations, activities) of positive integers; ``demands[j]`` the people per role
    activity j needs (each at most the role's capacity); ``capacities`` the headcount per role.
    """
    iterations, n = durations.shape
    durations = durations.astype(np.int64, copy=False)
    starts = np.zeros((iterations, n), dtype=np.int64)
    finish = np.zeros((iterations, n), dtype=np.int64)
    usage = np.zeros((len(capacities), iterations, INITIAL_HORIZON), dtype=USAGE_DTYPE)
    busy_until = np.zeros((len(capacities), iterations), dtype=np.int64)
    rows = np.arange(iterations)[:, None]
    zero = np.zeros(iterations, dtype=np.int64)
    for j in order:
        d = durations[:, j]
        preds = list(predecessors[j])
        earliest = finish[:, preds].max(axis=1) if preds else zero
        need = demands[j]
        if need:
            reach = np.max([busy_until[dem.role] for dem in need], axis=0)
            span = int(np.maximum(reach - earliest, 0).max())
            width = span + int(d.max())
            last = int(earliest.max()) + width
            if last > usage.shape[2]:
                grown = max(2 * usage.shape[2], last)
                usage = np.concatenate(
                    [usage, np.zeros((*usage.shape[:2], grown - usage.shape[2]), dtype=USAGE_DTYPE)], axis=2
                )
            start = _place(usage, rows, earliest, d, span, width, need, capacities)
            done = start + d
            for dem in need:
                np.maximum(busy_until[dem.role], done, out=busy_until[dem.role])
        else:
            start = earliest
        starts[:, j] = start
        finish[:, j] = start + d
    return starts


def _place(
    usage: np.ndarray,
    rows: np.ndarray,
    earliest: np.ndarray,
    d: np.ndarray,
    span: int,
    width: int,
    need: Sequence[Demand],
    capacities: Sequence[int],
) -> np.ndarray:
    """Earliest feasible start per iteration within the window, and book the activity's people."""
    steps = np.arange(width)
    cols = earliest[:, None] + steps[None, :]
    windows = [usage[dem.role][rows, cols] for dem in need]
    if span == 0:
        shift = np.zeros(len(earliest), dtype=np.int64)
    else:
        blocked = np.zeros(cols.shape, dtype=bool)
        for dem, window in zip(need, windows, strict=True):
            blocked |= window > (capacities[dem.role] - dem.people)[:, None]
        before = np.zeros((cols.shape[0], width + 1), dtype=np.int32)
        np.cumsum(blocked, axis=1, out=before[:, 1:])
        candidates = np.arange(span + 1)
        ends = np.take_along_axis(before, candidates[None, :] + d[:, None], axis=1)
        shift = (ends == before[:, : span + 1]).argmax(axis=1)
    inside = (steps[None, :] >= shift[:, None]) & (steps[None, :] < (shift + d)[:, None])
    for dem, window in zip(need, windows, strict=True):
        usage[dem.role][rows, cols] = window + inside * dem.people[:, None].astype(USAGE_DTYPE)
    return earliest + shift
