"""The plan as the simulation sees it: applications, (wave, role) cells, activities and role demands.

Built once per run from the completed wave plan, resource allocation, timeline and cost estimate:

- **Applications**: every application with allocation hours, with its (a, b) spread (``sampling``).
- **Cells** (wave, role): the hours of role r in wave w are the allocation's application hours (in the
  wave where the wave plan puts the application, as the timeline counts them). ``cell_weights[a, c]`` =
  application a's share of cell c's hours, so ``deviations @ cell_weights`` is the relative change of
  every cell's hours in an iteration (exactly 0 when no multiplier moves).
- **Labour at stake** per cell: the allocation's hours of (w, r) x the pool's hourly rate.
- **Activities** in the timeline's order with their predecessors, durations and role hours. A work
  activity's duration for given role hours follows the timeline's rule: the longest over its roles of
  ceil(hours / the role's daily capacity), at least one day, where the daily capacity is headcount x
  weekly hours / working days per week for a staffed pool and ``hours_per_day`` otherwise; people per
  staffed role = ceil(hours / (days x one person's daily hours)) between 1 and the headcount. The
  difference between the timeline's duration and this rule at the plan's hours (zero for a fresh
  timeline) is kept as the activity's ``correction`` and added to every sampled duration.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field

import numpy as np

from planning_core.domain import PlanningConfig, Portfolio, SixR
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.risk.sampling import spread
from planning_core.engines.risk.sgs import Demand
from planning_core.engines.schedule.models import Timeline
from planning_core.engines.waves.models import WavePlan
from planning_core.errors import InvalidInput

EPS = 1e-9  # the timeline's tolerance on ceil(hours / capacity)


@dataclass(frozen=True)
class RoleWork:
    """Hours of one role in one activity and how they turn into days and people."""

    cell: int  # index of the (wave, role) cell, -1 when no application hours back it
    hours: float
    daily_hours: float  # the role's hours per working day (the whole pool, or one person unstaffed)
    person_day_hours: float  # one person's hours per working day (0 when not capacity-constrained)
    headcount: int
    capacity_index: int  # index into ``RiskNetwork.capacities``, -1 when not capacity-constrained


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
    activity_ids: list[str]
    starts: list[int]  # the timeline's start dates, as ordinals
    durations: list[int]  # the timeline's working days
    predecessors: list[list[int]]
    work: list[list[RoleWork]]
    correction: list[int] = field(default_factory=list)
    capacities: list[int] = field(default_factory=list)
    capacity_roles: list[str] = field(default_factory=list)

    def sampled_durations(self, cell_deviation: np.ndarray) -> tuple[np.ndarray, list[list[Demand]]]:
        """Durations (iterations, activities) and people per role for cells' relative hour changes."""
        iterations = cell_deviation.shape[0]
        durations = np.empty((iterations, len(self.activity_ids)), dtype=np.int64)
        demands: list[list[Demand]] = []
        for j, work in enumerate(self.work):
            if not work:
                durations[:, j] = self.durations[j]
                demands.append([])
                continue
            hours = [_hours(w, cell_deviation) for w in work]
            days = np.ones(iterations, dtype=np.int64)
            for w, h in zip(work, hours, strict=True):
                np.maximum(days, np.ceil(h / w.daily_hours - EPS).astype(np.int64), out=days)
            days = np.maximum(days + self.correction[j], 1)
            durations[:, j] = days
            need = []
            for w, h in zip(work, hours, strict=True):
                if w.capacity_index < 0:
                    continue
                people = np.ceil(h / (days * w.person_day_hours) - EPS).astype(np.int64)
                need.append(Demand(w.capacity_index, np.clip(people, 1, w.headcount)))
            demands.append(need)
        return durations, demands


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
        activity_ids=[],
        starts=[],
        durations=[],
        predecessors=[],
        work=[],
    )
    _add_activities(network, timeline, config)
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


def _add_activities(network: RiskNetwork, timeline: Timeline, config: PlanningConfig) -> None:
    """Activities, predecessors, role work, corrections and the capacity-constrained roles."""
    pools = {p.role: p for p in config.resource_pools}
    staffed = {r: p for r, p in pools.items() if p.headcount > 0 and p.capacity_hours_per_week > 0}
    index = {a.id: j for j, a in enumerate(timeline.activities)}
    cell_index = {c: i for i, c in enumerate(network.cells)}
    capacity_index: dict[str, int] = {}
    for activity in timeline.activities:
        unknown = [p for p in activity.predecessors if p not in index]
        if unknown:
            raise InvalidInput(
                f"activity {activity.id} follows {', '.join(unknown)}, which the timeline does not have; "
                "re-run the timeline"
            )
        if activity.duration_days < 1:
            raise InvalidInput(
                f"activity {activity.id} lasts {activity.duration_days} days; re-run the timeline"
            )
        work: list[RoleWork] = []
        for role, h in sorted(activity.role_hours.items()):
            if h <= 0:
                continue
            pool = staffed.get(role)
            person_day = pool.capacity_hours_per_week / config.working_days_per_week if pool else 0.0
            if pool is not None and role not in capacity_index:
                capacity_index[role] = len(capacity_index)
            work.append(
                RoleWork(
                    cell=cell_index.get((activity.wave_number, role), -1),
                    hours=float(h),
                    daily_hours=activity.crew.get(role, pool.headcount) * person_day if pool else config.hours_per_day,
                    person_day_hours=person_day,
                    headcount=pool.headcount if pool else 0,
                    capacity_index=capacity_index[role] if pool else -1,
                )
            )
        planned = 1
        for w in work:
            planned = max(planned, math.ceil(w.hours / w.daily_hours - EPS))
        network.activity_ids.append(activity.id)
        network.starts.append(activity.start.toordinal())
        network.durations.append(activity.duration_days)
        network.predecessors.append([index[p] for p in activity.predecessors])
        network.work.append(work)
        network.correction.append(activity.duration_days - planned if work else 0)
    network.capacity_roles = sorted(capacity_index, key=capacity_index.__getitem__)
    network.capacities = [staffed[r].headcount for r in network.capacity_roles]
