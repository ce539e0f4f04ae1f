"""Resource allocation engine: effort split across roles, hours per role per wave, utilisation, skill gaps.

The model, step by step (every number below is a named constant of this module):

1. **Role split.** Each application's effort (the wave plan's ``effort_hours``) is split across roles
   by its 6R strategy with ``ROLE_SPLIT`` (shares for a complexity-5 application).
2. **Complexity shift.** Complex work needs more design and more testing: for complexity ``c`` the
   shares of ``cloud_architect`` and ``tester`` each move by ``COMPLEXITY_SHIFT_PER_LEVEL x (c - 5)``
   (only where the strategy already uses them; never below zero) and the other roles are scaled so that
   the shares still add up to 1.
3. **Exact hours.** Shares become hours in hundredths of an hour with the largest-remainder method, so
   an application's role hours add up exactly to its effort (to 0.01 h).
4. **Fallback.** A role of the table with no pool in ``config.resource_pools`` hands its hours to the
   first role of ``ROLE_FALLBACK[role]`` that has a pool, else to the pool with the largest weekly
   capacity; a warning ``no pool for role X`` says where the hours went. Roles outside the table (a
   custom pool such as ``security_engineer``) get no hours from the split.
5. **Capacity.** A role's capacity in a wave is ``headcount x capacity_hours_per_week x
   wave_duration_limit_days / 7``; ``utilisation_pct = hours / capacity x 100`` (one decimal); a role is
   over-allocated when its hours exceed its capacity. A pool with no capacity that receives hours is
   reported at ``NO_CAPACITY_UTILISATION_PCT``.
6. **Confidence.** ``0.7 + 0.2 x`` (share of the hours whose effort the analyst gave rather than the
   effort model derived), minus ``FALLBACK_CONFIDENCE_PENALTY`` when some hours came from another role.
7. **Skill gaps.** A skill needed by a planned application that no pool lists. Recommendation:
   ``hire`` when ``HIRE_MIN_APPLICATIONS`` or more applications need it or one of them is critical;
   otherwise ``train`` when a pool has a related skill (``RELATED_SKILLS``, or a shared word such as
   "azure devops" and "azure"); otherwise ``contract``. Severity: high for a critical application or
   ``HIGH_SEVERITY_APPLICATIONS`` applications, medium for a high-criticality application or two or
   more applications, low otherwise.

Allocation rows: one per wave and per pool (in the config's pool order), zero hours included, so that
every page shows idle capacity as well as overload.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from planning_core.domain import (
    Application,
    Criticality,
    PlanningConfig,
    Portfolio,
    ResourcePool,
    SixR,
)
from planning_core.engines.resources.models import (
    Allocation,
    AllocationSource,
    ApplicationRoleHours,
    ResourceAllocation,
    SkillGap,
)
from planning_core.engines.waves.models import WaveAssignment, WavePlan
from planning_core.errors import InvalidInput

MIGRATION_ENGINEER = "migration_engineer"
CLOUD_ARCHITECT = "cloud_architect"
DEVELOPER = "developer"
DBA = "dba"
TESTER = "tester"
PROJECT_MANAGER = "project_manager"

# Share of an application's effort per role by 6R strategy, for a complexity-5 application.
ROLE_SPLIT: dict[SixR, dict[str, float]] = {
    # Lift and shift: migration engineers move the servers; light design, test and governance.
    SixR.REHOST: {
        MIGRATION_ENGINEER: 0.55,
        CLOUD_ARCHITECT: 0.10,
        DEVELOPER: 0.05,
        DBA: 0.05,
        TESTER: 0.15,
        PROJECT_MANAGER: 0.10,
    },
    # Lift, tinker and shift: managed databases and containers bring DBAs and developers in.
    SixR.REPLATFORM: {
        MIGRATION_ENGINEER: 0.25,
        CLOUD_ARCHITECT: 0.15,
        DEVELOPER: 0.20,
        DBA: 0.15,
        TESTER: 0.15,
        PROJECT_MANAGER: 0.10,
    },
    # Re-architect: mostly development, with architects and a heavy test load.
    SixR.REFACTOR: {
        CLOUD_ARCHITECT: 0.15,
        DEVELOPER: 0.50,
        DBA: 0.05,
        TESTER: 0.20,
        PROJECT_MANAGER: 0.10,
    },
    # Move to SaaS: data migration, acceptance testing and vendor management.
    SixR.REPURCHASE: {
        CLOUD_ARCHITECT: 0.15,
        DEVELOPER: 0.10,
        DBA: 0.25,
        TESTER: 0.30,
        PROJECT_MANAGER: 0.20,
    },
    # Hypervisor-level move (e.g. VMware Cloud): almost all migration engineering.
    SixR.RELOCATE: {
        MIGRATION_ENGINEER: 0.70,
        CLOUD_ARCHITECT: 0.10,
        TESTER: 0.10,
        PROJECT_MANAGER: 0.10,
    },
    # Decommission: archive the data, switch off the servers, close the contracts.
    SixR.RETIRE: {MIGRATION_ENGINEER: 0.30, DBA: 0.40, PROJECT_MANAGER: 0.30},
    # Stays where it is: only governance.
    SixR.RETAIN: {PROJECT_MANAGER: 1.0},
}

COMPLEXITY_SHIFT_ROLES: tuple[str, ...] = (CLOUD_ARCHITECT, TESTER)
COMPLEXITY_SHIFT_PER_LEVEL = 0.02
REFERENCE_COMPLEXITY = 5

# Where a role's hours go when no pool has that role: the first of these roles that has a pool.
ROLE_FALLBACK: dict[str, tuple[str, ...]] = {
    MIGRATION_ENGINEER: (CLOUD_ARCHITECT, DEVELOPER),
    CLOUD_ARCHITECT: (MIGRATION_ENGINEER, DEVELOPER),
    DEVELOPER: (MIGRATION_ENGINEER, CLOUD_ARCHITECT),
    DBA: (DEVELOPER, MIGRATION_ENGINEER),
    TESTER: (DEVELOPER, MIGRATION_ENGINEER),
    PROJECT_MANAGER: (CLOUD_ARCHITECT, MIGRATION_ENGINEER),
}

# Skills that a pool can be trained into from a neighbouring skill it already has.
RELATED_SKILLS: dict[str, frozenset[str]] = {
    "kubernetes": frozenset({"containers"}),
    "openshift": frozenset({"containers"}),
    "docker": frozenset({"containers"}),
    "gcp": frozenset({"aws", "azure"}),
    "terraform": frozenset({"aws", "azure", "automation"}),
    "ansible": frozenset({"automation", "linux"}),
    "db2": frozenset({"oracle", "sql server", "postgresql", "mysql"}),
    "mongodb": frozenset({"postgresql", "mysql"}),
    "sybase": frozenset({"sql server", "oracle"}),
    "kotlin": frozenset({"java"}),
    "scala": frozenset({"java"}),
    "c#": frozenset({".net"}),
    "go": frozenset({"python", "java"}),
    "nodejs": frozenset({"python", "java"}),
    "hyper-v": frozenset({"vmware", "windows"}),
    "unix": frozenset({"linux"}),
    "solaris": frozenset({"linux"}),
    "performance testing": frozenset({"testing", "automation"}),
    "websphere": frozenset({"java"}),
    "weblogic": frozenset({"java"}),
}

HIRE_MIN_APPLICATIONS = 5
HIGH_SEVERITY_APPLICATIONS = 10
BASE_CONFIDENCE = 0.7
GIVEN_EFFORT_CONFIDENCE_BONUS = 0.2
FALLBACK_CONFIDENCE_PENALTY = 0.15
NO_CAPACITY_UTILISATION_PCT = 9999.9
OVER_ALLOCATION_WARNING = "over-allocated"


def allocate_resources(
    portfolio: Portfolio, wave_plan: WavePlan, config: PlanningConfig
) -> ResourceAllocation:
    """Hours per role per wave from the wave plan, against pool capacity, with skill gaps."""
    pools = config.resource_pools
    if not pools:
        raise InvalidInput("no resource pools are configured: add at least one role pool before allocating")
    apps = portfolio.by_id()
    routing, warnings = _route_roles(pools)
    tally = _Tally()
    for wave in sorted(wave_plan.waves, key=lambda w: w.wave_number):
        for assignment in wave.applications:
            app = _application_of(apps, assignment, wave.wave_number)
            given = app.effort_hours is not None
            cents = split_effort_cents(assignment)
            tally.add_application(assignment.application_id, wave.wave_number, cents, routing, given)
    capacities = {p.role: wave_capacity_hours(p, config) for p in pools}
    allocations = [
        _allocation(tally, wave.wave_number, pool.role, capacities[pool.role])
        for wave in sorted(wave_plan.waves, key=lambda w: w.wave_number)
        for pool in pools
    ]
    return ResourceAllocation(
        allocations=allocations,
        application_hours=tally.application_hours,
        skill_gaps=find_skill_gaps(portfolio, wave_plan, pools),
        total_hours=_hours(sum(a.hours for a in allocations)),
        warnings=[warnings[r] for r in sorted(warnings) if r in tally.roles_routed]
        + over_allocation_warnings(allocations),
    )


def apply_manual_allocation(
    allocation: ResourceAllocation, *, wave_number: int, role: str, hours: float, reason: str
) -> ResourceAllocation:
    """Set a role's hours in a wave by hand (source manual, confidence 1) and recompute utilisation."""
    if hours < 0:
        raise InvalidInput(f"hours cannot be negative ({hours}) for {role} in wave {wave_number}")
    if not reason.strip():
        raise InvalidInput("a manual allocation needs a reason (why the hours differ from the suggestion)")
    waves = {a.wave_number for a in allocation.allocations}
    if wave_number not in waves:
        raise InvalidInput(f"wave {wave_number} is not in the allocation (waves: {_listing(sorted(waves))})")
    capacity = next((a.capacity_hours for a in allocation.allocations if a.role == role), None)
    if capacity is None:
        roles = sorted({a.role for a in allocation.allocations})
        raise InvalidInput(f"no resource pool for role {role!r} (roles: {', '.join(roles)})")
    updated = allocation.model_copy(deep=True)
    manual = Allocation(
        wave_number=wave_number,
        role=role,
        hours=_hours(hours),
        capacity_hours=capacity,
        utilisation_pct=utilisation_pct(hours, capacity),
        over_allocated=hours > capacity,
        source=AllocationSource.MANUAL,
        confidence=1.0,
        reason=reason.strip(),
    )
    rows = [a for a in updated.allocations if (a.wave_number, a.role) != (wave_number, role)] + [manual]
    updated.allocations = sorted(rows, key=_row_order(allocation))
    updated.total_hours = _hours(sum(a.hours for a in updated.allocations))
    kept = [w for w in updated.warnings if OVER_ALLOCATION_WARNING not in w]
    updated.warnings = kept + over_allocation_warnings(updated.allocations)
    return updated


