"""Deterministic demo portfolios: realistic application estates for the wizard, tests and benchmarks.

Everything is drawn from ``random.Random(seed)``; nothing reads the clock, so the same ``apps``,
``seed`` and ``dependencies`` always give the identical portfolio.

What a generated portfolio looks like (documented, and checked by tests/engines/test_demo.py):

- ids ``APP-00001``...; names are a business-unit word + a qualifier + a system noun, unique
  (a number is appended on the rare collision).
- 6R mix by exact quota (largest remainder, then shuffled): rehost 40 %, replatform 20 %,
  refactor 10 %, repurchase 8 %, relocate 7 %, retire 8 %, retain 7 %.
- complexity 1-10 from a triangular distribution peaking at 5 (skewed to the middle);
  criticality low 25 %, medium 40 %, high 25 %, critical 10 %.
- effort_hours blank for about 80 % of applications (the effort model derives it) and given for the
  rest (the model's figure times 0.7-1.5, whole hours).
- skills mostly from the default pools (see ``domain.default_resource_pools``); about 3 % of
  applications need a rare skill (mainframe, cobol, sap basis, ...) that creates a skill gap.
- about 3 % of applications are shared databases; each ``precedes`` its consumers.
- clusters of 2-4 applications of one business unit joined by ``move_together`` (a chain).
- dependencies only between migrated applications (retire/retain never take part), unique per pair.
  ``precedes`` always runs from a lower to a higher rank of a random order in which cluster members
  share one rank, so there is no precedence cycle, not even through a cluster.
- ``dependencies`` defaults to 1.5 x apps (capped at what the migrated applications can hold).
- no pinned waves.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from planning_core.domain import (
    Application,
    BlackoutWindow,
    Criticality,
    Dependency,
    DependencyType,
    PlanningConfig,
    Portfolio,
    SixR,
    derived_effort_hours,
)
from planning_core.errors import InvalidInput

T = TypeVar("T")

MAX_APPS = 100_000

SIX_R_MIX: dict[SixR, float] = {
    SixR.REHOST: 0.40,
    SixR.REPLATFORM: 0.20,
    SixR.REFACTOR: 0.10,
    SixR.REPURCHASE: 0.08,
    SixR.RELOCATE: 0.07,
    SixR.RETIRE: 0.08,
    SixR.RETAIN: 0.07,
}

CRITICALITY_MIX: dict[Criticality, float] = {
    Criticality.LOW: 0.25,
    Criticality.MEDIUM: 0.40,
    Criticality.HIGH: 0.25,
    Criticality.CRITICAL: 0.10,
}

BUSINESS_UNITS: tuple[str, ...] = (
    "Finance",
    "Human Resources",
    "Supply Chain",
    "Sales",
    "Marketing",
    "Manufacturing",
    "Customer Service",
    "Legal",
    "Research",
    "Logistics",
    "Procurement",
    "Corporate IT",
)

QUALIFIERS: tuple[str, ...] = (
    "Global",
    "Regional",
    "Core",
    "Online",
    "Legacy",
    "Mobile",
    "Partner",
    "Internal",
    "Enterprise",
    "Retail",
    "Wholesale",
    "Group",
)

SYSTEM_NOUNS: tuple[str, ...] = (
    "Ledger",
    "Payroll",
    "Portal",
    "Gateway",
    "Billing Engine",
    "CRM",
    "Data Warehouse",
    "Reporting Service",
    "Order Management",
    "Inventory Tracker",
    "Document Archive",
    "Identity Service",
    "Scheduler",
    "Pricing Engine",
    "Claims System",
    "Case Manager",
    "Analytics Hub",
    "Integration Bus",
    "Workflow Engine",
    "Contract Registry",
    "Forecasting Tool",
    "Intranet",
    "Ticketing System",
    "Expense Tracker",
)

ENVIRONMENT_MIX: dict[str, float] = {"production": 0.70, "staging": 0.10, "test": 0.10, "development": 0.10}

# Skills the default pools cover, by strategy: each application draws from its strategy's list.
COMMON_SKILLS: dict[SixR, tuple[str, ...]] = {
    SixR.REHOST: ("rehost", "vmware", "linux", "windows", "networking"),
    SixR.REPLATFORM: ("containers", "postgresql", "sql server", "aws", "azure", "linux"),
    SixR.REFACTOR: ("java", ".net", "python", "containers", "architecture", "automation"),
    SixR.REPURCHASE: ("data migration", "testing", "security"),
    SixR.RELOCATE: ("vmware", "networking"),
    SixR.RETIRE: ("data migration",),
    SixR.RETAIN: ("governance",),
}
DATABASE_SKILLS: tuple[str, ...] = ("oracle", "sql server", "postgresql", "mysql")
# Skills no default pool has: each one becomes a skill gap when an application needs it.
RARE_SKILLS: tuple[str, ...] = ("mainframe", "cobol", "sap basis", "ibm mq", "as400")
RARE_SKILL_SHARE = 0.03
SHARED_DATABASE_SHARE = 0.03
CLUSTERED_SHARE = 0.10
GIVEN_EFFORT_SHARE = 0.20
DEFAULT_DEPENDENCY_RATIO = 1.5


def generate_portfolio(*, apps: int, seed: int, dependencies: int | None = None) -> Portfolio:
    """A realistic, deterministic demo portfolio of ``apps`` applications (see the module docstring)."""
    if not 1 <= apps <= MAX_APPS:
        raise InvalidInput(f"a demo portfolio needs between 1 and {MAX_APPS:,} applications, not {apps}")
    if dependencies is not None and dependencies < 0:
        raise InvalidInput(f"the number of dependencies cannot be negative ({dependencies})")
    rng = random.Random(seed)
    strategies = _quota_sequence(rng, SIX_R_MIX, apps)
    database_flags = _shared_database_flags(rng, strategies)
    applications = [
        _application(rng, index, strategy, database_flags[index]) for index, strategy in enumerate(strategies)
    ]
    _make_names_unique(applications)
    migrated = [i for i, s in enumerate(strategies) if s not in (SixR.RETIRE, SixR.RETAIN)]
    clusters = _clusters(rng, applications, migrated)
    wanted = round(DEFAULT_DEPENDENCY_RATIO * apps) if dependencies is None else dependencies
    rank = _acyclic_ranks(rng, migrated, clusters, database_flags)
    capacity = _pair_capacity(rank, migrated)
    if wanted > capacity:
        if dependencies is not None:
            raise InvalidInput(
                f"{wanted:,} dependencies do not fit: {len(migrated):,} migrated applications hold at most "
                f"{capacity:,} (one per pair)"
            )
        wanted = capacity
    edges = _Edges(rng=rng, ids=[app.application_id for app in applications], rank=rank, wanted=wanted)
    edges.add_clusters(clusters)
    edges.add_database_fanouts(migrated, database_flags)
    edges.add_random_precedes(applications, migrated)
    return Portfolio(applications=applications, dependencies=edges.result)


def demo_planning_config(*, today: date) -> PlanningConfig:
    """Default config for a demo plan: starts the Monday two weeks after ``today``; a year-end freeze."""
    start = today + timedelta(days=14 + (7 - today.weekday()) % 7)
    freezes = [
        BlackoutWindow(start=date(year, 12, 20), end=date(year + 1, 1, 3), reason="year-end change freeze")
        for year in range(start.year - 1, start.year + 3)
    ]
    return PlanningConfig(migration_start_date=start, blackout_windows=freezes)


def _quota_sequence(rng: random.Random, mix: dict[T, float], count: int) -> list[T]:
    """``count`` values in the exact proportions of ``mix`` (largest remainder), shuffled."""
    raw = {key: share * count for key, share in mix.items()}
    counts = {key: int(value) for key, value in raw.items()}
    leftover = count - sum(counts.values())
    by_remainder = sorted(mix, key=lambda key: (-(raw[key] - counts[key]), list(mix).index(key)))
    for key in by_remainder[:leftover]:
        counts[key] += 1
    values = [key for key in mix for _ in range(counts[key])]
    rng.shuffle(values)
    return values


def _shared_database_flags(rng: random.Random, strategies: list[SixR]) -> list[bool]:
    """Mark about 3 % of rehost/replatform applications (at least one if any) as shared databases."""
    candidates = [i for i, s in enumerate(strategies) if s in (SixR.REHOST, SixR.REPLATFORM)]
    count = min(len(candidates), max(1, round(SHARED_DATABASE_SHARE * len(strategies)))) if candidates else 0
    chosen = set(rng.sample(candidates, count))
    return [i in chosen for i in range(len(strategies))]


def _weighted(rng: random.Random, mix: dict[T, float]) -> T:
    """One value drawn with the weights of ``mix``."""
    return rng.choices(list(mix), weights=list(mix.values()))[0]


def _application(rng: random.Random, index: int, strategy: SixR, is_database: bool) -> Application:
    """One application with fields drawn for its strategy."""
    unit = rng.choice(BUSINESS_UNITS)
    complexity = min(10, max(1, round(rng.triangular(1, 10, 5))))
    servers = 1 + min(int(rng.expovariate(0.5)), 39)
    skills = rng.sample(COMMON_SKILLS[strategy], k=min(2, len(COMMON_SKILLS[strategy])))
    if is_database:
        noun = "Shared Database"
        skills = [rng.choice(DATABASE_SKILLS), "data migration"]
        servers += 1
    else:
        noun = rng.choice(SYSTEM_NOUNS)
    if rng.random() < RARE_SKILL_SHARE:
        skills.append(rng.choice(RARE_SKILLS))
    effort: float | None = None
    if rng.random() < GIVEN_EFFORT_SHARE and strategy != SixR.RETAIN:
        effort = float(round(derived_effort_hours(strategy, complexity, servers) * rng.uniform(0.7, 1.5)))
    return Application(
        application_id=f"APP-{index + 1:05d}",
        name=f"{unit} {rng.choice(QUALIFIERS)} {noun}",
        business_unit=unit,
        environment=_weighted(rng, ENVIRONMENT_MIX),
        six_r_strategy=strategy,
        complexity=complexity,
        business_criticality=_weighted(rng, CRITICALITY_MIX),
        effort_hours=effort,
        server_count=servers,
        data_size_gb=round(min(rng.lognormvariate(4.0, 1.5), 50_000.0), 1),
        required_skills=skills,
        description="Database shared by several applications" if is_database else "",
    )


def _make_names_unique(applications: list[Application]) -> None:
    """Append a number to repeated names (second occurrence gets ' 2', and so on)."""
    seen: dict[str, int] = {}
    taken = {app.name for app in applications}
    for app in applications:
        base = app.name
        if base not in seen:
            seen[base] = 1
            continue
        number = seen[base]
        candidate = base
        while candidate in taken:
            number += 1
            candidate = f"{base} {number}"
        seen[base] = number
        taken.add(candidate)
        app.name = candidate


def _clusters(rng: random.Random, applications: list[Application], migrated: list[int]) -> list[list[int]]:
    """Groups of 2-4 migrated, non-database applications of one business unit that move together."""
    by_unit: dict[str, list[int]] = {}
    for i in migrated:
        if applications[i].description == "":
            by_unit.setdefault(applications[i].business_unit, []).append(i)
    budget = round(CLUSTERED_SHARE * len(migrated))
    clusters: list[list[int]] = []
    for unit in sorted(by_unit):
        pool = by_unit[unit]
        rng.shuffle(pool)
        quota = round(budget * len(pool) / max(len(migrated), 1))
        position = 0
        while quota >= 2 and position + 2 <= len(pool):
            size = min(rng.randint(2, 4), quota, len(pool) - position)
            if size < 2:
                break
            clusters.append(sorted(pool[position : position + size]))
            position += size
            quota -= size
    return clusters


def _acyclic_ranks(
    rng: random.Random, migrated: list[int], clusters: list[list[int]], database_flags: list[bool]
) -> dict[int, int]:
    """A random topological rank per migrated application: databases first, clusters share a rank."""
    units: list[list[int]] = [list(c) for c in clusters]
    clustered = {i for c in clusters for i in c}
    units += [[i] for i in migrated if i not in clustered]
    rng.shuffle(units)
    units.sort(key=lambda unit: not database_flags[unit[0]])
    return {i: position for position, unit in enumerate(units) for i in unit}


def _pair_capacity(rank: dict[int, int], migrated: list[int]) -> int:
    """How many unique dependencies the migrated applications hold: pairs of distinct ranks + chains."""
    sizes: dict[int, int] = {}
    for i in migrated:
        sizes[rank[i]] = sizes.get(rank[i], 0) + 1
    total = len(migrated)
    cross = (total * total - sum(s * s for s in sizes.values())) // 2
    return cross + sum(s - 1 for s in sizes.values())


@dataclass
class _Edges:
    """The dependencies being drawn: unique per unordered pair, precedes from lower to higher rank."""

    rng: random.Random
    ids: list[str]
    rank: dict[int, int]
    wanted: int
    pairs: set[tuple[int, int]] = field(default_factory=set)
    result: list[Dependency] = field(default_factory=list)

    def add(self, source: int, target: int, kind: DependencyType, weight: int) -> None:
        """Record one dependency between two application indexes."""
        self.pairs.add((source, target))
        self.pairs.add((target, source))
        self.result.append(
            # trusted: distinct known ids and a positive weight; Portfolio() below checks the ids again
            Dependency.model_construct(
                source_application_id=self.ids[source],
                target_application_id=self.ids[target],
                dependency_type=kind,
                weight=float(weight),
            )
        )

    def add_clusters(self, clusters: list[list[int]]) -> None:
        """Chain each cluster with move_together links (weight 3-10: tightly coupled)."""
        for cluster in clusters:
            for a, b in zip(cluster, cluster[1:], strict=False):
                if len(self.result) < self.wanted:
                    self.add(a, b, DependencyType.MOVE_TOGETHER, self.rng.randint(3, 10))

    def add_database_fanouts(self, migrated: list[int], database_flags: list[bool]) -> None:
        """Each shared database precedes 5-25 consumers (about a third of all dependencies in total)."""
        databases = [i for i in migrated if database_flags[i]]
        budget = min(self.wanted, len(self.result) + self.wanted // 3)
        if not databases or budget <= len(self.result):
            return
        per_database = max(1, (budget - len(self.result)) // len(databases))
        by_rank = sorted(migrated, key=self.rank.__getitem__)
        ranks = [self.rank[i] for i in by_rank]
        for db in databases:
            first = bisect_right(ranks, self.rank[db])
            count = min(len(by_rank) - first, self.rng.randint(5, 25), per_database)
            for position in self.rng.sample(range(first, len(by_rank)), count):
                consumer = by_rank[position]
                if len(self.result) >= budget:
                    return
                if (db, consumer) not in self.pairs:
                    self.add(db, consumer, DependencyType.PRECEDES, self.rng.randint(2, 8))

    def add_random_precedes(self, applications: list[Application], migrated: list[int]) -> None:
        """Fill up with precedes between random pairs (70 % inside one business unit)."""
        missing = self.wanted - len(self.result)
        if missing <= 0:
            return
        free = len(migrated) * (len(migrated) - 1) // 2 - len(self.pairs) // 2
        if missing * 3 > free:
            self._fill_by_enumeration(migrated)
            return
        by_unit: dict[str, list[int]] = {}
        for i in migrated:
            by_unit.setdefault(applications[i].business_unit, []).append(i)
        while len(self.result) < self.wanted:
            a = self.rng.choice(migrated)
            same_unit = by_unit[applications[a].business_unit]
            inside = self.rng.random() < 0.7 and len(same_unit) > 1
            b = self.rng.choice(same_unit) if inside else self.rng.choice(migrated)
            if self.rank[a] == self.rank[b] or (a, b) in self.pairs:
                continue
            source, target = (a, b) if self.rank[a] < self.rank[b] else (b, a)
            self.add(source, target, DependencyType.PRECEDES, self.rng.randint(1, 5))

    def _fill_by_enumeration(self, migrated: list[int]) -> None:
        """Dense case: list every free pair of distinct ranks and draw from them."""
        free = [
            (a, b) if self.rank[a] < self.rank[b] else (b, a)
            for x, a in enumerate(migrated)
            for b in migrated[x + 1 :]
            if self.rank[a] != self.rank[b] and (a, b) not in self.pairs
        ]
        for source, target in self.rng.sample(free, min(len(free), self.wanted - len(self.result))):
            self.add(source, target, DependencyType.PRECEDES, self.rng.randint(1, 5))
