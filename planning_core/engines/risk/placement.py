"""The timeline's wave placement replayed for every Monte Carlo iteration at once.

The timeline places waves whole (``planning_core.engines.schedule.placement.place_wave``): forward from
the wave's release, cut-over after the cut-overs it follows (or on its fixed day, the work placed
backward from it), work closed up backward on the cut-over, a later release while the window breaks
the limit. Here every work activity keeps the one mode the timeline gave it (its recorded crew; the
duration and the daily hours follow the sampled hours), and the waves are placed one at a time, in
``order``, for all iterations of a batch together on a day-by-role profile per iteration.

**Exact with the plan's hours.** ``calibrate`` decides, wave by wave in ``order`` and with the schedule
package's own ``place_wave`` on the waves before it at their planned days, where each wave is released
(its not-before day, or its planned start) so that the placement puts it back on its planned days; a
wave that the placement rule cannot put back (placed by an optimiser, or in another order) is anchored
to its planned days instead (each activity at its first fitting day from its planned start, the cut-over
not before its planned day), which reproduces any plan within the capacities. By induction over the
order, the zero-uncertainty replay is the timeline; the engine checks it on every run.

``Board`` mirrors ``schedule.placement.Profile`` (the same capacity array and the same fit test,
``capacity - usage >= daily hours``) and ``place`` mirrors ``place_wave`` step by step, with per-iteration
arrays instead of numbers (``tests/engines/test_risk.py`` checks them against the schedule package's
own code, iteration by iteration).
"""

from __future__ import annotations

import copy
import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from planning_core.engines.schedule.crews import Mode
from planning_core.engines.schedule.placement import RETRIES, Profile, WaveTask, place_wave
from planning_core.errors import InvalidInput

CHUNK = 128  # days looked at per step of a search (any width gives the same answers)
NO_START = -1


def priority_order(starts: Sequence[int], predecessors: Sequence[Sequence[int]]) -> list[int]:
    """Items by (start, index), every predecessor first; a cycle is refused."""
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


@dataclass
class WaveReplay:
    """One wave as the replay places it; activity indices point into the network's activities."""

    number: int
    work: tuple[int, int, int]  # plan, migrate, test
    cutover: int  # index of the cut-over activity (the hypercare follows it)
    tail: tuple[int, int]  # cut-over and hypercare days
    release: int  # the wave's not-before offset, or its planned start (see ``calibrate``)
    fixed: int | None  # offset of a fixed cut-over
    after: list[int]  # waves (indices into the replay's waves) whose cut-overs must end first
    planned_end: int  # the timeline's end of the wave's window (exclusive): its window may reach it
    planned: tuple[int, int, int]  # the timeline's starts of the work
    planned_cutover: int
    not_before: int = 0  # the wave's own release (its not-before day)
    anchored: bool = False  # kept on its planned days unless pushed later (see ``calibrate``)


@dataclass
class Work:
    """Per work activity: the profile rows of its staffed roles (the order of its daily hours)."""

    rows: np.ndarray  # (roles,) int64


