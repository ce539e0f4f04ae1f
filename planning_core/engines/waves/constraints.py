"""The wave plan's constraints, one named function each, listed in CONSTRAINTS.

Each function takes a PlanContext and returns the Violations it finds: `hard=True` blocks the plan,
`hard=False` is a warning that an analyst should read (for example a group too big for any wave).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from planning_core.domain import Application, DependencyType, PlanningConfig, Portfolio
from planning_core.engines.waves.models import Violation, WavePlan
from planning_core.engines.waves.units import EPS
from planning_core.graph import UnionFind, strongly_connected


@dataclass
class PlanContext:
    """What every constraint needs, computed once per validation."""

    plan: WavePlan
    portfolio: Portfolio
    config: PlanningConfig
    apps: dict[str, Application]
    placements: dict[str, list[int]]
    wave_of: dict[str, int]
    groups: list[list[str]] = field(default_factory=list)
    group_of: dict[str, int] = field(default_factory=dict)
    cycles: list[list[str]] = field(default_factory=list)
    cycle_of: dict[str, int] = field(default_factory=dict)
    locked_wave: dict[str, int] = field(default_factory=dict)

    def fits_one_wave(self, ids: list[str]) -> bool:
        """Whether these applications together fit one wave (effort and app count)."""
        effort = sum(self.apps[i].effort for i in ids)
        return (
            effort <= self.config.wave_effort_capacity_hours + EPS
            and len(ids) <= self.config.max_apps_per_wave
        )

    def pinned_waves(self, ids: list[str]) -> set[int]:
        """Distinct waves the analyst pinned or locked these applications to."""
        return {w for i in ids if (w := self.pin_of(i)) is not None}

    def pin_of(self, app_id: str) -> int | None:
        """The wave an application is pinned to (portfolio pin first, then a lock), if any."""
        app = self.apps.get(app_id)
        if app is not None and app.pinned_wave is not None:
            return app.pinned_wave
        return self.locked_wave.get(app_id)


def build_context(plan: WavePlan, portfolio: Portfolio, config: PlanningConfig) -> PlanContext:
    """Index the plan and the portfolio for the constraint functions."""
    placements: dict[str, list[int]] = defaultdict(list)
    for wave in plan.waves:
        for a in wave.applications:
            placements[a.application_id].append(wave.wave_number)
    apps = portfolio.by_id()
    ctx = PlanContext(
        plan=plan,
        portfolio=portfolio,
        config=config,
        apps=apps,
        placements=dict(placements),
        wave_of={k: v[0] for k, v in placements.items()},
        locked_wave={
            a.application_id: w.wave_number
            for w in plan.waves
            for a in w.applications
            if a.pinned or w.locked
        },
    )
    migrated = [a.application_id for a in portfolio.applications if a.migrated]
    index = {k: i for i, k in enumerate(migrated)}
    uf = UnionFind(len(migrated))
    succ: list[list[int]] = [[] for _ in migrated]
    for dep in portfolio.dependencies:
        s, t = index.get(dep.source_application_id), index.get(dep.target_application_id)
        if s is None or t is None:
            continue
        if dep.dependency_type == DependencyType.MOVE_TOGETHER:
            uf.union(s, t)
        else:
            succ[s].append(t)
    ctx.groups = [[migrated[x] for x in g] for g in uf.groups() if len(g) > 1]
    ctx.group_of = {a: g for g, members in enumerate(ctx.groups) for a in members}
    ctx.cycles = [[migrated[x] for x in c] for c in strongly_connected(succ) if len(c) > 1]
    ctx.cycle_of = {a: c for c, members in enumerate(ctx.cycles) for a in members}
    return ctx


def every_app_placed(ctx: PlanContext) -> list[Violation]:
    """Hard: every migrated application is in a wave, otherwise it would never be migrated."""
    missing = [
        a.application_id
        for a in ctx.portfolio.applications
        if a.migrated and a.application_id not in ctx.placements
    ]
    if not missing:
        return []
    return [
        Violation(
            constraint="missing",
            message=f"{len(missing)} application(s) are in no wave: {', '.join(missing[:10])}",
            application_ids=missing,
        )
    ]


def no_duplicates(ctx: PlanContext) -> list[Violation]:
    """Hard: an application is migrated once, so it sits in exactly one wave."""
    out = []
    for app_id, waves in sorted(ctx.placements.items()):
        if len(waves) > 1:
            listed = ", ".join(str(w) for w in waves)
            out.append(
                Violation(
                    constraint="duplicate",
                    message=f"{app_id} appears more than once (waves {listed}).",
                    application_ids=[app_id],
                    wave_numbers=sorted(set(waves)),
                )
            )
    return out


def known_apps(ctx: PlanContext) -> list[Violation]:
    """Hard: a wave holds only applications of the selected portfolio."""
    unknown = sorted(k for k in ctx.placements if k not in ctx.apps)
    if not unknown:
        return []
    return [
        Violation(
            constraint="unknown",
            message=f"Waves name applications that are not in the portfolio: {', '.join(unknown[:10])}",
            application_ids=unknown,
        )
    ]


def not_migrated_outside_waves(ctx: PlanContext) -> list[Violation]:
    """Hard: retire and retain applications are not migrated, so they get no wave."""
    out = []
    for app_id, waves in sorted(ctx.placements.items()):
        app = ctx.apps.get(app_id)
        if app is not None and not app.migrated:
            out.append(
                Violation(
                    constraint="not_migrated",
                    message=f"{app_id} is to {app.six_r_strategy.value}, so it must not be in a wave.",
                    application_ids=[app_id],
                    wave_numbers=sorted(set(waves)),
                )
            )
    return out


def unique_wave_numbers(ctx: PlanContext) -> list[Violation]:
    """Hard: wave numbers identify waves, so each appears once."""
    numbers = [w.wave_number for w in ctx.plan.waves]
    dupes = sorted({n for n in numbers if numbers.count(n) > 1})
    return [
        Violation(
            constraint="wave_number",
            message=f"Wave number {n} is used by more than one wave.",
            wave_numbers=[n],
        )
        for n in dupes
    ]


def _single_block(ctx: PlanContext, ids: list[str]) -> bool:
    """Whether the applications are one app or one move-together group (alone in their wave)."""
    if len(ids) <= 1:
        return True
    groups = {ctx.group_of.get(i, -1) for i in ids}
    return len(groups) == 1 and -1 not in groups


def max_apps(ctx: PlanContext) -> list[Violation]:
    """Hard: a wave holds at most max_apps_per_wave applications (team attention, cut-over risk)."""
    limit = ctx.config.max_apps_per_wave
    out = []
    for w in ctx.plan.waves:
        ids = [a.application_id for a in w.applications]
        if len(ids) > limit:
            alone = _single_block(ctx, ids)
            out.append(
                Violation(
                    constraint="max_apps",
                    message=f"Wave {w.wave_number} holds {len(ids)} applications, more than the limit of {limit}"
                    + (" (one group that alone exceeds the limit)." if alone else "."),
                    application_ids=ids,
                    wave_numbers=[w.wave_number],
                    hard=not alone,
                )
            )
    return out


def effort_capacity(ctx: PlanContext) -> list[Violation]:
    """Hard: a wave's effort fits its capacity; one app or group alone over it is only a warning."""
    cap = ctx.config.wave_effort_capacity_hours
    out = []
    for w in ctx.plan.waves:
        ids = [a.application_id for a in w.applications if a.application_id in ctx.apps]
        effort = sum(ctx.apps[i].effort for i in ids)
        if effort > cap + EPS:
            alone = _single_block(ctx, ids)
            tail = (
                " (one application or group that alone exceeds it: it has a wave of its own)."
                if alone
                else "."
            )
            out.append(
                Violation(
                    constraint="capacity",
                    message=f"Wave {w.wave_number} needs {effort:,.1f} h, more than its capacity of {cap:,.1f} h"
                    + tail,
                    application_ids=ids,
                    wave_numbers=[w.wave_number],
                    hard=not alone,
                )
            )
    return out