@cache
def role_shares(strategy: SixR, complexity: int) -> dict[str, float]:
    """Share of effort per role for a strategy and complexity (ROLE_SPLIT plus the complexity shift)."""
    base = ROLE_SPLIT[strategy]
    shift = COMPLEXITY_SHIFT_PER_LEVEL * (complexity - REFERENCE_COMPLEXITY)
    shifted = {r: max(0.0, s + shift) for r, s in base.items() if r in COMPLEXITY_SHIFT_ROLES and s > 0}
    shifted_total = min(sum(shifted.values()), 1.0)
    rest = {r: s for r, s in base.items() if r not in shifted}
    rest_total = sum(rest.values())
    if rest_total == 0:
        return {r: s / shifted_total for r, s in shifted.items()} if shifted_total else dict(base)
    scale = (1.0 - shifted_total) / rest_total
    shares = {r: s * scale for r, s in rest.items()} | shifted
    return {r: shares[r] for r in base}


def split_effort(assignment: WaveAssignment) -> dict[str, float]:
    """An application's effort in hours per role, adding up exactly to its effort (to 0.01 h)."""
    return {role: c / 100 for role, c in split_effort_cents(assignment).items()}


def split_effort_cents(assignment: WaveAssignment) -> dict[str, int]:
    """An application's effort in hundredths of an hour per role (largest remainder, exact total)."""
    total = round(assignment.effort_hours * 100)
    shares = role_shares(assignment.six_r_strategy, assignment.complexity)
    exact = [(role, round(share * total, 6)) for role, share in shares.items()]
    cents = {role: int(value) for role, value in exact}
    leftover = total - sum(cents.values())
    if leftover:
        by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i][1] - int(exact[i][1])), i))
        for i in by_remainder[:leftover]:
            cents[exact[i][0]] += 1
    return {role: c for role, c in cents.items() if c > 0}


