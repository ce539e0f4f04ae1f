"""Pure edit operations of the wave board: each returns a new, refreshed WavePlan."""

from __future__ import annotations

from datetime import date

from planning_core.domain import PlanningConfig, Portfolio
from planning_core.engines.waves.bounds import best_bound, lower_bounds
from planning_core.engines.waves.constraints import cut_weight, validate_wave_plan
from planning_core.engines.waves.engine import plan_waves
from planning_core.engines.waves.models import Source, Wave, WavePlan, WavePlanSummary
from planning_core.engines.waves.pins import pin_fingerprint, plan_pins, with_pins
from planning_core.errors import InvalidInput


def refresh_plan(plan: WavePlan, portfolio: Portfolio, config: PlanningConfig) -> WavePlan:
    """Recompute summary, violations, lower bounds and gap after a change."""
    new = plan.model_copy(deep=True)
    pins = plan_pins(new, portfolio)
    bounds = lower_bounds(with_pins(portfolio, pins), config)
    proved = plan.lower_bounds.get("exact_search")
    if proved is not None and plan.solver.get("pins") == pin_fingerprint(pins):
        bounds["exact_search"] = proved
    lower, kind = best_bound(bounds)
    migrated = [a for a in portfolio.applications if a.migrated]
    new.summary = WavePlanSummary(
        total_waves=len(new.waves),
        total_applications=len(portfolio.applications),
        migrated_applications=len(migrated),
        not_migrated_applications=len(portfolio.applications) - len(migrated),
        total_effort_hours=round(sum(a.effort for a in migrated), 1),
        effort_capacity_hours=config.wave_effort_capacity_hours,
        max_apps_per_wave=config.max_apps_per_wave,
        cut_weight=cut_weight(new, portfolio),
    )
    new.lower_bounds = bounds
    new.lower_bound = lower
    new.lower_bound_kind = kind
    new.gap = max(len(new.waves) - lower, 0)
    new.violations = validate_wave_plan(new, portfolio, config)
    return new


def _wave(plan: WavePlan, number: int) -> Wave:
    for w in plan.waves:
        if w.wave_number == number:
            return w
    raise InvalidInput(f"There is no wave {number}; the plan has waves 1 to {len(plan.waves)}.")


def _renumber(plan: WavePlan) -> None:
    for k, w in enumerate(plan.waves, start=1):
        if w.name in ("", f"Wave {w.wave_number}"):
            w.name = f"Wave {k}"
        w.wave_number = k


def move_application(
    plan: WavePlan, portfolio: Portfolio, config: PlanningConfig, *, application_id: str, to_wave: int
) -> WavePlan:
    """Move one application to another wave (marked as the analyst's choice)."""
    new = plan.model_copy(deep=True)
    target = _wave(new, to_wave)
    source = next((w for w in new.waves for a in w.applications if a.application_id == application_id), None)
    if source is None:
        raise InvalidInput(f"{application_id} is not in any wave of this plan.")
    assignment = next(a for a in source.applications if a.application_id == application_id)
    if source.wave_number == to_wave:
        return refresh_plan(new, portfolio, config)
    if source.locked or target.locked:
        locked = source if source.locked else target
        raise InvalidInput(f"Wave {locked.wave_number} is locked; unlock it before moving {application_id}.")
    if assignment.pinned:
        raise InvalidInput(
            f"{application_id} is locked in wave {source.wave_number}; unlock it before moving it."
        )
    source.applications = [a for a in source.applications if a.application_id != application_id]
    target.applications.append(
        assignment.model_copy(
            update={
                "source": Source.ANALYST,
                "rationale": f"Moved from wave {source.wave_number} to wave {to_wave} by the analyst.",
                "confidence": 1.0,
            }
        )
    )
    return refresh_plan(new, portfolio, config)


def add_wave(plan: WavePlan, portfolio: Portfolio, config: PlanningConfig, *, name: str = "") -> WavePlan:
    """Append an empty wave at the end."""
    new = plan.model_copy(deep=True)
    number = len(new.waves) + 1
    new.waves.append(Wave(wave_number=number, name=name.strip() or f"Wave {number}"))
    return refresh_plan(new, portfolio, config)


def rename_wave(
    plan: WavePlan, portfolio: Portfolio, config: PlanningConfig, *, wave_number: int, name: str
) -> WavePlan:
    """Give a wave a new name."""
    new = plan.model_copy(deep=True)
    if not name.strip():
        raise InvalidInput("A wave name cannot be blank.")
    if len(name.strip()) > 200:
        raise InvalidInput("A wave name can be at most 200 characters.")
    _wave(new, wave_number).name = name.strip()
    return refresh_plan(new, portfolio, config)


