"""Wave-window scheduling: every wave as one chain, placed whole so that its window fits the limit.

A wave is the chain plan -> migrate -> test -> cut-over -> hypercare; the three work activities have
crew modes (``crews``), cut-over and hypercare use nobody. Waves are placed one at a time (waves with a
fixed cut-over first, then in wave order) on a day-by-role profile of people, so that no role ever uses
more hours than its headcount's (headcount x one person's daily hours) on any working day:

1. **Forward.** From the wave's release (its ``not_before`` day, else day 0) each work activity takes the
   mode that finishes first, at its earliest fitting start after its predecessor (ties: fewer people).
   The cut-over starts when the test ends and the cut-overs of the waves it must follow (``after``) end.
2. **Backward.** With the cut-over fixed there, test, migrate and plan are placed again as late as they
   fit (the mode that starts latest, ties: fewer people): the wave's work closes up on its cut-over, so
   its window (plan start to hypercare end) is as short as the people allow.
3. **Window.** When the window is longer than the limit (calendar days, ``window_end``), the wave is
   tried again from a later release, up to ``RETRIES`` times; the shortest window wins and a window
   still over the limit is reported by the caller as a hard ``wave_duration`` violation.

A fixed cut-over (``fixed``) places the cut-over on that day and the work backward from it; when the
work does not fit between the release and that day, the wave is placed as usual and flagged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from heapq import heapify, heappop, heappush

import numpy as np

from planning_core.engines.schedule.crews import Mode

RETRIES = 8
JUSTIFY_ROUNDS = 10
TOLERANCE = 1e-6
CHUNK = 512


class Profile:
    """Hours of each role booked per working day, against the roles' daily capacities."""

    def __init__(self, roles: list[str], capacities: list[float]) -> None:
        self.index = {r: k for k, r in enumerate(roles)}
        self.capacity = np.array(capacities, dtype=np.float64) + TOLERANCE
        self.usage = np.zeros((len(roles), CHUNK), dtype=np.float64)

    def grow(self, end: int) -> None:
        if end > self.usage.shape[1]:
            size = max(end, 2 * self.usage.shape[1])
            grown = np.zeros((self.usage.shape[0], size), dtype=np.float64)
            grown[:, : self.usage.shape[1]] = self.usage
            self.usage = grown

    def _demand(self, mode: Mode) -> tuple[np.ndarray, np.ndarray]:
        rows = np.array([self.index[r] for r, _ in mode.daily], dtype=np.int64)
        hours = np.array([h for _, h in mode.daily], dtype=np.float64)
        return rows, hours

    def _fits(self, mode: Mode, lo: int, hi: int) -> np.ndarray:
        """Per day of [lo, hi): True when the mode's crew fits on that day."""
        self.grow(hi)
        rows, people = self._demand(mode)
        room = self.capacity[rows][:, None] - self.usage[rows, lo:hi]
        return np.asarray((room >= people[:, None]).all(axis=0))

    def earliest(self, mode: Mode, t0: int) -> int:
        """First start from ``t0`` at which the mode's crew fits for its whole duration."""
        if not mode.daily:
            return t0
        d = mode.duration
        lo = t0
        while True:
            hi = lo + max(CHUNK, 4 * d)
            starts = _runs(self._fits(mode, lo, hi), d)
            if starts.size:
                return lo + int(starts[0])
            lo = hi - d + 1

    def latest(self, mode: Mode, lo: int, finish_by: int) -> int | None:
        """Last start in [lo, finish_by - duration] at which the crew fits (None when there is none)."""
        d = mode.duration
        if finish_by - d < lo:
            return None
        if not mode.daily:
            return finish_by - d
        starts = _runs(self._fits(mode, lo, finish_by), d)
        return lo + int(starts[-1]) if starts.size else None

    def book(self, mode: Mode, start: int) -> None:
        if mode.daily:
            rows, people = self._demand(mode)
            self.grow(start + mode.duration)
            self.usage[rows, start : start + mode.duration] += people[:, None]

    def unbook(self, mode: Mode, start: int) -> None:
        if mode.daily:
            rows, people = self._demand(mode)
            self.usage[rows, start : start + mode.duration] -= people[:, None]


def _runs(fits: np.ndarray, d: int) -> np.ndarray:
    """Offsets where ``d`` consecutive days all fit."""
    if fits.size < d:
        return np.zeros(0, dtype=np.int64)
    blocked = np.concatenate(([0], np.cumsum(~fits)))
    return np.flatnonzero(blocked[d:] - blocked[:-d] == 0)