def wave_capacity_hours(pool: ResourcePool, config: PlanningConfig) -> float:
    """A pool's hours in one wave: headcount x weekly hours x wave duration limit / 7."""
    return _hours(pool.headcount * pool.capacity_hours_per_week * config.wave_duration_limit_days / 7)


def utilisation_pct(hours: float, capacity: float) -> float:
    """Hours as a percentage of capacity, one decimal; a pool with no capacity but hours is flagged."""
    if capacity <= 0:
        return 0.0 if hours <= 0 else NO_CAPACITY_UTILISATION_PCT
    return round(hours / capacity * 100, 1)


def find_skill_gaps(portfolio: Portfolio, wave_plan: WavePlan, pools: list[ResourcePool]) -> list[SkillGap]:
    """Skills that planned applications need and no pool has, most-needed first."""
    apps = portfolio.by_id()
    have = {skill for pool in pools for skill in pool.skills}
    needing: dict[str, list[Application]] = defaultdict(list)
    first_wave: dict[str, int] = {}
    for wave in sorted(wave_plan.waves, key=lambda w: w.wave_number):
        for assignment in wave.applications:
            app = _application_of(apps, assignment, wave.wave_number)
            for skill in app.required_skills:
                if skill not in have:
                    needing[skill].append(app)
                    first_wave.setdefault(skill, wave.wave_number)
    gaps = [_skill_gap(skill, needing[skill], first_wave[skill], pools) for skill in needing]
    return sorted(gaps, key=lambda g: (-len(g.application_ids), g.skill))


