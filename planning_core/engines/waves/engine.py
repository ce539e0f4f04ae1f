"""Wave planning engine: applications into waves, fewest waves first, with a stated lower bound.

Steps: contract apps into units (move-together groups, precedes cycles, oversized groups split at
their weakest cut); compute lower bounds; build a warm start with the SALBP priority rules; search
for fewer waves (exact search under the time limit); try a low-risk pilot as wave 1 within that
wave count; improve cut weight, risk order and balance locally; explain every assignment.
"""

from __future__ import annotations

import time

from planning_core.domain import Application, PlanningConfig, Portfolio
from planning_core.engines.waves.bounds import best_bound, ceil_div, unit_bounds
from planning_core.engines.waves.constraints import cut_weight, validate_wave_plan
from planning_core.engines.waves.exact import exact_search
from planning_core.engines.waves.greedy import best_greedy
from planning_core.engines.waves.improve import improve
from planning_core.engines.waves.models import (
    NotMigrated,
    Source,
    Wave,
    WaveAssignment,
    WavePlan,
    WavePlanSummary,
)
from planning_core.engines.waves.pins import pin_fingerprint
from planning_core.engines.waves.units import WaveProblem, build_problem
from planning_core.errors import InvalidInput

PILOT_NAME = "Pilot"
SEARCH_SHARE = 0.93  # share of the time limit for the search for fewer waves
IMPROVE_SECONDS = 2.0  # local improvement of cut, risk order and balance: at most this long


def plan_waves(
    portfolio: Portfolio,
    config: PlanningConfig,
    *,
    locked_waves: list[Wave] | None = None,
    time_limit_s: float | None = None,
) -> WavePlan:
    """Plan the migrated applications into the fewest valid waves, with bounds and rationale."""
    started = time.perf_counter()
    limit = config.solver_time_limit_seconds if time_limit_s is None else max(float(time_limit_s), 0.0)
    deadline = started + limit * SEARCH_SHARE  # the rest is for the pilot, polishing and the document
    locked = sorted(locked_waves or [], key=lambda w: w.wave_number)
    fixed = _fixed_waves(portfolio, locked)
    closed = {w.wave_number for w in locked}
    problem = build_problem(portfolio, config, fixed=fixed, closed_waves=closed)
    bounds = unit_bounds(problem)
    lower, kind = best_bound(bounds)
    wave, method, status = _solve(problem, config, lower=lower, deadline=deadline)
    waves = max(wave, default=0)
    if status == "optimal" and waves > lower:
        bounds["exact_search"] = waves  # the search proved that fewer waves cannot work
        lower, kind = waves, "exact_search"

    warnings = list(problem.warnings)
    pilot_plan, pilot_proved = _pilot(problem, config, wave, waves, deadline, warnings)
    if pilot_plan is not None:
        wave = pilot_plan
        waves = max(wave)
        if pilot_proved and waves > lower:
            bounds["with_pilot"] = waves  # the required pilot wave provably costs one wave
            lower, kind = waves, "with_pilot"
    polished = improve(
        problem,
        wave,
        waves=waves,
        pilot_apps=config.pilot_max_apps if pilot_plan is not None else 0,
        deadline=time.perf_counter() + max(min(started + limit - time.perf_counter(), IMPROVE_SECONDS), 0.05),
    )
    plan = _build_plan(
        portfolio, config, problem, polished, locked, pilot=pilot_plan is not None, optimal=waves <= lower
    )
    plan.lower_bounds = bounds
    plan.lower_bound = lower
    plan.lower_bound_kind = kind
    plan.gap = max(len(plan.waves) - lower, 0)
    plan.warnings = warnings
    plan.violations = validate_wave_plan(plan, portfolio, config)
    plan.summary.cut_weight = cut_weight(plan, portfolio)
    plan.solver = {
        "method": method,
        "status": "optimal" if len(plan.waves) <= lower else status,
        "seconds": round(time.perf_counter() - started, 3),
        "units": problem.n,
        "time_limit_seconds": limit,
        "random_seed": config.random_seed,
        "pins": pin_fingerprint(fixed),
    }
    return plan


