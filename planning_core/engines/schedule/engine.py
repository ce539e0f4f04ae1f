"""Timeline phase: waves -> activities -> resource-constrained schedule -> dates, CPM, milestones, load.

Activities. Every wave with applications becomes five activities linked finish-to-start:
``W<n>-plan -> W<n>-migrate -> W<n>-test -> W<n>-cutover -> W<n>-hypercare``.

Role hours -> activity (``ROLE_ACTIVITY_RULES``, first matching keyword of the role name wins):
architect, manager, pm, lead, analyst -> plan; test, qa, quality -> test; every other role
(migration engineers, developers, dba, ...) -> migrate. Cut-over takes ``cutover_days(apps)`` (1 day up
to 5 applications, else 2) and hypercare ``HYPERCARE_DAYS`` (5); both carry no role hours.

Durations and crews. Hours of role r in an activity = sum of ``allocation.application_hours`` of the
wave's applications for r (falling back to ``allocation.allocations`` of the wave). An activity uses
between a minimum and a maximum number of people of each role (``crews``: by default 1 to
min(headcount, one person per week of its hours), or the pool's ``min_crew``/``max_crew``); its duration
follows from its hours and the crew it gets. Roles without a pool (or with no headcount or no weekly
hours) are not capacity-constrained: their hours run at one person of ``hours_per_day`` and a warning
says so. An application's hours count in the wave where the wave plan puts it.

Links between waves: a wave holding an application that a ``precedes`` dependency puts after an
application of an earlier wave starts its cut-over after that wave's cut-over. Waves otherwise overlap
as far as people allow: several waves proceed in parallel with smaller crews.

Scheduling (``placement``): each wave is placed whole, fixed cut-overs first and then in wave order, on
a day-by-role profile of people, so that on no working day does a role use more people than its
headcount (hence no week's hours exceed its capacity). The crews are picked so that the wave finishes
early and its window (plan start to hypercare end, calendar days) stays within
``wave_duration_limit_days``; a window that cannot (its work does not fit even at the largest crews, or
the people are taken) is a hard ``wave_duration`` violation naming the wave (``Timeline.violations``,
to be merged into the wave plan's violations). A wave's ``not_before`` day delays its first activity;
its ``fixed_cutover`` day places its cut-over there with the work before it, and a hard
``fixed_cutover`` violation when that cannot hold. The lower bound (``bounds``) does not depend on the
crews picked. The placement is then compacted by the shared RCPSP core (``compaction``: the placed crews
as a single-mode RCPSP, the core's SGS and forward-backward improvement, every wave closed up on its
cut-over), kept only when no more windows or fixed cut-overs break and it ends earlier.
``improve_seconds`` > 0 then hands the placement to CP-SAT as a hint (``wave_cp_sat``, a multi-mode
RCPSP on the shared core) for that long, kept only when it breaks fewer windows or ends earlier.

CPM on the resource-feasible schedule: the schedule's resource sequencing becomes extra finish-to-start
links (``cpm.resource_links``: two activities sharing a role that do not overlap keep their order), then
ordinary CPM over precedence + resource links, with every activity released at its scheduled start, gives
the latest starts, total slack (latest - scheduled start: how far it can slip without moving the end,
capacities included) and the critical path (a chain of zero-slack activities, each starting when a
precedence or resource link lets it).

Resource load: each activity's role hours spread evenly over its working days, summed per week
(Monday); capacity = headcount x weekly hours x the week's working days / working days per week."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from planning_core.domain import DependencyType, PlanningConfig, Portfolio, ResourcePool
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.schedule.bounds import lower_bounds
from planning_core.engines.schedule.calendar import WorkingCalendar
from planning_core.engines.schedule.compaction import compact
from planning_core.engines.schedule.cpm import CpmResult, critical_path_method, resource_links
from planning_core.engines.schedule.crews import Mode, activity_modes, person_day_hours
from planning_core.engines.schedule.models import Activity, Milestone, ResourceLoad, Timeline, WaveWindow
from planning_core.engines.schedule.placement import Placed, WaveTask, schedule_waves
from planning_core.engines.schedule.wave_cp_sat import improve
from planning_core.engines.waves.models import Violation, Wave, WavePlan
from planning_core.errors import InvalidInput

ACTIVITY_KINDS: tuple[str, ...] = ("plan", "migrate", "test", "cutover", "hypercare")
WORK_KINDS: tuple[str, ...] = ("plan", "migrate", "test")
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
EPS = 1e-9
MAX_ACTIVITY_DAYS = 2_600  # ten years of working days
WAVE_DURATION = "wave_duration"
FIXED_CUTOVER = "fixed_cutover"


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
    """An activity: its duration, role hours and people per role (the placed mode's, once scheduled)."""

    id: str
    wave_number: int
    kind: str
    duration: int
    role_hours: dict[str, float] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    predecessors: list[str] = field(default_factory=list)
    modes: list[Mode] = field(default_factory=list)


def wave_role_hours(wave_plan: WavePlan, allocation: ResourceAllocation) -> dict[int, dict[str, float]]:
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


def _wave_activities(
    wave: Wave, hours: dict[str, float], staffed: dict[str, ResourcePool], config: PlanningConfig
) -> list[_Spec]:
    """The five activities of one wave, chained finish-to-start (work activities with their modes)."""
    by_kind: dict[str, dict[str, float]] = {"plan": {}, "migrate": {}, "test": {}}
    for role, h in sorted(hours.items()):
        if h > 0:
            by_kind[activity_for_role(role)][role] = h
    specs = []
    for kind in WORK_KINDS:
        modes = activity_modes(by_kind[kind], staffed, config)
        specs.append(
            _Spec(
                id=activity_id(wave.wave_number, kind),
                wave_number=wave.wave_number,
                kind=kind,
                duration=modes[0].duration,
                role_hours={r: round(h, 2) for r, h in sorted(by_kind[kind].items())},
                people=modes[0].people,
                modes=modes,
            )
        )
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


def _cross_wave_links(waves: list[Wave], portfolio: Portfolio, warnings: list[str]) -> list[tuple[int, int]]:
    """(earlier wave, later wave) pairs whose cut-overs a ``precedes`` dependency orders."""
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
    return sorted(pairs)


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
    week_of = [calendar.week_start(calendar.nth_working_day(offset)) for offset in range(makespan)]
    for week in week_of:
        days_in_week[week] += 1
    for spec in specs:
        for role, total in spec.role_hours.items():
            per_day = total / spec.duration
            for offset in range(starts[spec.id], starts[spec.id] + spec.duration):
                hours[(role, week_of[offset])] += per_day
    roles = [p.role for p in config.resource_pools] + sorted({r for r, _ in hours} - set(pools))
    loads: list[ResourceLoad] = []
    for role in roles:
        pool = pools.get(role)
        for week in sorted(days_in_week):
            capacity = pool.headcount * person_day_hours(pool, config) * days_in_week[week] if pool else 0.0
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
    portfolio: Portfolio,
    wave_plan: WavePlan,
    allocation: ResourceAllocation,
    config: PlanningConfig,
    *,
    improve_seconds: float = 0.0,
) -> Timeline:
    """The timeline phase: a resource-feasible, calendar-aware schedule of every wave with CPM figures.

    ``improve_seconds`` > 0: CP-SAT then improves the placement for that long (wall clock, so the
    answer may vary between runs; ``wave_cp_sat``); 0 (the default) keeps the deterministic heuristic.
    """
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
    hours = wave_role_hours(wave_plan, allocation)
    warnings.extend(_capacity_warnings(hours, pools))
    staffed = {r: p for r, p in pools.items() if p.headcount > 0 and p.capacity_hours_per_week > 0}
    by_wave = {
        w.wave_number: _wave_activities(w, hours.get(w.wave_number, {}), staffed, config) for w in waves
    }
    specs = [s for w in waves for s in by_wave[w.wave_number]]
    _check_durations(specs)
    links = [(p, s.id) for s in specs for p in s.predecessors]
    pairs = _cross_wave_links(waves, portfolio, warnings)
    for src, dst in pairs:
        before, after = activity_id(src, "cutover"), activity_id(dst, "cutover")
        by_wave[dst][3].predecessors.append(before)
        links.append((before, after))
    violations: list[Violation] = []
    tasks = _tasks(waves, by_wave, pairs, calendar, violations)
    roles = [p.role for p in config.resource_pools if p.role in staffed]
    daily = {r: p.headcount * person_day_hours(p, config) for r, p in staffed.items()}
    window_end = _window_end(calendar, config.wave_duration_limit_days)
    capacities = [daily[r] for r in roles]
    placed = compact(
        tasks, roles, capacities, window_end, schedule_waves(tasks, roles, capacities, window_end)
    )
    heuristic = max(p.end for p in placed.values())
    work_hours = {n: [s.role_hours for s in by_wave[n][:3]] for n in by_wave}
    cpm_bound, bound = lower_bounds(tasks, work_hours, daily)
    if improve_seconds > 0:
        placed = improve(
            tasks, roles, capacities, window_end, placed, lower_bound=bound, time_limit=improve_seconds
        )
    starts = _apply(by_wave, placed)
    cpm = _resource_cpm(specs, links, starts)
    violations.extend(_placement_violations(waves, tasks, placed, pairs, calendar, window_end, config))
    timeline = _assemble(specs, cpm, calendar, pools, config, waves, warnings)
    timeline.violations = violations
    timeline.solver = {
        "method": "wave-window-sgs" + ("+cp-sat" if improve_seconds > 0 else ""),
        "status": "optimal" if cpm.makespan <= bound else "feasible",
        "makespan_days": cpm.makespan,
        "lower_bound_days": min(bound, cpm.makespan),
        "cpm_lower_bound_days": cpm_bound,
        "heuristic_makespan_days": heuristic,
        "activities": len(specs),
        "bottleneck_role": _bottleneck_role(specs, pools, config, cpm.makespan),
        "waves_over_limit": sum(1 for v in violations if v.constraint == WAVE_DURATION),
    }
    return timeline


