"""The plan as the simulation sees it: applications, (wave, role) cells, activities and waves to replay.

Built once per run from the completed wave plan, resource allocation, timeline and configuration:

- **Applications**: every application with allocation hours, with its (a, b) spread (``sampling``).
- **Cells** (wave, role): the hours of role r in wave w are the allocation's application hours (in the
  wave where the wave plan puts the application, as the timeline counts them). ``cell_weights[a, c]`` =
  application a's share of cell c's hours, so ``deviations @ cell_weights`` is the relative change of
  every cell's hours in an iteration (exactly 0 when no multiplier moves).
- **Labour at stake** per cell: the allocation's hours x the pool's hourly rate.
- **Activities** of the timeline, wave by wave (plan, migrate, test, cut-over, hypercare). A work
  activity keeps the crew the timeline recorded on it (``Activity.crew``); for sampled hours its
  duration follows the timeline's rule for that crew (``schedule.crews``: the longest over its roles of
  ceil(hours / (crew x one person's daily hours)), roles without capacity at one person of
  ``hours_per_day``, at least one day) and it books hours / duration of each staffed role per day. The
  hours are the timeline's own sums (unrounded, in the same order), so the plan's hours give the plan's
  durations and daily hours exactly; a difference between the timeline's duration and this rule (a
  timeline older than its inputs) is kept as the activity's ``correction`` and added to every sampled
  duration. Cut-over and hypercare keep their durations.
- **Waves to replay** (``placement``): each wave's work, cut-over, release, fixed cut-over, the waves
  whose cut-overs it follows (the cut-over's links to other waves), and its planned window; an empty
  profile with the timeline's roles and daily capacities (``schedule.placement.Profile``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

from planning_core.domain import PlanningConfig, Portfolio, SixR
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.risk.placement import Batch, WaveReplay, Work
from planning_core.engines.risk.sampling import spread
from planning_core.engines.schedule.calendar import WorkingCalendar
from planning_core.engines.schedule.crews import Mode, person_day_hours
from planning_core.engines.schedule.engine import ACTIVITY_KINDS, activity_id, wave_role_hours
from planning_core.engines.schedule.models import Timeline
from planning_core.engines.schedule.placement import Profile
from planning_core.engines.waves.models import WavePlan
from planning_core.errors import InvalidInput

EPS = 1e-9  # the timeline's tolerance on ceil(hours / capacity)


@dataclass(frozen=True)
class RoleWork:
    """Hours of one role in one work activity and how they turn into days."""

    role: str
    cell: int  # index of the (wave, role) cell, -1 when no application hours back it
    hours: float
    crew: int  # people of the role (1 for a role without capacity)
    person_day_hours: float  # one person's hours per working day (``hours_per_day`` without capacity)
    staffed: bool  # capacity-checked: booked on the profile


@dataclass
class RiskNetwork:
    """Everything the simulation needs, as plain lists and numpy arrays."""

    application_ids: list[str]
    spreads: list[tuple[float, float]]
    cells: list[tuple[int, str]]
    cell_weights: np.ndarray  # (applications, cells)
    cell_labour: np.ndarray  # (cells,) money at stake
    waves: list[int]
    wave_weights: np.ndarray  # (applications, waves): share of the wave's hours
    roles: list[str]
    role_weights: np.ndarray  # (applications, roles): share of the role's hours
    activity_ids: list[str] = field(default_factory=list)
    planned: list[int] = field(default_factory=list)  # the timeline's start offsets (working days)
    durations: list[int] = field(default_factory=list)  # the timeline's working days
    role_work: list[list[RoleWork]] = field(default_factory=list)  # staffed roles first, in row order
    work: list[Work | None] = field(default_factory=list)  # None for cut-over and hypercare
    modes: list[Mode | None] = field(default_factory=list)  # the timeline's mode of each work activity
    correction: list[int] = field(default_factory=list)
    replays: list[WaveReplay] = field(default_factory=list)
    profile: Profile | None = None  # the timeline's roles and daily capacities, nothing booked

    def sampled(self, cell_deviation: np.ndarray) -> Batch:
        """Durations and daily hours of every activity for cells' relative hour changes."""
        iterations = cell_deviation.shape[0]
        durations = np.empty((iterations, len(self.activity_ids)), dtype=np.int64)
        daily: list[np.ndarray] = []
        for j, work in enumerate(self.role_work):
            if self.work[j] is None:
                durations[:, j] = self.durations[j]
                daily.append(np.zeros((0, iterations)))
                continue
            hours = [_hours(w, cell_deviation) for w in work]
            days = np.ones(iterations, dtype=np.int64)
            for w, h in zip(work, hours, strict=True):
                np.maximum(days, np.ceil(h / (w.crew * w.person_day_hours) - EPS).astype(np.int64), out=days)
            days = np.maximum(days + self.correction[j], 1)
            durations[:, j] = days
            staffed = [h / days for w, h in zip(work, hours, strict=True) if w.staffed]
            daily.append(np.array(staffed, dtype=np.float64).reshape(len(staffed), iterations))
        return Batch(durations, daily)