def _fixed_waves(portfolio: Portfolio, locked: list[Wave]) -> dict[str, int]:
    """Application id -> wave it must stay in (pinned apps, apps in locked waves)."""
    apps = portfolio.by_id()
    fixed = {
        a.application_id: a.pinned_wave
        for a in portfolio.applications
        if a.pinned_wave is not None and a.migrated
    }
    seen: dict[str, int] = {}
    for w in locked:
        for a in w.applications:
            app = apps.get(a.application_id)
            if app is None:
                raise InvalidInput(
                    f"Locked wave {w.wave_number} holds {a.application_id}, which is not in the portfolio."
                )
            if not app.migrated:
                raise InvalidInput(
                    f"Locked wave {w.wave_number} holds {a.application_id}, which is to {app.six_r_strategy.value} and gets no wave."
                )
            if a.application_id in seen:
                raise InvalidInput(
                    f"{a.application_id} is in locked waves {seen[a.application_id]} and {w.wave_number}; it can be in only one."
                )
            seen[a.application_id] = w.wave_number
            fixed[a.application_id] = w.wave_number
    return fixed


def _solve(
    problem: WaveProblem, config: PlanningConfig, *, lower: int, deadline: float
) -> tuple[list[int], str, str]:
    """Fewest waves: the best priority rule, then exact search while above the lower bound."""
    greedy = best_greedy(problem, seed=config.random_seed, restarts=4 if problem.n <= 2000 else 0)
    if greedy is None:
        raise InvalidInput("The waves could not be planned: the pinned and locked waves leave no room.")
    wave, rule = greedy
    method = f"greedy:{rule}"
    if max(wave, default=0) <= lower:
        return wave, method, "optimal"
    better, status = exact_search(problem, wave, lower=lower, deadline=deadline, seed=config.random_seed)
    if better is not None and max(better) < max(wave):
        return better, f"{method}+exact", status
    return wave, method + "+exact" if status == "optimal" else method, status


def _pilot(
    problem: WaveProblem,
    config: PlanningConfig,
    wave: list[int],
    waves: int,
    deadline: float,
    warnings: list[str],
) -> tuple[list[int] | None, bool]:
    """A low-risk pilot as wave 1: within the fewest waves when possible, else one wave more.

    Returns the plan (None when no pilot is possible) and whether one more wave is proved necessary.
    """
    if not config.pilot_wave or problem.n == 0 or 1 in problem.closed_waves:
        return None, False
    if any(u.fixed == 1 and not u.pilot_ok for u in problem.units):
        warnings.append("No pilot wave: applications pinned to wave 1 are not low-risk.")
        return None, False
    if not any(u.pilot_ok and not problem.pred[i] for i, u in enumerate(problem.units)):
        warnings.append(
            "No pilot wave: no application without predecessors is low-risk enough "
            "(low or medium criticality, complexity 5 or less)."
        )
        return None, False
    apps_total = sum(problem.apps_weight(u) for u in range(problem.n))
    pilot_lb = 1 + ceil_div(max(apps_total - config.pilot_max_apps, 0), problem.max_apps)
    proved = pilot_lb > waves
    if not proved:
        found = best_greedy(problem, seed=config.random_seed, pilot_apps=config.pilot_max_apps, restarts=2)
        if found is not None and max(found[0]) <= waves:
            return found[0], False
        exact, status = exact_search(
            problem,
            None,
            lower=waves,
            deadline=min(deadline, time.perf_counter() + 2.0),
            seed=config.random_seed,
            pilot_apps=config.pilot_max_apps,
            waves=waves,
        )
        if exact is not None:
            return exact, False
        proved = status == "optimal"
    shifted = _pilot_in_front(problem, config, wave)
    if shifted is None:
        warnings.append(
            f"No pilot wave: a pilot of at most {config.pilot_max_apps} low-risk applications does not fit "
            f"the {waves} waves planned around the pinned and locked waves."
        )
        return None, False
    warnings.append(
        f"The pilot wave adds one wave to the {waves} that the applications need without a pilot "
        "(switch the pilot off in the planning settings to save it)."
    )
    return shifted, proved


def _pilot_in_front(problem: WaveProblem, config: PlanningConfig, wave: list[int]) -> list[int] | None:
    """A new first wave of low-risk units without predecessors; every other wave moves back by one."""
    if any(u.fixed is not None for u in problem.units) or problem.closed_waves:
        return None
    candidates = sorted(
        (u for u in range(problem.n) if problem.units[u].pilot_ok and not problem.pred[u]),
        key=lambda u: (problem.units[u].risk, problem.units[u].effort, u),
    )
    chosen: list[int] = []
    apps = 0
    effort = 0.0
    for u in candidates:
        unit = problem.units[u]
        if (
            apps + unit.count <= config.pilot_max_apps
            and effort + problem.weight(u) <= problem.capacity + 1e-6
        ):
            chosen.append(u)
            apps += unit.count
            effort += problem.weight(u)
    if not chosen:
        return None
    picked = set(chosen)
    return [1 if u in picked else wave[u] + 1 for u in range(problem.n)]


