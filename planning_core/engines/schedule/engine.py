"""Timeline phase: waves -> activities -> resource-constrained schedule -> dates, CPM, milestones, load.

Activities. Every wave with applications becomes five activities linked finish-to-start:
``W<n>-plan -> W<n>-migrate -> W<n>-test -> W<n>-cutover -> W<n>-hypercare``.

Role hours -> activity (``ROLE_ACTIVITY_RULES``, first matching keyword of the role name wins):
architect, manager, pm, lead, analyst -> plan; test, qa, quality -> test; every other role
(migration engineers, developers, dba, ...) -> migrate. Cut-over takes ``cutover_days(apps)`` (1 day up
to 5 applications, else 2) and hypercare ``HYPERCARE_DAYS`` (5); both carry no role hours.

Durations. Hours of role r in an activity = sum of ``allocation.application_hours`` of the wave's
applications for r (falling back to ``allocation.allocations`` of the wave). The role's daily capacity is
headcount x capacity_hours_per_week / working_days_per_week; the activity lasts the longest of
ceil(hours / daily capacity) over its roles (at least 1 day). It then needs, per role, the people that do
its hours in that duration (ceil, at most the headcount): that is its renewable resource demand, and the
RCPSP keeps every role within its headcount on every working day. Roles without a pool (or with no
headcount or no weekly hours) are not capacity-constrained: their hours run at one person of
``hours_per_day`` and a warning says so. An application's hours count in the wave where the wave plan
puts it.

Links between waves: each wave's plan starts after the previous wave's plan (one planning team); a wave
holding an application that a ``precedes`` dependency puts after an application of an earlier wave starts
its cut-over after that wave's cut-over. Waves otherwise overlap when roles have capacity.

Solver: small instances (up to ``CP_SAT_MAX_ACTIVITIES`` activities) go to CP-SAT under the config's time
limit (capped at ``CP_SAT_MAX_SECONDS``, deterministic time, one worker); larger ones use the priority
rules with forward-backward improvement.

CPM on the resource-feasible schedule: the schedule's resource sequencing becomes extra finish-to-start
links (``cpm.resource_links``: two activities sharing a role that do not overlap keep their order), then
ordinary CPM over precedence + resource links, with every activity released at its scheduled start, gives
the latest starts, total slack (latest - scheduled start: how far it can slip without moving the end,
capacities included) and the critical path (a chain of zero-slack activities, each starting when a
precedence or resource link lets it). Among schedules of the same makespan, CP-SAT prefers compact waves
(least sum of plan-start to hypercare-start spans); the heuristic schedules waves in wave order.

Resource load: each activity's role hours spread evenly over its working days, summed per week (Monday);
capacity = headcount x weekly hours x working days of that week / working days per week. A wave whose
window (plan start to hypercare end) spans more calendar days than ``wave_duration_limit_days`` gets a
warning.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from planning_core.domain import DependencyType, PlanningConfig, Portfolio, ResourcePool
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.schedule.calendar import WorkingCalendar
from planning_core.engines.schedule.cpm import CpmResult, critical_path_method, resource_links
from planning_core.engines.schedule.models import Activity, Milestone, ResourceLoad, Timeline, WaveWindow
from planning_core.engines.schedule.rcpsp import PRIORITY_RULES, RcpspProblem, RcpspSolution, solve_rcpsp
from planning_core.engines.waves.models import Wave, WavePlan
from planning_core.errors import InvalidInput

ACTIVITY_KINDS: tuple[str, ...] = ("plan", "migrate", "test", "cutover", "hypercare")
ACTIVITY_NAMES: dict[str, str] = {
    "plan": "Plan and design",
    "migrate": "Migrate",
    "test": "Test",
    "cutover": "Cut-over",
    "hypercare": "Hypercare",
}
ROLE_ACTIVITY_RULES: tuple[tuple[str, str], ...] = (
    ("test", "test"),
    ("qa", "test"),
    ("quality", "test"),
    ("architect", "plan"),
    ("manager", "plan"),
    ("pm", "plan"),
    ("lead", "plan"),
    ("analyst", "plan"),
)
DEFAULT_ROLE_ACTIVITY = "migrate"
HYPERCARE_DAYS = 5
CP_SAT_MAX_ACTIVITIES = 60
CP_SAT_MAX_SECONDS = 5.0
EPS = 1e-9
MAX_ACTIVITY_DAYS = 2_600  # ten years of working days


def activity_for_role(role: str) -> str:
    """The activity kind a role's hours belong to (see ROLE_ACTIVITY_RULES)."""
    words = role.lower().replace("-", "_").replace(" ", "_").split("_")
    name = role.lower()
    for keyword, kind in ROLE_ACTIVITY_RULES:
        if keyword in words or (len(keyword) > 3 and keyword in name):
            return kind
    return DEFAULT_ROLE_ACTIVITY