def reorder_wave(
    plan: WavePlan, portfolio: Portfolio, config: PlanningConfig, *, wave_number: int, new_position: int
) -> WavePlan:
    """Move a wave to another position (1-based) and renumber all waves in order."""
    new = plan.model_copy(deep=True)
    wave = _wave(new, wave_number)
    if not 1 <= new_position <= len(new.waves):
        raise InvalidInput(f"Position {new_position} is outside 1 to {len(new.waves)}.")
    new.waves.sort(key=lambda w: w.wave_number)
    new.waves.remove(wave)
    new.waves.insert(new_position - 1, wave)
    _renumber(new)
    return refresh_plan(new, portfolio, config)


def delete_wave(
    plan: WavePlan, portfolio: Portfolio, config: PlanningConfig, *, wave_number: int
) -> WavePlan:
    """Delete an empty, unlocked wave; later waves move up by one."""
    new = plan.model_copy(deep=True)
    wave = _wave(new, wave_number)
    if wave.applications:
        raise InvalidInput(
            f"Wave {wave_number} still holds {len(wave.applications)} application(s); move them out first."
        )
    if wave.locked:
        raise InvalidInput(f"Wave {wave_number} is locked; unlock it before deleting it.")
    new.waves.sort(key=lambda w: w.wave_number)
    new.waves.remove(wave)
    _renumber(new)
    return refresh_plan(new, portfolio, config)


def set_application_lock(
    plan: WavePlan, portfolio: Portfolio, config: PlanningConfig, *, application_id: str, locked: bool
) -> WavePlan:
    """Lock (pin) an application in its current wave, or unlock it."""
    new = plan.model_copy(deep=True)
    for w in new.waves:
        for a in w.applications:
            if a.application_id == application_id:
                a.pinned = locked
                return refresh_plan(new, portfolio, config)
    raise InvalidInput(f"{application_id} is not in any wave of this plan.")


def set_wave_lock(
    plan: WavePlan, portfolio: Portfolio, config: PlanningConfig, *, wave_number: int, locked: bool
) -> WavePlan:
    """Lock a wave (its number and applications stay when re-optimising), or unlock it."""
    new = plan.model_copy(deep=True)
    _wave(new, wave_number).locked = locked
    return refresh_plan(new, portfolio, config)


def reoptimize_around_locks(plan: WavePlan, portfolio: Portfolio, config: PlanningConfig) -> WavePlan:
    """Re-plan everything except pinned applications and locked waves, which stay where they are."""
    pins = plan_pins(plan, portfolio)
    locked = [w for w in plan.waves if w.locked]
    result = plan_waves(with_pins(portfolio, pins), config, locked_waves=locked)
    kept = {a.application_id: a for w in plan.waves for a in w.applications if a.pinned and not w.locked}
    for w in result.waves:
        w.applications = [kept.get(a.application_id, a) for a in w.applications]
        for a in w.applications:
            a.pinned = a.application_id in kept or a.pinned
    return refresh_plan(carry_wave_dates(plan, result), portfolio, config)


def set_wave_dates(
    plan: WavePlan,
    portfolio: Portfolio,
    config: PlanningConfig,
    *,
    wave_number: int,
    not_before: date | None = None,
    fixed_cutover: date | None = None,
) -> WavePlan:
    """Give a wave a not-before date and/or a fixed cut-over date (None clears it); the scheduler honours
    both, and one it cannot hold becomes a hard violation naming the wave."""
    new = plan.model_copy(deep=True)
    wave = _wave(new, wave_number)
    for label, value in (("not-before", not_before), ("cut-over", fixed_cutover)):
        if value is not None and value < config.migration_start_date:
            raise InvalidInput(
                f"The {label} date {value.isoformat()} of wave {wave_number} is before the migration "
                f"starts ({config.migration_start_date.isoformat()})."
            )
    if not_before is not None and fixed_cutover is not None and fixed_cutover < not_before:
        raise InvalidInput(
            f"Wave {wave_number}'s cut-over ({fixed_cutover.isoformat()}) cannot be before its "
            f"not-before date ({not_before.isoformat()})."
        )
    wave.not_before = not_before
    wave.fixed_cutover = fixed_cutover
    return refresh_plan(new, portfolio, config)


def carry_wave_dates(previous: WavePlan, new: WavePlan) -> WavePlan:
    """The analyst's wave date overrides of `previous`, kept by wave number on a re-planned `new`
    (a date set on "wave 4" stays on wave 4 whatever it now holds)."""
    dates = {w.wave_number: (w.not_before, w.fixed_cutover) for w in previous.waves}
    for wave in new.waves:
        if wave.wave_number in dates and wave.not_before is None and wave.fixed_cutover is None:
            wave.not_before, wave.fixed_cutover = dates[wave.wave_number]
    return new