def over_allocation_warnings(allocations: list[Allocation]) -> list[str]:
    """One warning per over-allocated role and wave."""
    return [
        f"wave {a.wave_number}: {a.role} {OVER_ALLOCATION_WARNING} at {a.utilisation_pct:.1f}% "
        f"({a.hours:,.2f} h of {a.capacity_hours:,.2f} h)"
        for a in allocations
        if a.over_allocated
    ]


@dataclass
class _Cell:
    """Hours of one role in one wave while they are being added up."""

    cents: int = 0
    given_cents: int = 0
    fallback_cents: int = 0
    applications: set[str] = field(default_factory=set)
    from_roles: set[str] = field(default_factory=set)


@dataclass
class _Tally:
    """Adds up application hours into role-and-wave cells."""

    cells: dict[tuple[int, str], _Cell] = field(default_factory=dict)
    application_hours: list[ApplicationRoleHours] = field(default_factory=list)
    roles_routed: set[str] = field(default_factory=set)

    def add_application(
        self, app_id: str, wave: int, cents: dict[str, int], routing: dict[str, str], given: bool
    ) -> None:
        """Book one application's role hours on the pools that do that work (one row per pool)."""
        per_pool: dict[str, int] = {}
        for table_role, amount in cents.items():
            pool_role = routing[table_role]
            per_pool[pool_role] = per_pool.get(pool_role, 0) + amount
            cell = self.cells.setdefault((wave, pool_role), _Cell())
            cell.cents += amount
            cell.given_cents += amount if given else 0
            cell.applications.add(app_id)
            if pool_role != table_role:
                cell.fallback_cents += amount
                cell.from_roles.add(table_role)
                self.roles_routed.add(table_role)
        self.application_hours.extend(
            # trusted values built here: skip re-validation (tens of thousands of rows on big portfolios)
            ApplicationRoleHours.model_construct(
                application_id=app_id, wave_number=wave, role=role, hours=c / 100
            )
            for role, c in per_pool.items()
        )


def _route_roles(pools: list[ResourcePool]) -> tuple[dict[str, str], dict[str, str]]:
    """For every table role, the pool role that does its work, and a warning per missing role."""
    have = [p.role for p in pools]
    biggest = max(pools, key=lambda p: (p.weekly_capacity_hours, -have.index(p.role))).role
    roles = {role for split in ROLE_SPLIT.values() for role in split}
    routing: dict[str, str] = {}
    warnings: dict[str, str] = {}
    for role in sorted(roles):
        if role in have:
            routing[role] = role
            continue
        target = next((r for r in ROLE_FALLBACK.get(role, ()) if r in have), biggest)
        routing[role] = target
        warnings[role] = f"no pool for role {role}: its hours go to the {target} pool"
    return routing, warnings


