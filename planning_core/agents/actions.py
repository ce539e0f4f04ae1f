"""A specialist's proposal as a change to a plan: one check and one application per suggestion kind.

Pure. `Draft` holds the documents a batch of suggestions changes (the wave plan, the resource
allocation, the configuration); `apply_change` validates one change against the draft as it is and
applies it, or raises `ChangeRefused` with the reason. The same function validates a specialist's
answer when it arrives and re-validates a suggestion against the current plan when the analyst
accepts it, so a suggestion is held to the rules of an analyst's edit both times.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from planning_core.domain import CostOverride, Phase, PlanningConfig, Portfolio, ResourcePool
from planning_core.engines.resources.engine import apply_manual_allocation
from planning_core.engines.resources.models import Allocation, ResourceAllocation
from planning_core.engines.schedule.calendar import WorkingCalendar
from planning_core.engines.waves.constraints import validate_wave_plan
from planning_core.engines.waves.edits import move_application, set_wave_dates
from planning_core.engines.waves.models import Violation, WavePlan
from planning_core.errors import InvalidInput
from planning_core.plan import PlanDocument, SuggestionKind

# How far after the migration start a specialist may date a wave (days): ten years.
MAX_DATE_OFFSET_DAYS = 3653
MAX_HEADCOUNT = 10_000
MAX_COST_AMOUNT = Decimal("1000000000000")
COST_MODES = ("add", "set")

# The first phase a change of each kind makes stale (recomputed from there on).
EARLIEST_PHASE: dict[SuggestionKind, Phase | None] = {
    SuggestionKind.WAVE_MOVE: Phase.RESOURCE_ALLOCATION,
    SuggestionKind.RESOURCE_TRANSFER: Phase.TIMELINE_GENERATION,
    SuggestionKind.WAVE_NOT_BEFORE: Phase.TIMELINE_GENERATION,
    SuggestionKind.WAVE_FIXED_CUTOVER: Phase.TIMELINE_GENERATION,
    SuggestionKind.CREW_CHANGE: Phase.TIMELINE_GENERATION,  # WAVE_PLANNING when a headcount changes
    SuggestionKind.COST_LINE: Phase.COST_ESTIMATION,
    SuggestionKind.NOTE: None,
}
# The plan document each kind changes (None: nothing, a note).
TARGET: dict[SuggestionKind, str | None] = {
    SuggestionKind.WAVE_MOVE: "wave_plan",
    SuggestionKind.RESOURCE_TRANSFER: "resource_allocation",
    SuggestionKind.WAVE_NOT_BEFORE: "wave_plan",
    SuggestionKind.WAVE_FIXED_CUTOVER: "wave_plan",
    SuggestionKind.CREW_CHANGE: "planning_config",
    SuggestionKind.COST_LINE: "planning_config",
    SuggestionKind.NOTE: None,
}
# The keys of each kind's change an analyst may edit before accepting it.
EDITABLE: dict[SuggestionKind, tuple[str, ...]] = {
    SuggestionKind.WAVE_MOVE: ("to_wave",),
    SuggestionKind.RESOURCE_TRANSFER: ("from_role", "to_role", "hours"),
    SuggestionKind.WAVE_NOT_BEFORE: ("date",),
    SuggestionKind.WAVE_FIXED_CUTOVER: ("date",),
    SuggestionKind.CREW_CHANGE: ("headcount", "min_crew", "max_crew"),
    SuggestionKind.COST_LINE: ("category", "amount", "mode", "name"),
    SuggestionKind.NOTE: (),
}


class ChangeRefused(Exception):
    """The change does not pass the validators (the message says why)."""


def _key(violation: Violation) -> tuple[str, str]:
    return violation.constraint, violation.message


def hard_keys(plan: WavePlan, portfolio: Portfolio, config: PlanningConfig) -> set[tuple[str, str]]:
    """The hard violations of a wave plan, as comparable keys."""
    return {_key(v) for v in validate_wave_plan(plan, portfolio, config) if v.hard}


def new_hard_violations(
    candidate: WavePlan, baseline: set[tuple[str, str]], portfolio: Portfolio, config: PlanningConfig
) -> list[Violation]:
    """Hard violations of the candidate that the baseline did not have."""
    return [v for v in validate_wave_plan(candidate, portfolio, config) if v.hard and _key(v) not in baseline]


@dataclass
class Draft:
    """The documents a batch of suggestions changes, updated one accepted change at a time."""

    portfolio: Portfolio
    config: PlanningConfig
    wave_plan: WavePlan | None
    allocation: ResourceAllocation | None
    cost_categories: frozenset[str] = frozenset()
    baseline: set[tuple[str, str]] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    headcount_changed: bool = False

    @classmethod
    def of(cls, plan: PlanDocument, portfolio: Portfolio) -> Draft:
        """A draft of the plan as stored (its hard violations are the baseline no change may add to)."""
        config = plan.planning_config
        waves = plan.wave_plan
        costs = plan.cost_estimation
        return cls(
            portfolio=portfolio,
            config=config,
            wave_plan=waves,
            allocation=plan.resource_allocation,
            cost_categories=frozenset(c.category for c in costs.by_category) if costs else frozenset(),
            baseline=hard_keys(waves, portfolio, config) if waves is not None else set(),
        )


def _int(change: dict[str, Any], name: str) -> int:
    value = change.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not float(value).is_integer():
        raise ChangeRefused(f"{name} must be a whole number (got {value!r})")
    return int(value)


def _text(change: dict[str, Any], name: str) -> str:
    value = change.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ChangeRefused(f"{name} is missing")
    return value.strip()


def _date(change: dict[str, Any]) -> date:
    value = change.get("date")
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError as error:
        raise ChangeRefused(f"date must be a day as YYYY-MM-DD (got {value!r})") from error


def _move(draft: Draft, change: dict[str, Any]) -> None:
    if draft.wave_plan is None:
        raise ChangeRefused("there is no wave plan yet")
    app_id, to_wave = _text(change, "application_id"), _int(change, "to_wave")
    if draft.wave_plan.wave_of().get(app_id) == to_wave:
        raise ChangeRefused(f"{app_id} is already in wave {to_wave}.")
    try:
        candidate = move_application(
            draft.wave_plan, draft.portfolio, draft.config, application_id=app_id, to_wave=to_wave
        )
    except InvalidInput as error:
        raise ChangeRefused(str(error)) from error
    broken = new_hard_violations(candidate, draft.baseline, draft.portfolio, draft.config)
    if broken:
        raise ChangeRefused("breaks a hard constraint: " + "; ".join(v.message for v in broken[:5]))
    draft.wave_plan = candidate


def _row(allocation: ResourceAllocation, wave_number: int, role: str) -> Allocation | None:
    return next((a for a in allocation.allocations if a.wave_number == wave_number and a.role == role), None)


def transfer_problem(
    allocation: ResourceAllocation, wave: int, source: str, target: str, hours: float
) -> str:
    """Why a transfer of hours between two roles of a wave is not acceptable ('' when it is)."""
    if not math.isfinite(hours) or hours <= 0:
        return f"hours to move must be more than zero (got {hours})"
    if source == target:
        return "the two roles are the same"
    from_row, to_row = _row(allocation, wave, source), _row(allocation, wave, target)
    if from_row is None or to_row is None:
        missing = source if from_row is None else target
        roles = sorted({a.role for a in allocation.allocations})
        waves = sorted({a.wave_number for a in allocation.allocations})
        return f"no allocation for {missing!r} in wave {wave} (roles: {', '.join(roles)}; waves: {waves})"
    if hours > from_row.hours + 1e-9:
        return f"{source} has only {from_row.hours:,.2f} h in wave {wave}"
    if to_row.hours + hours > to_row.capacity_hours + 1e-9:
        return (
            f"{target} would need {to_row.hours + hours:,.2f} h in wave {wave}, "
            f"more than its capacity of {to_row.capacity_hours:,.2f} h"
        )
    return ""


def transfer_hours(
    allocation: ResourceAllocation, wave: int, source: str, target: str, hours: float, reason: str
) -> ResourceAllocation:
    """The allocation with `hours` moved from one role to another in a wave (both rows manual, with
    the reason); the transfer must have passed `transfer_problem`."""
    from_row, to_row = _row(allocation, wave, source), _row(allocation, wave, target)
    assert from_row is not None and to_row is not None
    updated = apply_manual_allocation(
        allocation, wave_number=wave, role=source, hours=round(from_row.hours - hours, 2), reason=reason
    )
    return apply_manual_allocation(
        updated, wave_number=wave, role=target, hours=round(to_row.hours + hours, 2), reason=reason
    )


def _transfer(draft: Draft, change: dict[str, Any], reason: str) -> None:
    if draft.allocation is None:
        raise ChangeRefused("there is no resource allocation yet")
    wave = _int(change, "wave_number")
    source, target = _text(change, "from_role"), _text(change, "to_role")
    try:
        hours = float(change.get("hours"))  # type: ignore[arg-type]
    except (TypeError, ValueError) as error:
        raise ChangeRefused(f"hours must be a number (got {change.get('hours')!r})") from error
    problem = transfer_problem(draft.allocation, wave, source, target, hours)
    if problem:
        raise ChangeRefused(problem)
    draft.allocation = transfer_hours(draft.allocation, wave, source, target, hours, reason[:1000])


def _wave_date(draft: Draft, change: dict[str, Any], kind: SuggestionKind) -> None:
    """A not-before or fixed cut-over date for a wave (the wave's other date kept), validated as the
    analyst's set_wave_dates edit is, and held to the plan's calendar: within ten years of the
    migration start, and a cut-over outside the blackout windows."""
    if draft.wave_plan is None:
        raise ChangeRefused("there is no wave plan yet")
    number, day = _int(change, "wave_number"), _date(change)
    wave = next((w for w in draft.wave_plan.waves if w.wave_number == number), None)
    if wave is None:
        count = len(draft.wave_plan.waves)
        raise ChangeRefused(f"There is no wave {number}; the plan has waves 1 to {count}.")
    if (day - draft.config.migration_start_date).days > MAX_DATE_OFFSET_DAYS:
        raise ChangeRefused(f"{day.isoformat()} is more than ten years after the migration start")
    cutover = kind == SuggestionKind.WAVE_FIXED_CUTOVER
    blackout = WorkingCalendar(draft.config).blackout_reason(day) if cutover else None
    if blackout is not None:
        raise ChangeRefused(f"a cut-over on {day.isoformat()} falls in a blackout window ({blackout})")
    try:
        draft.wave_plan = set_wave_dates(
            draft.wave_plan,
            draft.portfolio,
            draft.config,
            wave_number=number,
            not_before=wave.not_before if cutover else day,
            fixed_cutover=day if cutover else wave.fixed_cutover,
        )
    except InvalidInput as error:
        raise ChangeRefused(str(error)) from error


def _pool(draft: Draft, role: str) -> ResourcePool:
    pool = next((p for p in draft.config.resource_pools if p.role == role), None)
    if pool is None:
        roles = ", ".join(p.role for p in draft.config.resource_pools)
        raise ChangeRefused(f"no resource pool {role!r} (roles: {roles})")
    return pool


def _crew(draft: Draft, change: dict[str, Any]) -> None:
    pool = _pool(draft, _text(change, "role"))
    update: dict[str, int] = {}
    for name in ("headcount", "min_crew", "max_crew"):
        if change.get(name) is not None:
            value = _int(change, name)
            if not 1 <= value <= MAX_HEADCOUNT:
                raise ChangeRefused(f"{name} must be between 1 and {MAX_HEADCOUNT:,} (got {value})")
            if getattr(pool, name) != value:
                update[name] = value
    if not update:
        raise ChangeRefused(f"the change leaves the {pool.role} pool as it is")
    try:
        new_pool = ResourcePool.model_validate({**pool.model_dump(), **update})
    except ValidationError as error:
        raise ChangeRefused("; ".join(str(e.get("msg", "")) for e in error.errors())) from error
    pools = [new_pool if p.role == pool.role else p for p in draft.config.resource_pools]
    draft.config = draft.config.model_copy(update={"resource_pools": pools})
    draft.headcount_changed = draft.headcount_changed or "headcount" in update


def _cost_line(draft: Draft, change: dict[str, Any], reason: str) -> None:
    category, mode = _text(change, "category"), str(change.get("mode") or "add")
    if mode not in COST_MODES:
        raise ChangeRefused(f"mode must be 'add' or 'set' (got {mode!r})")
    try:
        amount = Decimal(str(change.get("amount")))
    except InvalidOperation as error:
        raise ChangeRefused(f"amount must be a number (got {change.get('amount')!r})") from error
    if not amount.is_finite() or abs(amount) > MAX_COST_AMOUNT or (mode == "add" and amount == 0):
        raise ChangeRefused(
            f"amount must be a non-zero figure of at most 10^12 (got {change.get('amount')!r})"
        )
    if mode == "set" and category not in draft.cost_categories:
        known = ", ".join(sorted(draft.cost_categories)) or "none yet"
        raise ChangeRefused(f"there is no cost category {category!r} to set (categories: {known})")
    try:
        values = {"category": category, "amount": amount, "mode": mode, "reason": reason}
        line = CostOverride.model_validate({**values, "name": change.get("name") or ""})
    except ValidationError as error:
        raise ChangeRefused("; ".join(str(e.get("msg", "")) for e in error.errors())) from error
    inputs = draft.config.cost_inputs
    if len(inputs.cost_overrides) >= 200:
        raise ChangeRefused("the plan already has 200 cost lines")
    new_inputs = inputs.model_copy(update={"cost_overrides": [*inputs.cost_overrides, line]})
    draft.config = draft.config.model_copy(update={"cost_inputs": new_inputs})


def apply_change(draft: Draft, kind: SuggestionKind, change: dict[str, Any], *, reason: str) -> None:
    """Validate one change against the draft as it is now and apply it (ChangeRefused otherwise).

    `reason` is kept on what the change writes (a manual allocation's reason, a cost line's reason).
    """
    if kind == SuggestionKind.WAVE_MOVE:
        _move(draft, change)
    elif kind == SuggestionKind.RESOURCE_TRANSFER:
        _transfer(draft, change, reason)
    elif kind in (SuggestionKind.WAVE_NOT_BEFORE, SuggestionKind.WAVE_FIXED_CUTOVER):
        _wave_date(draft, change, kind)
    elif kind == SuggestionKind.CREW_CHANGE:
        _crew(draft, change)
    elif kind == SuggestionKind.COST_LINE:
        _cost_line(draft, change, reason)
    target = TARGET[kind]
    if target is not None:
        draft.changed.add(target)


def check_change(
    plan: PlanDocument, portfolio: Portfolio, kind: SuggestionKind, change: dict[str, Any]
) -> str:
    """Why the change would be refused on this plan as it is ('' when it passes the validators)."""
    try:
        apply_change(Draft.of(plan, portfolio), kind, change, reason="check")
    except ChangeRefused as error:
        return str(error)
    return ""


def earliest_phase(draft: Draft, kinds: set[SuggestionKind]) -> Phase | None:
    """The first phase the applied kinds make stale."""
    phases = [p for k in kinds if (p := EARLIEST_PHASE[k]) is not None]
    if draft.headcount_changed:
        phases.append(Phase.WAVE_PLANNING)  # a headcount changes the team's capacity per wave
    order = list(Phase)
    return min(phases, key=order.index) if phases else None