class Board:
    """People booked per role, iteration and working day (``Profile``, one per iteration)."""

    def __init__(self, capacity: np.ndarray, iterations: int, horizon: int) -> None:
        self.capacity = capacity
        self.usage = np.zeros((len(capacity), iterations, horizon), dtype=np.float64)

    def _grow(self, end: int) -> None:
        size = self.usage.shape[2]
        if end > size:
            grown = np.zeros((*self.usage.shape[:2], max(end, 2 * size)), dtype=np.float64)
            grown[:, :, :size] = self.usage
            self.usage = grown

    def fits(self, rows: np.ndarray, daily: np.ndarray, iters: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """(iterations, days of [lo, hi)): True where the hours fit on that day (``Profile._fits``)."""
        self._grow(hi)
        whole = len(iters) == self.usage.shape[1]
        out = np.ones((len(iters), hi - lo), dtype=bool)
        for k, r in enumerate(rows):
            window = self.usage[r, :, lo:hi] if whole else self.usage[r, iters, lo:hi]
            out &= (self.capacity[r] - window) >= daily[k][:, None]
        return out

    def earliest(
        self, rows: np.ndarray, daily: np.ndarray, d: np.ndarray, t: np.ndarray, iters: np.ndarray
    ) -> np.ndarray:
        """First start from ``t`` where the hours fit ``d`` days in a row, per iteration."""
        out = t.copy()
        if rows.size == 0:
            return out
        todo = np.arange(len(t))
        lo = t.copy()
        while todo.size:
            first, last = int(lo[todo].min()), int((lo[todo] + d[todo]).max())
            hi = max(last, first + CHUNK)
            fits = self.fits(rows, daily[:, todo], iters[todo], first, hi)
            start, found = _first_run(fits, d[todo], lo[todo] - first)
            out[todo[found]] = first + start[found]
            todo = todo[~found]
            lo[todo] = hi - d[todo] + 1
        return out

    def latest(
        self,
        rows: np.ndarray,
        daily: np.ndarray,
        d: np.ndarray,
        lo: np.ndarray,
        finish_by: np.ndarray,
        iters: np.ndarray,
    ) -> np.ndarray:
        """Last start in [lo, finish_by - d] where the hours fit (``NO_START`` where there is none)."""
        out = np.full(len(d), NO_START, dtype=np.int64)
        hi = finish_by.copy()
        todo = np.flatnonzero(hi - d >= lo)
        if rows.size == 0:
            out[todo] = hi[todo] - d[todo]
            return out
        while todo.size:
            top = int(hi[todo].max())
            bottom = max(int(lo[todo].min()), int((hi[todo] - d[todo]).min()) - CHUNK)
            fits = self.fits(rows, daily[:, todo], iters[todo], bottom, top)
            floor = np.maximum(lo[todo], bottom)
            start, found = _last_run(fits, d[todo], floor - bottom, hi[todo] - bottom)
            out[todo[found]] = bottom + start[found]
            todo = todo[~found]
            hi[todo] = np.maximum(lo[todo], bottom) + d[todo] - 1
            todo = todo[(hi[todo] - d[todo] >= lo[todo]) & (bottom > lo[todo])]
        return out

    def book(
        self, rows: np.ndarray, daily: np.ndarray, d: np.ndarray, start: np.ndarray, iters: np.ndarray
    ) -> None:
        """Add the hours per day of ``d`` days from ``start`` (``Profile.book``)."""
        if rows.size == 0 or not iters.size:
            return
        lo, hi = int(start.min()), int((start + d).max())
        self._grow(hi)
        days = np.arange(lo, hi)[None, :]
        inside = (days >= start[:, None]) & (days < (start + d)[:, None])
        whole = len(iters) == self.usage.shape[1]
        for k, r in enumerate(rows):
            if whole:
                self.usage[r, :, lo:hi] += daily[k][:, None] * inside
            else:
                self.usage[r, iters, lo:hi] += daily[k][:, None] * inside


def _free_runs(fits: np.ndarray) -> np.ndarray:
    """Per row and column: how many fitting days in a row start there."""
    width = fits.shape[1]
    columns = np.arange(width)
    blocked_at = np.where(fits, width, columns[None, :])
    next_blocked = np.minimum.accumulate(blocked_at[:, ::-1], axis=1)[:, ::-1]
    return np.asarray(next_blocked - columns[None, :])


def _first_run(fits: np.ndarray, d: np.ndarray, lo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the first column >= lo starting ``d`` fitting days in a row, and whether there is one."""
    ok = _free_runs(fits) >= d[:, None]
    ok &= np.arange(fits.shape[1])[None, :] >= lo[:, None]
    return np.asarray(ok.argmax(axis=1)), np.asarray(ok.any(axis=1))


def _last_run(
    fits: np.ndarray, d: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the last column in [lo, hi - d] starting ``d`` fitting days in a row, and whether there is one."""
    width = fits.shape[1]
    columns = np.arange(width)[None, :]
    ok = _free_runs(fits & (columns < hi[:, None])) >= d[:, None]
    ok &= columns >= lo[:, None]
    return np.asarray(width - 1 - ok[:, ::-1].argmax(axis=1)), np.asarray(ok.any(axis=1))


@dataclass
class Batch:
    """Sampled durations (iterations, activities) and daily hours per work activity (roles, iterations)."""

    durations: np.ndarray
    daily: list[np.ndarray]
    starts: np.ndarray = field(init=False)  # (iterations, activities) placed starts

    def __post_init__(self) -> None:
        self.starts = np.zeros(self.durations.shape, dtype=np.int64)


def replay(
    waves: Sequence[WaveReplay],
    order: Sequence[int],
    work: Sequence[Work | None],
    batch: Batch,
    board: Board,
    window_end: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """Every wave placed in ``order``; the starts go to ``batch.starts``. Returns the makespans."""
    iterations = batch.durations.shape[0]
    everyone = np.arange(iterations)
    released: dict[int, np.ndarray] = {}  # wave -> the day after its cut-over, per iteration
    makespan = np.zeros(iterations, dtype=np.int64)
    for k in order:
        wave = waves[k]
        ready = np.zeros(iterations, dtype=np.int64)
        for before in wave.after:
            if before in released:
                np.maximum(ready, released[before], out=ready)
        cutover = place(wave, work, batch, board, everyone, ready, window_end)
        cut, care = wave.tail
        released[k] = cutover + cut
        batch.starts[:, wave.cutover] = cutover
        batch.starts[:, wave.cutover + 1] = cutover + cut
        np.maximum(makespan, cutover + cut + care, out=makespan)
    return makespan


def place(
    wave: WaveReplay,
    work: Sequence[Work | None],
    batch: Batch,
    board: Board,
    iters: np.ndarray,
    ready: np.ndarray,
    window_end: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """``place_wave`` for every iteration: work starts to ``batch.starts``, crews booked; the cut-overs."""
    n = len(iters)
    starts = np.zeros((3, n), dtype=np.int64)
    cutover = np.zeros(n, dtype=np.int64)
    todo = np.arange(n)
    if wave.anchored:
        starts, cutover = _anchored(wave, work, batch, board, iters, ready)
        todo = todo[:0]
    elif wave.fixed is not None:
        at = np.maximum(wave.fixed, ready)
        back = _backward(wave, work, batch, board, iters, np.full(n, wave.release), at)
        ok = (back[0] != NO_START) & (at == wave.fixed)
        starts[:, ok] = back[:, ok]
        cutover[ok] = at[ok]
        todo = np.flatnonzero(~ok)
    if todo.size:
        starts[:, todo], cutover[todo] = _forward_path(
            wave, work, batch, board, iters[todo], ready[todo], window_end
        )
    for k, j in enumerate(wave.work):
        rows = _rows(work, j)
        board.book(rows, batch.daily[j][:, iters], batch.durations[iters, j], starts[k], iters)
        batch.starts[iters, j] = starts[k]
    return cutover


def _tolerant(window_end: Callable[[int], int], planned_end: int) -> Callable[[int], int]:
    """The window limit, or the wave's planned end where the timeline already runs past it."""

    def end(start: int) -> int:
        return max(window_end(start), planned_end)

    return end


def _mode(modes: Sequence[Mode | None], j: int) -> Mode:
    mode = modes[j]
    assert mode is not None
    return mode


def _rows(work: Sequence[Work | None], j: int) -> np.ndarray:
    item = work[j]
    assert item is not None
    return item.rows


def _anchored(
    wave: WaveReplay,
    work: Sequence[Work | None],
    batch: Batch,
    board: Board,
    iters: np.ndarray,
    ready: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """A wave the placement rule does not reproduce: each activity at its first fitting day from its
    planned start and its predecessor's end, the cut-over not before its planned day either."""
    starts = np.zeros((3, len(iters)), dtype=np.int64)
    t = np.zeros(len(iters), dtype=np.int64)
    for k, j in enumerate(wave.work):
        d = batch.durations[iters, j]
        starts[k] = board.earliest(
            _rows(work, j), batch.daily[j][:, iters], d, np.maximum(t, wave.planned[k]), iters
        )
        t = starts[k] + d
    return starts, np.maximum(np.maximum(t, ready), wave.planned_cutover)


def _forward_path(
    wave: WaveReplay,
    work: Sequence[Work | None],
    batch: Batch,
    board: Board,
    iters: np.ndarray,
    ready: np.ndarray,
    window_end: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Forward, backward, and later releases while the window breaks the limit; the shortest window."""
    n = len(iters)
    cut, care = wave.tail
    release = np.full(n, wave.release, dtype=np.int64)
    best = np.zeros((3, n), dtype=np.int64)
    best_cutover = np.zeros(n, dtype=np.int64)
    best_length = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    active = np.arange(n)
    for _ in range(RETRIES + 1):
        it = iters[active]
        t = release[active]
        for j in wave.work:
            d = batch.durations[it, j]
            t = board.earliest(_rows(work, j), batch.daily[j][:, it], d, t, it) + d
        at = np.maximum(t, ready[active])
        back = _backward(wave, work, batch, board, it, release[active], at)
        end = at + cut + care
        limit = np.maximum(window_end(back[0]), wave.planned_end)
        length = end - back[0]
        better = length < best_length[active]
        best[:, active[better]] = back[:, better]
        best_cutover[active[better]] = at[better]
        best_length[active[better]] = length[better]
        over = end > limit
        active = active[over]
        if not active.size:
            break
        release[active] = np.maximum(release[active] + 1, back[0][over] + (end - limit)[over])
    return best, best_cutover


def _backward(
    wave: WaveReplay,
    work: Sequence[Work | None],
    batch: Batch,
    board: Board,
    iters: np.ndarray,
    lo: np.ndarray,
    cutover: np.ndarray,
) -> np.ndarray:
    """Work placed as late as it fits before the cut-over; ``NO_START`` rows where it does not."""
    starts = np.full((3, len(iters)), NO_START, dtype=np.int64)
    finish_by = cutover.copy()
    alive = np.arange(len(iters))
    for k in (2, 1, 0):
        j = wave.work[k]
        it = iters[alive]
        s = board.latest(
            _rows(work, j), batch.daily[j][:, it], batch.durations[it, j], lo[alive], finish_by[alive], it
        )
        keep = s != NO_START
        alive = alive[keep]
        starts[k, alive] = s[keep]
        finish_by[alive] = s[keep]
    starts[:, np.setdiff1d(np.arange(len(iters)), alive)] = NO_START
    return starts


def calibrate(
    waves: Sequence[WaveReplay],
    order: Sequence[int],
    modes: Sequence[Mode | None],
    planned: Sequence[int],
    profile: Profile,
    window_end: Callable[[int], int],
) -> list[int]:
    """Decide how each wave is replayed so that the plan's own hours give the timeline's days.

    In ``order``, on ``profile`` (empty: the roles and capacities) holding the waves before it on their
    planned days, the schedule package's ``place_wave`` places the wave with its timeline modes from its
    not-before offset, else from its planned start (where the timeline started it later, e.g. to keep
    its window); the first that puts it back on its planned days is its ``release``. A wave neither
    reproduces (placed otherwise, e.g. by an optimiser or in another order) is ``anchored``: replayed
    from its planned days, which reproduces any plan within the capacities. Returns the anchored waves.
    """
    profile = copy.copy(profile)
    profile.usage = profile.usage.copy()
    cut_end = {k: planned[w.cutover] + w.tail[0] for k, w in enumerate(waves)}
    anchored = []
    placed: set[int] = set()
    for k in order:
        wave = waves[k]
        task_modes = [_mode(modes, j) for j in wave.work]
        ready = max((cut_end[w] for w in wave.after if w in placed), default=0)
        target = [planned[j] for j in wave.work], planned[wave.cutover]
        for release in dict.fromkeys((wave.not_before, planned[wave.work[0]])):
            trial = copy.copy(profile)
            trial.usage = profile.usage.copy()
            task = WaveTask(
                wave.number, [[m] for m in task_modes], wave.tail, release=release, fixed=wave.fixed
            )
            got = place_wave(trial, task, ready, _tolerant(window_end, wave.planned_end))
            if (got.starts, got.cutover) == target:
                wave.release, wave.anchored = release, False
                break
        else:
            wave.release, wave.anchored = planned[wave.work[0]], True
            anchored.append(wave.number)
        for mode, j in zip(task_modes, wave.work, strict=True):
            profile.book(mode, planned[j])
        placed.add(k)
    return anchored