def cutover_days(app_count: int) -> int:
    """Cut-over length in working days: 1 for up to 5 applications, else 2."""
    return 1 if app_count <= 5 else 2


def activity_id(wave_number: int, kind: str) -> str:
    """Id of a wave's activity, e.g. ``W3-migrate``."""
    return f"W{wave_number}-{kind}"


@dataclass
class _Spec:
    """An activity before scheduling: its duration, role hours and people per role."""

    id: str
    wave_number: int
    kind: str
    duration: int
    role_hours: dict[str, float] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    predecessors: list[str] = field(default_factory=list)


def _wave_role_hours(wave_plan: WavePlan, allocation: ResourceAllocation) -> dict[int, dict[str, float]]:
    """Hours per wave and role: application hours summed, else the wave's allocations.

    An application's hours count in the wave where the wave plan puts it (the allocation may be older).
    """
    numbers = {w.wave_number for w in wave_plan.waves}
    wave_of = wave_plan.wave_of()
    hours: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in allocation.application_hours:
        wave = wave_of.get(row.application_id, row.wave_number)
        if wave in numbers:
            hours[wave][row.role] += row.hours
    with_app_hours = set(hours)
    for alloc in allocation.allocations:
        if alloc.wave_number in numbers and alloc.wave_number not in with_app_hours:
            hours[alloc.wave_number][alloc.role] += alloc.hours
    return {w: dict(h) for w, h in hours.items()}


def _person_day_hours(pool: ResourcePool, config: PlanningConfig) -> float:
    """Hours one person of a pool works per working day."""
    return pool.capacity_hours_per_week / config.working_days_per_week


def _work_activity(
    wave_number: int,
    kind: str,
    role_hours: dict[str, float],
    pools: dict[str, ResourcePool],
    config: PlanningConfig,
) -> _Spec:
    """A plan/migrate/test activity: duration from the bottleneck role, people per role."""
    days = 1
    for role, hours in role_hours.items():
        pool = pools.get(role)
        if pool is not None:
            daily = pool.headcount * _person_day_hours(pool, config)
        else:
            daily = config.hours_per_day
        days = max(days, math.ceil(hours / daily - EPS))
    people: dict[str, int] = {}
    for role, hours in role_hours.items():
        pool = pools.get(role)
        if pool is not None and hours > 0:
            need = math.ceil(hours / (days * _person_day_hours(pool, config)) - EPS)
            people[role] = max(1, min(pool.headcount, need))
    return _Spec(
        id=activity_id(wave_number, kind),
        wave_number=wave_number,
        kind=kind,
        duration=days,
        role_hours={r: round(h, 2) for r, h in sorted(role_hours.items())},
        people=people,
    )