def _window_end(calendar: WorkingCalendar, limit: int) -> Callable[[int], int]:
    """For a wave starting at an offset, the first offset its window may no longer use (calendar days)."""
    cache: dict[int, int] = {}

    def end(start: int) -> int:
        if start not in cache:
            cache[start] = calendar.offset_of(calendar.nth_working_day(start) + timedelta(days=limit))
        return cache[start]

    return end


def _tasks(
    waves: list[Wave],
    by_wave: dict[int, list[_Spec]],
    pairs: list[tuple[int, int]],
    calendar: WorkingCalendar,
    violations: list[Violation],
) -> list[WaveTask]:
    """What the placement needs of each wave: modes, cut-over and hypercare days, dates as offsets."""
    tasks = []
    for wave in waves:
        specs = by_wave[wave.wave_number]
        release = calendar.offset_of(max(wave.not_before, calendar.origin)) if wave.not_before else 0
        fixed = None
        if wave.fixed_cutover is not None:
            if wave.fixed_cutover < calendar.origin:
                violations.append(
                    _violation(
                        FIXED_CUTOVER,
                        f"wave {wave.wave_number}'s fixed cut-over {wave.fixed_cutover} is before the migration "
                        f"starts ({calendar.origin})",
                        wave,
                    )
                )
            else:
                fixed = calendar.offset_of(wave.fixed_cutover)
        tasks.append(
            WaveTask(
                number=wave.wave_number,
                work=[s.modes for s in specs[:3]],
                tail=(specs[3].duration, specs[4].duration),
                release=release,
                fixed=fixed,
                after=[src for src, dst in pairs if dst == wave.wave_number],
            )
        )
    return tasks