@dataclass
class WaveTask:
    """What the placement needs of one wave."""

    number: int
    work: list[list[Mode]]  # modes of plan, migrate, test
    tail: tuple[int, int]  # cut-over and hypercare days
    release: int = 0
    fixed: int | None = None  # working-day offset of a fixed cut-over
    after: list[int] = field(default_factory=list)  # waves whose cut-over must end before this one's


@dataclass
class Placed:
    """A placed wave: start and mode of each work activity, the cut-over's start, the window's end."""

    starts: list[int]
    modes: list[Mode]
    cutover: int
    end: int  # exclusive: the day after the hypercare
    over_limit: bool = False
    fixed_missed: bool = False


def _forward(
    profile: Profile, task: WaveTask, release: int, ready_cutover: int, stretch: float
) -> tuple[int, list[Mode]]:
    """The cut-over start and modes of a forward placement: each activity takes, among the modes that
    finish within ``stretch`` x (earliest finish - ready) of the earliest finish, the one with the
    fewest people (the longest)."""
    t = release
    chosen: list[Mode] = []
    for modes in task.work:
        finishes = [(profile.earliest(mode, t) + mode.duration, mode) for mode in modes]
        first = min(f for f, _ in finishes)
        allowed = first + int(stretch * min(m.duration for m in modes))
        finish, mode = max(
            ((f, m) for f, m in finishes if f <= allowed), key=lambda e: (e[1].duration, -e[0])
        )
        chosen.append(mode)
        t = finish
    return max(t, ready_cutover), chosen


def _backward(
    profile: Profile, task: WaveTask, release: int, cutover: int, fixed_modes: list[Mode] | None = None
) -> tuple[list[int], list[Mode]] | None:
    """Work placed as late as it fits before the cut-over (None when it does not fit after release):
    with the given modes, else the mode that starts latest (ties: fewer people)."""
    finish_by = cutover
    starts: list[int] = []
    chosen: list[Mode] = []
    for k in reversed(range(len(task.work))):
        options = [fixed_modes[k]] if fixed_modes is not None else task.work[k]
        best: tuple[int, int, Mode] | None = None
        for mode in options:
            start = profile.latest(mode, release, finish_by)
            if start is not None and (best is None or (start, mode.duration) > best[:2]):
                best = (start, mode.duration, mode)
        if best is None:
            return None
        starts.append(best[0])
        chosen.append(best[2])
        finish_by = best[0]
    return starts[::-1], chosen[::-1]


def place_wave(
    profile: Profile,
    task: WaveTask,
    ready_cutover: int,
    window_end: Callable[[int], int],
    stretch: float = 0.0,
) -> Placed:
    """Place one wave on the profile (see the module docstring) and book its crews."""
    cut, care = task.tail
    placed: Placed | None = None
    if task.fixed is not None:
        cutover = max(task.fixed, ready_cutover)
        back = _backward(profile, task, task.release, cutover)
        if back is not None and cutover == task.fixed:
            starts, modes = back
            placed = Placed(starts, modes, cutover, cutover + cut + care)
            placed.over_limit = placed.end > window_end(starts[0])
    if placed is None:
        release = task.release
        for _ in range(RETRIES + 1):
            cutover, forward_modes = _forward(profile, task, release, ready_cutover, stretch)
            back = _backward(profile, task, release, cutover, forward_modes)
            assert back is not None  # the forward placement itself fits
            starts, modes = back
            candidate = Placed(starts, modes, cutover, cutover + cut + care)
            limit = window_end(starts[0])
            candidate.over_limit = candidate.end > limit
            if placed is None or candidate.end - starts[0] < placed.end - placed.starts[0]:
                placed = candidate
            if not candidate.over_limit:
                break
            release = max(release + 1, starts[0] + (candidate.end - limit))
        assert placed is not None
        placed.fixed_missed = task.fixed is not None
    for mode, start in zip(placed.modes, placed.starts, strict=True):
        profile.book(mode, start)
    return placed


def place_waves(
    tasks: list[WaveTask],
    roles: list[str],
    capacities: list[float],
    window_end: Callable[[int], int],
    stretch: float = 0.0,
    order: list[int] | None = None,
) -> dict[int, Placed]:
    """Every wave placed: fixed cut-overs first, then in ``order`` (default: wave order), a wave only
    after the waves whose cut-overs it follows (links broken by a fixed cut-over are reported by the
    caller)."""
    profile = Profile(roles, capacities)
    placed: dict[int, Placed] = {}
    by_number = {t.number: t for t in tasks}
    for number in placement_sequence(tasks, order):
        task = by_number[number]
        placed[task.number] = place_wave(
            profile, task, ready_cutover(task, placed, by_number), window_end, stretch
        )
    return placed