def _wave_activities(
    wave: Wave, hours: dict[str, float], pools: dict[str, ResourcePool], config: PlanningConfig
) -> list[_Spec]:
    """The five activities of one wave, chained finish-to-start."""
    by_kind: dict[str, dict[str, float]] = {"plan": {}, "migrate": {}, "test": {}}
    for role, h in sorted(hours.items()):
        if h > 0:
            by_kind[activity_for_role(role)][role] = h
    specs = [
        _work_activity(wave.wave_number, k, by_kind[k], pools, config) for k in ("plan", "migrate", "test")
    ]
    specs.append(
        _Spec(
            activity_id(wave.wave_number, "cutover"),
            wave.wave_number,
            "cutover",
            cutover_days(len(wave.applications)),
        )
    )
    specs.append(
        _Spec(activity_id(wave.wave_number, "hypercare"), wave.wave_number, "hypercare", HYPERCARE_DAYS)
    )
    for before, after in zip(specs, specs[1:], strict=False):
        after.predecessors.append(before.id)
    return specs


def _cross_wave_links(waves: list[Wave], portfolio: Portfolio, warnings: list[str]) -> list[tuple[str, str]]:
    """Plan after the previous wave's plan; cut-over after the cut-over of waves it depends on."""
    links: list[tuple[str, str]] = []
    for before, after in zip(waves, waves[1:], strict=False):
        links.append((activity_id(before.wave_number, "plan"), activity_id(after.wave_number, "plan")))
    wave_of = {a.application_id: w.wave_number for w in waves for a in w.applications}
    pairs: set[tuple[int, int]] = set()
    for dep in portfolio.dependencies:
        if dep.dependency_type != DependencyType.PRECEDES:
            continue
        src, dst = wave_of.get(dep.source_application_id), wave_of.get(dep.target_application_id)
        if src is None or dst is None or src == dst:
            continue
        if src > dst:
            warnings.append(
                f"{dep.source_application_id} (wave {src}) should migrate before {dep.target_application_id} "
                f"(wave {dst}); the timeline does not link these waves"
            )
            continue
        pairs.add((src, dst))
    for src, dst in sorted(pairs):
        links.append((activity_id(src, "cutover"), activity_id(dst, "cutover")))
    return links


def _solve(
    specs: list[_Spec], links: list[tuple[str, str]], roles: list[str], config: PlanningConfig
) -> RcpspSolution:
    """Resource-constrained schedule of the activities (CP-SAT when small, heuristic otherwise)."""
    index = {s.id: i for i, s in enumerate(specs)}
    problem = RcpspProblem(
        durations=[s.duration for s in specs],
        demands=[[s.people.get(r, 0) for r in roles] for s in specs],
        capacities=[next(p for p in config.resource_pools if p.role == r).headcount for r in roles],
        links=[(index[a], index[b], 0) for a, b in links],
    )
    small = len(specs) <= CP_SAT_MAX_ACTIVITIES
    order = {n: i for i, n in enumerate(sorted({s.wave_number for s in specs}))}
    wave_first = [order[s.wave_number] * len(ACTIVITY_KINDS) + ACTIVITY_KINDS.index(s.kind) for s in specs]
    spans = [{"plan": -1, "hypercare": 1}.get(s.kind, 0) for s in specs]
    return solve_rcpsp(
        problem,
        time_limit_seconds=min(config.solver_time_limit_seconds, CP_SAT_MAX_SECONDS),
        use_cp_sat=small,
        num_workers=1,
        seed=config.random_seed,
        samples=0,
        deterministic=True,
        rules=PRIORITY_RULES if small else (),
        priority=wave_first,
        secondary_weights=spans,
    )


def _resource_load(
    specs: list[_Spec],
    starts: dict[str, int],
    calendar: WorkingCalendar,
    pools: dict[str, ResourcePool],
    config: PlanningConfig,
    makespan: int,
) -> list[ResourceLoad]:
    """Hours per role per week (spread evenly over each activity's days) against weekly capacity."""
    hours: dict[tuple[str, date], float] = defaultdict(float)
    days_in_week: dict[date, int] = defaultdict(int)
    for offset in range(makespan):
        days_in_week[calendar.week_start(calendar.nth_working_day(offset))] += 1
    for spec in specs:
        for role, total in spec.role_hours.items():
            per_day = total / spec.duration
            for offset in range(starts[spec.id], starts[spec.id] + spec.duration):
                hours[(role, calendar.week_start(calendar.nth_working_day(offset)))] += per_day
    roles = [p.role for p in config.resource_pools] + sorted({r for r, _ in hours} - set(pools))
    loads: list[ResourceLoad] = []
    for role in roles:
        pool = pools.get(role)
        for week in sorted(days_in_week):
            capacity = pool.headcount * _person_day_hours(pool, config) * days_in_week[week] if pool else 0.0
            loads.append(
                ResourceLoad(
                    role=role,
                    week_start=week,
                    hours=round(hours.get((role, week), 0.0), 2),
                    capacity_hours=round(capacity, 2),
                )
            )
    return loads