def _apply(by_wave: dict[int, list[_Spec]], placed: dict[int, Placed]) -> list[int]:
    """The placed modes as durations and people; start offsets in the specs' order."""
    starts: list[int] = []
    for number, specs in by_wave.items():
        wave = placed[number]
        for spec, mode, start in zip(specs[:3], wave.modes, wave.starts, strict=True):
            spec.duration, spec.people = mode.duration, mode.people
            starts.append(start)
        starts.extend([wave.cutover, wave.cutover + specs[3].duration])
    return starts


def _violation(constraint: str, message: str, wave: Wave, *others: int) -> Violation:
    return Violation(
        constraint=constraint,
        message=message,
        application_ids=[a.application_id for a in wave.applications],
        wave_numbers=[wave.wave_number, *others],
    )


def _placement_violations(
    waves: list[Wave],
    tasks: list[WaveTask],
    placed: dict[int, Placed],
    pairs: list[tuple[int, int]],
    calendar: WorkingCalendar,
    window_end: Callable[[int], int],
    config: PlanningConfig,
) -> list[Violation]:
    """Windows over the limit, fixed cut-overs missed, cut-over links broken by a fixed cut-over."""
    limit = config.wave_duration_limit_days
    by_number = {t.number: t for t in tasks}
    found: list[Violation] = []
    for wave in waves:
        task, where = by_number[wave.wave_number], placed[wave.wave_number]
        if where.fixed_missed and wave.fixed_cutover is not None:
            found.append(
                _violation(
                    FIXED_CUTOVER,
                    f"wave {wave.wave_number} cannot cut over on {wave.fixed_cutover}: its work (or the cut-overs "
                    f"it must follow) does not fit before that day; it cuts over on "
                    f"{calendar.nth_working_day(where.cutover)}",
                    wave,
                )
            )
        start, end = calendar.nth_working_day(where.starts[0]), calendar.nth_working_day(where.end - 1)
        span = (end - start).days + 1
        if span > limit:
            shortest = sum(m[0].duration for m in task.work) + sum(task.tail)
            allowed = window_end(where.starts[0]) - where.starts[0]
            if shortest > allowed:
                largest = max(wave.applications, key=lambda a: (a.effort_hours, a.application_id))
                why = (
                    f"even at the largest crews its work takes {shortest} working days and the limit allows "
                    f"{allowed}; its largest application, {largest.application_id} ({largest.effort_hours:,.0f} h)"
                    + (
                        ", does not fit alone"
                        if len(wave.applications) == 1
                        else ": split the wave or add people"
                    )
                )
            else:
                why = "the people it needs are busy with other waves: add people or move the wave"
            found.append(
                _violation(
                    WAVE_DURATION,
                    f"wave {wave.wave_number} runs {span} calendar days ({start} to {end}), longer than the "
                    f"{limit}-day wave limit: {why}",
                    wave,
                )
            )
    cut = {t.number: t.tail[0] for t in tasks}
    for src, dst in pairs:
        if placed[dst].cutover < placed[src].cutover + cut[src]:
            wave = next(w for w in waves if w.wave_number == dst)
            found.append(
                _violation(
                    FIXED_CUTOVER,
                    f"wave {dst} cuts over before wave {src} has, which a dependency forbids: move the fixed "
                    "cut-over",
                    wave,
                    src,
                )
            )
    return found


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