def _build_plan(
    portfolio: Portfolio,
    config: PlanningConfig,
    problem: WaveProblem,
    wave: list[int],
    locked: list[Wave],
    *,
    pilot: bool,
    optimal: bool,
) -> WavePlan:
    apps = portfolio.by_id()
    locked_by_number = {w.wave_number: w for w in locked}
    app_wave = {app_id: wave[u] for app_id, u in problem.unit_of.items()}
    total = max([*wave, *locked_by_number], default=0)
    members: dict[int, list[str]] = {k: [] for k in range(1, total + 1)}
    for a in portfolio.applications:
        if a.application_id in app_wave:
            members[app_wave[a.application_id]].append(a.application_id)
    explain = _Explainer(portfolio, problem, app_wave, pilot=pilot, optimal=optimal)
    waves: list[Wave] = []
    for k in range(1, total + 1):
        if k in locked_by_number:
            waves.append(locked_by_number[k].model_copy(deep=True))
            continue
        waves.append(
            Wave(
                wave_number=k,
                name=PILOT_NAME if pilot and k == 1 else f"Wave {k}",
                applications=[explain.assignment(apps[i], k) for i in members[k]],
                is_pilot=pilot and k == 1,
            )
        )
    not_migrated = [
        NotMigrated(
            application_id=a.application_id,
            name=a.name,
            six_r_strategy=a.six_r_strategy,
            reason=f"Strategy is {a.six_r_strategy.value}: the application is not migrated.",
        )
        for a in portfolio.applications
        if not a.migrated
    ]
    migrated = [a for a in portfolio.applications if a.migrated]
    summary = WavePlanSummary(
        total_waves=len(waves),
        total_applications=len(portfolio.applications),
        migrated_applications=len(migrated),
        not_migrated_applications=len(not_migrated),
        total_effort_hours=round(sum(a.effort for a in migrated), 1),
        effort_capacity_hours=config.wave_effort_capacity_hours,
        max_apps_per_wave=config.max_apps_per_wave,
    )
    return WavePlan(waves=waves, not_migrated=not_migrated, summary=summary)


class _Explainer:
    """Short rationale and confidence per assignment."""

    def __init__(
        self,
        portfolio: Portfolio,
        problem: WaveProblem,
        app_wave: dict[str, int],
        *,
        pilot: bool,
        optimal: bool,
    ) -> None:
        self.problem = problem
        self.app_wave = app_wave
        self.pilot = pilot
        self.optimal = optimal
        self.preds: dict[str, list[str]] = {}
        for dep in portfolio.dependencies:
            if dep.dependency_type.value == "precedes" and dep.source_application_id in app_wave:
                self.preds.setdefault(dep.target_application_id, []).append(dep.source_application_id)

    def assignment(self, app: Application, k: int) -> WaveAssignment:
        unit = self.problem.units[self.problem.unit_of[app.application_id]]
        reasons: list[str] = []
        confidence = 0.9 if self.optimal else 0.75
        if unit.fixed is not None:
            reasons.append(
                f"Pinned to wave {k}."
                if app.pinned_wave == k
                else f"Kept in wave {k} with its group's pinned application."
            )
            confidence = 1.0
        others = [i for i in unit.apps if i != app.application_id]
        if others:
            more = f" and {len(others) - 3} more" if len(others) > 3 else ""
            reasons.append(f"Grouped with {', '.join(others[:3])}{more}.")
        if unit.split_from is not None:
            reasons.append("Part of a group split at its weakest cut (too big for one wave).")
            confidence = min(confidence, 0.6)
        preds = [p for p in self.preds.get(app.application_id, []) if p not in unit.apps]
        if preds:
            latest = max(preds, key=lambda p: (self.app_wave[p], p))
            reasons.append(f"After {latest} (wave {self.app_wave[latest]}) by precedence.")
        if self.pilot and k == 1:
            reasons.append("Pilot pick: low risk (criticality and complexity).")
        earliest = max((self.app_wave[p] for p in preds), default=1)
        if unit.fixed is None and k > earliest and not (self.pilot and k == 1):
            if unit.risk >= 2:
                reasons.append(
                    f"Business criticality {app.business_criticality.value}: planned later, after earlier waves build experience."
                )
            else:
                reasons.append("Earlier waves were full (effort or app limit) or kept balanced.")
        if not reasons:
            reasons.append("Earliest wave its dependencies allow.")
        return WaveAssignment(
            application_id=app.application_id,
            name=app.name,
            six_r_strategy=app.six_r_strategy,
            complexity=app.complexity,
            business_criticality=app.business_criticality,
            effort_hours=app.effort,
            rationale=" ".join(reasons)[:1000],
            confidence=confidence,
            source=Source.OPTIMIZER,
            pinned=app.pinned_wave is not None,
        )