# Milestones each activity kind marks: (id suffix, name, kind, at the activity's start or end, description).
MILESTONES: dict[str, tuple[tuple[str, str, str, int, str], ...]] = {
    "plan": (("gate-review", "gate review", "gate_review", 1, "end of planning"),),
    "cutover": (
        ("cutover", "cut-over", "cutover", 0, "cut-over starts"),
        ("go-live", "go-live", "go_live", 1, "end of cut-over"),
    ),
    "hypercare": (("complete", "complete", "completion", 1, "end of hypercare"),),
}


def _milestones(specs: list[_Spec], dates: dict[str, tuple[date, date]], end: date) -> list[Milestone]:
    """Gate review, cut-over, go-live and completion per wave, and the project completion."""
    result = [
        Milestone(
            id=f"W{spec.wave_number}-{suffix}",
            name=f"Wave {spec.wave_number} {name}",
            date=dates[spec.id][at],
            wave_number=spec.wave_number,
            kind=kind,
            description=description,
        )
        for spec in specs
        for suffix, name, kind, at, description in MILESTONES.get(spec.kind, ())
    ]
    result.append(
        Milestone(
            id="migration-complete",
            name="Migration complete",
            date=end,
            kind="completion",
            description="last wave's hypercare ends",
        )
    )
    return result


def build_timeline(
    portfolio: Portfolio, wave_plan: WavePlan, allocation: ResourceAllocation, config: PlanningConfig
) -> Timeline:
    """The timeline phase: a resource-feasible, calendar-aware schedule of every wave with CPM figures."""
    calendar = WorkingCalendar(config)
    first_day = calendar.nth_working_day(0)
    waves = sorted((w for w in wave_plan.waves if w.applications), key=lambda w: w.wave_number)
    if len({w.wave_number for w in waves}) != len(waves):
        raise InvalidInput("the wave plan has two waves with the same number")
    warnings: list[str] = []
    if not waves:
        return Timeline(
            start_date=first_day,
            end_date=first_day,
            total_working_days=0,
            total_duration_days=0,
            warnings=["no wave has applications: nothing to schedule"],
        )
    pools = {p.role: p for p in config.resource_pools}
    hours = _wave_role_hours(wave_plan, allocation)
    warnings.extend(_capacity_warnings(hours, pools))
    staffed = {r: p for r, p in pools.items() if p.headcount > 0 and p.capacity_hours_per_week > 0}
    specs = [s for w in waves for s in _wave_activities(w, hours.get(w.wave_number, {}), staffed, config)]
    _check_durations(specs)
    links = [(p, s.id) for s in specs for p in s.predecessors]
    cross = _cross_wave_links(waves, portfolio, warnings)
    for before, after in cross:
        next(s for s in specs if s.id == after).predecessors.append(before)
    links.extend(cross)
    roles = [
        p.role for p in config.resource_pools if p.role in staffed and any(p.role in s.people for s in specs)
    ]
    solution = _solve(specs, links, roles, config)
    starts = _compact_waves(specs, links, roles, config, list(solution.starts))
    cpm = _resource_cpm(specs, links, starts)
    return _assemble(specs, cpm, solution, calendar, pools, config, waves, warnings)