def ready_cutover(task: WaveTask, placed: dict[int, Placed], by_number: dict[int, WaveTask]) -> int:
    """The first day the wave may cut over: after the cut-overs (already placed) it must follow."""
    return max((placed[w].cutover + by_number[w].tail[0] for w in task.after if w in placed), default=0)


def placement_sequence(tasks: list[WaveTask], order: list[int] | None = None) -> list[int]:
    """Waves with a fixed cut-over first (anchors), then by rank in ``order`` (default: wave number)
    among the waves whose predecessors are placed."""
    rank = {n: i for i, n in enumerate(order)} if order else {t.number: t.number for t in tasks}
    by_number = {t.number: t for t in tasks}
    waiting = {t.number: {w for w in t.after if w in by_number} for t in tasks if t.fixed is None}
    followers: dict[int, list[int]] = {t.number: [] for t in tasks}
    for number, before in waiting.items():
        for w in before:
            followers[w].append(number)
    ready_heap = [(rank[t.number], t.number) for t in tasks if t.fixed is None and not waiting[t.number]]
    heapify(ready_heap)
    sequence = [t.number for t in sorted(tasks, key=lambda t: rank[t.number]) if t.fixed is not None]
    for number in sequence:
        for f in followers[number]:
            if f in waiting:
                waiting[f].discard(number)
                if not waiting[f]:
                    heappush(ready_heap, (rank[f], f))
    while ready_heap:
        _, number = heappop(ready_heap)
        sequence.append(number)
        for f in followers[number]:
            if f in waiting and number in waiting[f]:
                waiting[f].discard(number)
                if not waiting[f]:
                    heappush(ready_heap, (rank[f], f))
    return sequence


def _latest_wave(profile: Profile, task: WaveTask, finish_by: int) -> int | None:
    """Backward placement of a wave whose cut-over must end by ``finish_by``; its plan start (None when
    it does not fit after its release). Books its crews."""
    cut = task.tail[0]
    cutover = task.fixed if task.fixed is not None else finish_by - cut
    back = _backward(profile, task, task.release, cutover)
    if back is None:
        return None
    starts, modes = back
    for mode, start in zip(modes, starts, strict=True):
        profile.book(mode, start)
    return starts[0]


def justified_order(
    tasks: list[WaveTask], roles: list[str], capacities: list[float], placed: dict[int, Placed]
) -> list[int]:
    """Wave order for the next forward pass: every wave placed as late as it fits (latest-finishing
    first) before the schedule's end and its dependents' cut-overs, ordered by its start then."""
    end = max(p.end for p in placed.values())
    profile = Profile(roles, capacities)
    by_number = {t.number: t for t in tasks}
    dependents: dict[int, list[int]] = {t.number: [] for t in tasks}
    for task in tasks:
        for before in task.after:
            dependents[before].append(task.number)
    late: dict[int, int] = {}
    cutover: dict[int, int] = {}
    for number in sorted(placed, key=lambda n: (-placed[n].cutover, -n)):
        task = by_number[number]
        finish_by = min(
            [end - sum(task.tail) + task.tail[0]] + [cutover[d] for d in dependents[number] if d in cutover]
        )
        start = _latest_wave(profile, task, finish_by)
        late[number] = placed[number].starts[0] if start is None else start
        cutover[number] = task.fixed if task.fixed is not None else finish_by - task.tail[0]
    return sorted(late, key=lambda n: (late[n], n))


def schedule_waves(
    tasks: list[WaveTask],
    roles: list[str],
    capacities: list[float],
    window_end: Callable[[int], int],
    rounds: int = JUSTIFY_ROUNDS,
) -> dict[int, Placed]:
    """Waves placed forward in wave order, then forward-backward improved: each round places every wave
    as late as it fits and then forward again in that order, while the end moves earlier and no more
    windows break the limit."""
    best = place_waves(tasks, roles, capacities, window_end)

    def score(placed: dict[int, Placed]) -> tuple[int, int]:
        return (
            sum(p.over_limit or p.fixed_missed for p in placed.values()),
            max(p.end for p in placed.values()),
        )

    for _ in range(rounds):
        order = justified_order(tasks, roles, capacities, best)
        candidate = place_waves(tasks, roles, capacities, window_end, order=order)
        if score(candidate) >= score(best):
            break
        best = candidate
    return best