def _hours(work: RoleWork, cell_deviation: np.ndarray) -> np.ndarray:
    """The role's hours in every iteration: the plan's hours x (1 + the cell's relative change)."""
    if work.cell < 0:
        return np.full(cell_deviation.shape[0], work.hours)
    return work.hours * (1.0 + cell_deviation[:, work.cell])


def build_network(
    portfolio: Portfolio,
    wave_plan: WavePlan,
    allocation: ResourceAllocation,
    timeline: Timeline,
    config: PlanningConfig,
    calendar: WorkingCalendar,
) -> RiskNetwork:
    """The simulation's view of a completed plan (see the module docstring)."""
    uncertainty = config.cost_inputs.effort_uncertainty_pct
    wave_of = wave_plan.wave_of()
    known = portfolio.by_id()
    assignments = {a.application_id: a for w in wave_plan.waves for a in w.applications}
    hours: dict[tuple[str, int, str], float] = defaultdict(float)
    for line in allocation.application_hours:
        if line.hours > 0:
            wave = wave_of.get(line.application_id, line.wave_number)
            hours[(line.application_id, wave, line.role)] += line.hours
    application_ids = sorted({a for a, _, _ in hours})
    spreads = []
    for app_id in application_ids:
        strategy, complexity = SixR.REHOST, 5
        if app_id in known:
            strategy, complexity = known[app_id].six_r_strategy, known[app_id].complexity
        elif app_id in assignments:
            strategy, complexity = assignments[app_id].six_r_strategy, assignments[app_id].complexity
        spreads.append(spread(uncertainty, complexity, strategy))
    cells = sorted({(w, r) for _, w, r in hours})
    waves = sorted({w for w, _ in cells})
    roles = sorted({r for _, r in cells})
    app_index = {a: i for i, a in enumerate(application_ids)}
    cell_weights = _shares(hours, app_index, {c: i for i, c in enumerate(cells)}, lambda w, r: (w, r))
    wave_weights = _shares(hours, app_index, {w: i for i, w in enumerate(waves)}, lambda w, r: w)
    role_weights = _shares(hours, app_index, {r: i for i, r in enumerate(roles)}, lambda w, r: r)
    rates = {p.role: float(p.hourly_rate) for p in config.resource_pools}
    allocated: dict[tuple[int, str], float] = defaultdict(float)
    for row in allocation.allocations:
        allocated[(row.wave_number, row.role)] += row.hours
    cell_labour = np.array([allocated.get(c, 0.0) * rates.get(c[1], 0.0) for c in cells], dtype=np.float64)
    network = RiskNetwork(
        application_ids=application_ids,
        spreads=spreads,
        cells=cells,
        cell_weights=cell_weights,
        cell_labour=cell_labour,
        waves=waves,
        wave_weights=wave_weights,
        roles=roles,
        role_weights=role_weights,
    )
    _add_activities(network, timeline, config, calendar, wave_role_hours(wave_plan, allocation))
    return network


def _shares(
    hours: dict[tuple[str, int, str], float],
    app_index: dict[str, int],
    column: Mapping[Hashable, int],
    key: Callable[[int, str], Hashable],
) -> np.ndarray:
    """(applications, columns): each application's share of the column's hours."""
    matrix = np.zeros((len(app_index), len(column)), dtype=np.float64)
    for (app_id, wave, role), h in hours.items():
        matrix[app_index[app_id], column[key(wave, role)]] += h
    totals = matrix.sum(axis=0)
    return matrix / np.where(totals > 0, totals, 1.0)