def _compact_waves(
    specs: list[_Spec],
    links: list[tuple[str, str]],
    roles: list[str],
    config: PlanningConfig,
    starts: list[int],
) -> list[int]:
    """Right-justify every activity that has successors, latest first, up to its successors' starts and
    within every role's headcount: a wave no longer plans weeks before it can migrate. Activities
    without successors stay, so the makespan and every capacity still hold."""
    index = {s.id: i for i, s in enumerate(specs)}
    successors: list[list[int]] = [[] for _ in specs]
    for before, after in links:
        successors[index[before]].append(index[after])
    horizon = max(starts[i] + s.duration for i, s in enumerate(specs))
    headcount = {p.role: p.headcount for p in config.resource_pools}
    capacity = np.array([headcount[r] for r in roles], dtype=np.int64)[:, None]
    demand = np.array([[s.people.get(r, 0) for r in roles] for s in specs], dtype=np.int64).reshape(
        len(specs), -1
    )
    usage = np.zeros((len(roles), horizon + 1), dtype=np.int64)
    for i, s in enumerate(specs):
        usage[:, starts[i] : starts[i] + s.duration] += demand[i][:, None]
    movable = [i for i, s in enumerate(specs) if successors[i] and s.duration > 0]
    for i in sorted(movable, key=lambda i: (-(starts[i] + specs[i].duration), -starts[i], i)):
        duration = specs[i].duration
        bound = min(starts[j] for j in successors[i]) - duration
        if bound <= starts[i]:
            continue
        usage[:, starts[i] : starts[i] + duration] -= demand[i][:, None]
        fits = (usage + demand[i][:, None] <= capacity).all(axis=0)
        starts[i] = _latest_window(fits, bound, duration, floor=starts[i])
        usage[:, starts[i] : starts[i] + duration] += demand[i][:, None]
    return starts


def _latest_window(fits: np.ndarray, bound: int, duration: int, *, floor: int) -> int:
    """The latest start in [floor, bound] whose `duration` days all fit (floor itself always does)."""
    blocked = np.flatnonzero(~fits)
    start = bound
    while start > floor:
        k = int(np.searchsorted(blocked, start + duration)) - 1
        if k < 0 or blocked[k] < start:
            return start
        start = int(blocked[k]) - duration
    return floor


def _check_durations(specs: list[_Spec]) -> None:
    """Refuse activities that could not finish within the calendar's horizon."""
    longest = max(specs, key=lambda s: s.duration)
    if longest.duration > MAX_ACTIVITY_DAYS:
        raise InvalidInput(
            f"{longest.id} would take {longest.duration:,} working days: check its role hours "
            f"({', '.join(f'{r} {h:,.0f} h' for r, h in longest.role_hours.items())}) and the pools' headcount"
        )


def _capacity_warnings(hours: dict[int, dict[str, float]], pools: dict[str, ResourcePool]) -> list[str]:
    """A warning for every role with hours and no pool capacity."""
    missing: dict[str, float] = defaultdict(float)
    for per_role in hours.values():
        for role, h in per_role.items():
            pool = pools.get(role)
            if h > 0 and (pool is None or pool.headcount == 0 or pool.capacity_hours_per_week == 0):
                missing[role] += h
    return [
        f"role {role!r} has {h:,.0f} hours but no capacity in the resource pools: scheduled as one person, "
        "not capacity-checked"
        for role, h in sorted(missing.items())
    ]


def _resource_cpm(specs: list[_Spec], links: list[tuple[str, str]], starts: list[int]) -> CpmResult:
    """CPM over precedence links plus the schedule's resource links."""
    durations = {s.id: s.duration for s in specs}
    by_id = {s.id: starts[i] for i, s in enumerate(specs)}
    demands = {s.id: {r: float(p) for r, p in s.people.items()} for s in specs}
    all_links = sorted({(a, b, 0) for a, b in links} | set(resource_links(by_id, durations, demands)))
    return critical_path_method(durations, all_links, release=by_id)