def move_together_whole(ctx: PlanContext) -> list[Violation]:
    """Hard: move-together applications share one wave; a group too big for any wave may split (warning)."""
    out = []
    for members in ctx.groups:
        waves = sorted({ctx.wave_of[a] for a in members if a in ctx.wave_of})
        if len(waves) <= 1:
            continue
        unavoidable = not ctx.fits_one_wave(members) or len(ctx.pinned_waves(members)) > 1
        reason = (
            " (it does not fit one wave, or its applications are pinned to different waves)"
            if unavoidable
            else ""
        )
        out.append(
            Violation(
                constraint="move_together",
                message=f"Move-together group {', '.join(members[:6])} is split across waves {', '.join(map(str, waves))}{reason}.",
                application_ids=members,
                wave_numbers=waves,
                hard=not unavoidable,
            )
        )
    return out


def precedence(ctx: PlanContext) -> list[Violation]:
    """Hard: for `precedes`, the source migrates no later than the target."""
    out = []
    for dep in ctx.portfolio.dependencies:
        if dep.dependency_type != DependencyType.PRECEDES:
            continue
        s, t = dep.source_application_id, dep.target_application_id
        if s not in ctx.wave_of or t not in ctx.wave_of or ctx.wave_of[s] <= ctx.wave_of[t]:
            continue
        cycle = ctx.cycle_of.get(s)
        unavoidable = (
            cycle is not None and cycle == ctx.cycle_of.get(t) and not ctx.fits_one_wave(ctx.cycles[cycle])
        )
        out.append(
            Violation(
                constraint="precedence",
                message=f"{s} must migrate no later than {t}, but is in wave {ctx.wave_of[s]} after wave {ctx.wave_of[t]}.",
                application_ids=[s, t],
                wave_numbers=[ctx.wave_of[s], ctx.wave_of[t]],
                hard=not unavoidable,
            )
        )
    return out