def _allocation(tally: _Tally, wave: int, role: str, capacity: float) -> Allocation:
    """The allocation row of one role in one wave."""
    cell = tally.cells.get((wave, role), _Cell())
    hours = cell.cents / 100
    return Allocation(
        wave_number=wave,
        role=role,
        hours=hours,
        capacity_hours=capacity,
        utilisation_pct=utilisation_pct(hours, capacity),
        over_allocated=hours > capacity,
        source=AllocationSource.SUGGESTED,
        confidence=_confidence(cell),
        reason=_reason(cell, role),
    )


def _confidence(cell: _Cell) -> float:
    """Higher when the analyst gave the effort, lower when hours were routed from another role."""
    if cell.cents == 0:
        return round(BASE_CONFIDENCE + GIVEN_EFFORT_CONFIDENCE_BONUS, 2)
    value = BASE_CONFIDENCE + GIVEN_EFFORT_CONFIDENCE_BONUS * cell.given_cents / cell.cents
    if cell.fallback_cents:
        value -= FALLBACK_CONFIDENCE_PENALTY
    return round(value, 2)


def _reason(cell: _Cell, role: str) -> str:
    """Why the row has its hours, in one sentence."""
    if cell.cents == 0:
        return f"no {role} work in this wave"
    count = len(cell.applications)
    given = round(100 * cell.given_cents / cell.cents)
    text = (
        f"{role} share of {count} application{'s' if count != 1 else ''} by 6R strategy and complexity; "
        f"{given}% of the hours from effort given by the analyst"
    )
    if cell.fallback_cents:
        text += f"; includes {cell.fallback_cents / 100:,.2f} h of {', '.join(sorted(cell.from_roles))} work (no pool)"
    return text


def _skill_gap(skill: str, apps: list[Application], wave: int, pools: list[ResourcePool]) -> SkillGap:
    """A skill gap with its recommendation (hire, train or contract) and severity."""
    ids = sorted(a.application_id for a in apps)
    count = len(ids)
    critical = any(a.business_criticality == Criticality.CRITICAL for a in apps)
    high = any(a.business_criticality == Criticality.HIGH for a in apps)
    needs = f"{count} application{'s' if count != 1 else ''} need{'s' if count == 1 else ''} {skill}"
    related = _related_pool(skill, pools)
    if count >= HIRE_MIN_APPLICATIONS or critical:
        why = (
            "a critical application depends on it" if critical and count < HIRE_MIN_APPLICATIONS else "demand"
        )
        article = "an" if skill[:1] in "aeiou" else "a"
        text = f"hire: {needs} ({why}); recruit or second {article} {skill} specialist before wave {wave}"
    elif related is not None:
        pool, known = related
        text = (
            f"train: {needs}; the {pool} pool knows {known}, a related skill; train them before wave {wave}"
        )
    else:
        article = "an" if skill[:1] in "aeiou" else "a"
        text = f"contract: {needs}; bring in {article} {skill} contractor for wave {wave}"
    if critical or count >= HIGH_SEVERITY_APPLICATIONS:
        severity = "high"
    elif high or count >= 2:
        severity = "medium"
    else:
        severity = "low"
    return SkillGap(skill=skill, application_ids=ids, recommendation=text, severity=severity)


def _related_pool(skill: str, pools: list[ResourcePool]) -> tuple[str, str] | None:
    """The first pool (config order) with a skill related to ``skill``, and that skill."""
    words = set(skill.replace("-", " ").split())
    for pool in pools:
        for known in pool.skills:
            if known in RELATED_SKILLS.get(skill, frozenset()) or words & set(
                known.replace("-", " ").split()
            ):
                return pool.role, known
    return None


def _application_of(apps: dict[str, Application], assignment: WaveAssignment, wave: int) -> Application:
    """The portfolio's application behind a wave assignment."""
    app = apps.get(assignment.application_id)
    if app is None:
        raise InvalidInput(
            f"wave {wave} names application {assignment.application_id!r}, which is not in the portfolio; "
            "re-run wave planning"
        )
    return app


def _row_order(allocation: ResourceAllocation) -> Callable[[Allocation], tuple[int, int]]:
    """Sort key that keeps the allocation's wave-then-pool order."""
    roles: list[str] = []
    for a in allocation.allocations:
        if a.role not in roles:
            roles.append(a.role)
    return lambda a: (a.wave_number, roles.index(a.role))


def _hours(value: float) -> float:
    """Hours to the hundredth."""
    return round(value + 0.0, 2)


def _listing(values: list[int]) -> str:
    """A short comma list."""
    return ", ".join(str(v) for v in values) or "none"