def _bottleneck_role(
    specs: list[_Spec], pools: dict[str, ResourcePool], config: PlanningConfig, makespan: int
) -> str:
    """The role with the highest utilisation over the whole timeline ("" when no role has hours)."""
    best, best_use = "", 0.0
    for role, pool in pools.items():
        capacity = pool.headcount * _person_day_hours(pool, config) * makespan
        hours = sum(s.role_hours.get(role, 0.0) for s in specs)
        if capacity > 0 and hours / capacity > best_use:
            best, best_use = role, hours / capacity
    return best


def _assemble(
    specs: list[_Spec],
    cpm: CpmResult,
    solution: RcpspSolution,
    calendar: WorkingCalendar,
    pools: dict[str, ResourcePool],
    config: PlanningConfig,
    waves: list[Wave],
    warnings: list[str],
) -> Timeline:
    """Dates, activities, wave windows, milestones, load and warnings."""
    es = cpm.earliest_start
    dates = {
        s.id: (calendar.nth_working_day(es[s.id]), calendar.nth_working_day(es[s.id] + s.duration - 1))
        for s in specs
    }
    critical = set(cpm.critical)
    activities = [
        Activity(
            id=s.id,
            wave_number=s.wave_number,
            name=f"Wave {s.wave_number}: {ACTIVITY_NAMES[s.kind]}",
            kind=s.kind,
            start=dates[s.id][0],
            end=dates[s.id][1],
            duration_days=s.duration,
            predecessors=list(s.predecessors),
            role_hours=s.role_hours,
            earliest_start=dates[s.id][0],
            latest_start=calendar.nth_working_day(cpm.latest_start[s.id]),
            slack_days=cpm.total_slack[s.id],
            critical=s.id in critical,
        )
        for s in specs
    ]
    start, end = calendar.nth_working_day(0), calendar.nth_working_day(cpm.makespan - 1)
    windows = []
    too_long: list[tuple[WaveWindow, int]] = []
    for wave in waves:
        mine = [a for a in activities if a.wave_number == wave.wave_number]
        window = WaveWindow(
            wave_number=wave.wave_number, start=min(a.start for a in mine), end=max(a.end for a in mine)
        )
        windows.append(window)
        span = (window.end - window.start).days + 1
        if span > config.wave_duration_limit_days:
            too_long.append((window, span))
    warnings.extend(_duration_warnings(too_long, config.wave_duration_limit_days))
    return Timeline(
        start_date=start,
        end_date=end,
        total_working_days=cpm.makespan,
        total_duration_days=(end - start).days + 1,
        waves=windows,
        activities=activities,
        milestones=_milestones(specs, dates, end),
        critical_path=cpm.critical_path,
        resource_load=_resource_load(specs, es, calendar, pools, config, cpm.makespan),
        warnings=warnings,
        solver={
            "method": solution.method,
            "status": solution.status,
            "makespan_days": cpm.makespan,
            "lower_bound_days": solution.lower_bound,
            "cpm_lower_bound_days": solution.cpm_lower_bound,
            "heuristic_makespan_days": solution.heuristic_makespan,
            "activities": len(specs),
            "bottleneck_role": _bottleneck_role(specs, pools, config, cpm.makespan),
        },
    )


def _duration_warnings(too_long: list[tuple[WaveWindow, int]], limit: int) -> list[str]:
    """One warning for waves that run longer than the wave limit (one line, however many waves)."""
    if not too_long:
        return []
    if len(too_long) == 1:
        window, span = too_long[0]
        return [
            f"wave {window.wave_number} runs {span} calendar days ({window.start} to {window.end}), longer than "
            f"the {limit}-day wave limit"
        ]
    longest, span = max(too_long, key=lambda item: (item[1], -item[0].wave_number))
    listed = ", ".join(f"{w.wave_number} ({days} days)" for w, days in too_long)
    return [
        f"{len(too_long)} waves run longer than the {limit}-day wave limit: waves {listed}; the longest, "
        f"wave {longest.wave_number}, runs {span} calendar days ({longest.start} to {longest.end}). "
        "Add people to the roles they need, or plan smaller waves."
    ]