def _add_activities(
    network: RiskNetwork,
    timeline: Timeline,
    config: PlanningConfig,
    calendar: WorkingCalendar,
    exact: dict[int, dict[str, float]],
) -> None:
    """Activities wave by wave, their role work, corrections and modes, the profile and the replays."""
    pools = {p.role: p for p in config.resource_pools}
    staffed = {r: p for r, p in pools.items() if p.headcount > 0 and p.capacity_hours_per_week > 0}
    profile_roles = [p.role for p in config.resource_pools if p.role in staffed]
    profile = Profile(
        profile_roles, [staffed[r].headcount * person_day_hours(staffed[r], config) for r in profile_roles]
    )
    by_id = {a.id: a for a in timeline.activities}
    numbers = sorted({a.wave_number for a in timeline.activities})
    windows = {w.wave_number: w for w in timeline.waves}
    cell_index = {c: i for i, c in enumerate(network.cells)}
    wave_index = {n: k for k, n in enumerate(numbers)}
    for number in numbers:
        ids = [activity_id(number, kind) for kind in ACTIVITY_KINDS]
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise InvalidInput(f"the timeline has no {', '.join(missing)}; re-run the timeline")
        first = len(network.activity_ids)
        for kind, aid in zip(ACTIVITY_KINDS, ids, strict=True):
            activity = by_id[aid]
            if activity.duration_days < 1:
                raise InvalidInput(f"activity {aid} lasts {activity.duration_days} days; re-run the timeline")
            start = calendar.offset_of(activity.start)
            network.activity_ids.append(aid)
            network.planned.append(start)
            network.durations.append(activity.duration_days)
            if kind in ("cutover", "hypercare"):
                network.role_work.append([])
                network.work.append(None)
                network.modes.append(None)
                network.correction.append(0)
                continue
            work = _role_work(
                activity.role_hours, exact.get(number, {}), activity.crew, number, staffed, config, cell_index
            )
            rule = 1
            for w in work:
                rule = max(rule, math.ceil(w.hours / (w.crew * w.person_day_hours) - EPS))
            duration = activity.duration_days
            booked = [w for w in work if w.staffed]
            daily = np.array([w.hours / duration for w in booked], dtype=np.float64)
            mode = Mode(
                duration,
                tuple(sorted(activity.crew.items())),
                tuple((w.role, float(d)) for w, d in zip(booked, daily, strict=True)),
            )
            rows = np.array([profile.index[w.role] for w in booked], dtype=np.int64)
            network.role_work.append(work)
            network.work.append(Work(rows=rows))
            network.modes.append(mode)
            network.correction.append(duration - rule)
        window = windows.get(number)
        cutover = first + 3
        after = sorted(
            wave_index[by_id[p].wave_number]
            for p in by_id[ids[3]].predecessors
            if p in by_id and by_id[p].wave_number != number and by_id[p].wave_number in wave_index
        )
        not_before = 0
        fixed = None
        if window is not None and window.not_before is not None:
            not_before = calendar.offset_of(max(window.not_before, calendar.origin))
        if (
            window is not None
            and window.fixed_cutover is not None
            and window.fixed_cutover >= calendar.origin
        ):
            fixed = calendar.offset_of(window.fixed_cutover)
        tail = (network.durations[cutover], network.durations[cutover + 1])
        network.replays.append(
            WaveReplay(
                number=number,
                work=(first, first + 1, first + 2),
                cutover=cutover,
                tail=tail,
                release=not_before,
                fixed=fixed,
                after=after,
                planned_end=network.planned[cutover] + tail[0] + tail[1],
                planned=(network.planned[first], network.planned[first + 1], network.planned[first + 2]),
                planned_cutover=network.planned[cutover],
                not_before=not_before,
            )
        )
    network.profile = profile


def _role_work(
    role_hours: Mapping[str, float],
    exact: Mapping[str, float],
    crew: Mapping[str, int],
    wave: int,
    staffed: Mapping[str, object],
    config: PlanningConfig,
    cell_index: Mapping[tuple[int, str], int],
) -> list[RoleWork]:
    """Staffed roles first (sorted, as the profile rows go), then roles without capacity."""
    found: list[RoleWork] = []
    unstaffed: list[RoleWork] = []
    for role, rounded in sorted(role_hours.items()):
        if rounded <= 0:
            continue
        h = exact.get(role)
        if h is None or round(h, 2) != rounded:
            h = float(rounded)  # the allocation changed since the timeline: its figure
        cell = cell_index.get((wave, role), -1)
        pool = staffed.get(role)
        if pool is None:
            unstaffed.append(RoleWork(role, cell, h, 1, config.hours_per_day, staffed=False))
        else:
            p = person_day_hours(pool, config)  # type: ignore[arg-type]
            found.append(RoleWork(role, cell, h, max(crew.get(role, 1), 1), p, staffed=True))
    return found + unstaffed


def window_limit(
    calendar: WorkingCalendar, limit_days: int
) -> tuple[Callable[[int], int], Callable[[np.ndarray], np.ndarray]]:
    """For a wave starting at an offset, the first offset its window may no longer use (the timeline's
    rule: ``wave_duration_limit_days`` calendar days from its first day), for one start and for many."""
    ends: list[int] = []
    cached = [np.zeros(0, dtype=np.int64)]

    def extend(last: int) -> None:
        if len(ends) <= last:
            while len(ends) <= 2 * last:
                ends.append(
                    calendar.offset_of(calendar.nth_working_day(len(ends)) + timedelta(days=limit_days))
                )
            cached[0] = np.array(ends, dtype=np.int64)

    def one(start: int) -> int:
        extend(start)
        return ends[start]

    def many(starts: np.ndarray) -> np.ndarray:
        if starts.size:
            extend(int(starts.max()))
        return cached[0][starts]

    return one, many