def pinned_wave(ctx: PlanContext) -> list[Violation]:
    """Hard: an application pinned by the analyst stays in its pinned wave."""
    out = []
    for app in ctx.portfolio.applications:
        if app.pinned_wave is None or app.application_id not in ctx.wave_of or not app.migrated:
            continue
        actual = ctx.wave_of[app.application_id]
        if actual != app.pinned_wave:
            out.append(
                Violation(
                    constraint="pinned",
                    message=f"{app.application_id} is pinned to wave {app.pinned_wave} but is in wave {actual}.",
                    application_ids=[app.application_id],
                    wave_numbers=[app.pinned_wave, actual],
                )
            )
    return out


Constraint = Callable[[PlanContext], list[Violation]]

CONSTRAINTS: tuple[Constraint, ...] = (
    every_app_placed,
    no_duplicates,
    known_apps,
    not_migrated_outside_waves,
    unique_wave_numbers,
    max_apps,
    effort_capacity,
    move_together_whole,
    precedence,
    pinned_wave,
)


def validate_wave_plan(plan: WavePlan, portfolio: Portfolio, config: PlanningConfig) -> list[Violation]:
    """Every violation (hard) and warning (hard=False) of the plan against the portfolio and config."""
    ctx = build_context(plan, portfolio, config)
    return [v for check in CONSTRAINTS for v in check(ctx)]


def hard_violations(plan: WavePlan, portfolio: Portfolio, config: PlanningConfig) -> list[Violation]:
    """Only the violations that block the plan."""
    return [v for v in validate_wave_plan(plan, portfolio, config) if v.hard]


def cut_weight(plan: WavePlan, portfolio: Portfolio) -> float:
    """Total weight of move-together dependencies whose applications are in different waves."""
    wave_of = plan.wave_of()
    total = 0.0
    for dep in portfolio.dependencies:
        if dep.dependency_type != DependencyType.MOVE_TOGETHER:
            continue
        s, t = wave_of.get(dep.source_application_id), wave_of.get(dep.target_application_id)
        if s is not None and t is not None and s != t:
            total += dep.weight
    return round(total, 6)