def _check_durations(specs: list[_Spec]) -> None:
    """Refuse activities that could not finish within the calendar's horizon."""
    longest = max(specs, key=lambda s: s.duration)
    if longest.duration > MAX_ACTIVITY_DAYS:
        raise InvalidInput(
            f"{longest.id} would take {longest.duration:,} working days: check its role hours "
            f"({', '.join(f'{r} {h:,.0f} h' for r, h in longest.role_hours.items())}) and the pools' headcount"
        )


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
        capacity = pool.headcount * person_day_hours(pool, config) * makespan
        hours = sum(s.role_hours.get(role, 0.0) for s in specs)
        if capacity > 0 and hours / capacity > best_use:
            best, best_use = role, hours / capacity
    return best


def _assemble(
    specs: list[_Spec],
    cpm: CpmResult,
    calendar: WorkingCalendar,
    pools: dict[str, ResourcePool],
    config: PlanningConfig,
    waves: list[Wave],
    warnings: list[str],
) -> Timeline:
    """Dates, activities, wave windows, milestones and load."""
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
            crew=dict(sorted(s.people.items())),
            earliest_start=dates[s.id][0],
            latest_start=calendar.nth_working_day(cpm.latest_start[s.id]),
            slack_days=cpm.total_slack[s.id],
            critical=s.id in critical,
        )
        for s in specs
    ]
    start, end = calendar.nth_working_day(0), calendar.nth_working_day(cpm.makespan - 1)
    windows = []
    for wave in waves:
        mine = [a for a in activities if a.wave_number == wave.wave_number]
        windows.append(
            WaveWindow(
                wave_number=wave.wave_number,
                start=min(a.start for a in mine),
                end=max(a.end for a in mine),
                not_before=wave.not_before,
                fixed_cutover=wave.fixed_cutover,
            )
        )
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
    )
