"""The analyst's edits of a stored plan, one verb each: edit the waves, change the configuration, override
an allocation, rename. Each verb runs the edit on the stored plan, validates it, stores one revision and
has the later phases recomputed (inline or in the background: the service decides, see `PlanStore`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from planning_core import limits
from planning_core.access import Action, config_action
from planning_core.domain import PHASE_ORDER, RUNNABLE_PHASES, Phase, PhaseStatus, PlanningConfig, Portfolio
from planning_core.engines.resources.engine import apply_manual_allocation
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.waves import edits as wave_edits
from planning_core.engines.waves.constraints import validate_wave_plan
from planning_core.engines.waves.engine import plan_waves
from planning_core.engines.waves.models import Source, WavePlan
from planning_core.engines.waves.pins import plan_pins, with_pins
from planning_core.errors import ConstraintViolationError, InvalidInput, PhaseOrderError, PlanningError
from planning_core.plan import PlanDocument
from planning_core.service.queue import RunHandle
from planning_core.service.revisions import check_version, collect_warnings, set_current, wave_changes
from planning_core.service.store import PlanStore

# Cap on the plan name an analyst may type.
MAX_NAME_LENGTH = 200


def edit_assignments(
    plan: WavePlan,
    portfolio: Portfolio,
    config: PlanningConfig,
    *,
    moves: dict[str, int],
    locks: dict[str, bool],
) -> WavePlan:
    """The wave board's table edit as one step: unlock, then move, then lock applications."""
    new = plan
    for app_id, locked in locks.items():
        if not locked:
            new = wave_edits.set_application_lock(new, portfolio, config, application_id=app_id, locked=False)
    for app_id, wave in moves.items():
        new = wave_edits.move_application(new, portfolio, config, application_id=app_id, to_wave=wave)
    for app_id, locked in locks.items():
        if locked:
            new = wave_edits.set_application_lock(new, portfolio, config, application_id=app_id, locked=True)
    return new


# The operations `edit_waves` accepts, by name: (wave plan, portfolio, config, **arguments) -> wave plan.
WAVE_OPERATIONS: dict[str, Callable[..., WavePlan]] = {
    "move_application": wave_edits.move_application,
    "set_application_lock": wave_edits.set_application_lock,
    "add_wave": wave_edits.add_wave,
    "rename_wave": wave_edits.rename_wave,
    "reorder_wave": wave_edits.reorder_wave,
    "set_wave_lock": wave_edits.set_wave_lock,
    "delete_wave": wave_edits.delete_wave,
    "reoptimize_around_locks": wave_edits.reoptimize_around_locks,
    "set_wave_dates": wave_edits.set_wave_dates,
    "edit_assignments": edit_assignments,
}


def format_validation_error(error: ValidationError) -> str:
    """A pydantic error as one line an analyst can read: 'field: message; field: message'."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "__root__")
        message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def parse_config(config: PlanningConfig | dict[str, Any], *, analyst: bool = False) -> PlanningConfig:
    """Validate a configuration (keys left out take the documented defaults); analyst=True also applies
    the rules of a configuration an analyst edits (`PlanningConfig.from_analyst`)."""
    values = config.model_dump() if isinstance(config, PlanningConfig) else config
    try:
        return PlanningConfig.from_analyst(values) if analyst else PlanningConfig.model_validate(values)
    except ValidationError as error:
        raise InvalidInput(f"Invalid planning configuration: {format_validation_error(error)}") from error


def _operation(name: str, arguments: dict[str, Any]) -> Callable[..., WavePlan]:
    """The wave edit operation of that name, its arguments checked; InvalidInput otherwise."""
    operation = WAVE_OPERATIONS.get(name)
    if operation is None:
        raise InvalidInput(
            f"Unknown wave edit {name!r}; the edits are: {', '.join(sorted(WAVE_OPERATIONS))}."
        )
    try:
        inspect.signature(operation).bind(None, None, None, **arguments)
    except TypeError as error:
        raise InvalidInput(f"Wave edit {name!r}: {error}.") from error
    return operation


# The first phase a setting feeds (settings not listed feed wave planning).
SETTING_PHASE: dict[str, Phase | None] = {
    "migration_start_date": Phase.TIMELINE_GENERATION,
    "working_days_per_week": Phase.TIMELINE_GENERATION,
    "hours_per_day": Phase.TIMELINE_GENERATION,
    "holidays": Phase.TIMELINE_GENERATION,
    "blackout_windows": Phase.TIMELINE_GENERATION,
    "contingency_percentage": Phase.COST_ESTIMATION,
    "cost_inputs": Phase.COST_ESTIMATION,
    "auto_progress": None,
    "suggestion_mode": None,
}


def first_affected_phase(previous: PlanningConfig, new: PlanningConfig) -> Phase | None:
    """The earliest phase whose input changes with the new settings (None: no result changes)."""
    old, now = previous.model_dump(mode="json"), new.model_dump(mode="json")
    earliest: Phase | None = None
    for name, value in now.items():
        if old.get(name) != value:
            phase = SETTING_PHASE.get(name, Phase.WAVE_PLANNING)
            if phase is not None:
                earliest = _earliest(earliest, phase)
    return earliest


def manual_work(wave_plan: WavePlan) -> dict[str, str]:
    """The analyst's work on a wave plan: application or wave -> what was done ('locked in wave 3',
    'moved to wave 4 by hand', 'wave 5 locked')."""
    work: dict[str, str] = {}
    for wave in wave_plan.waves:
        if wave.locked:
            work[f"wave {wave.wave_number}"] = f"wave {wave.wave_number} ({wave.name or 'Wave'}) locked"
        for app in wave.applications:
            if app.pinned:
                work[app.application_id] = f"{app.application_id} locked in wave {wave.wave_number}"
            elif app.source == Source.ANALYST:
                work[app.application_id] = f"{app.application_id} moved to wave {wave.wave_number} by hand"
    return work


def replan_keeping_manual_work(
    wave_plan: WavePlan, portfolio: Portfolio, config: PlanningConfig
) -> tuple[WavePlan, list[str]]:
    """Plan the waves under new settings with every lock, locked wave and hand-made move kept where it
    still holds; returns the wave plan and the manual work that no longer holds (dropped, described)."""
    work = manual_work(wave_plan)
    hand = {
        a.application_id: w.wave_number
        for w in wave_plan.waves
        for a in w.applications
        if a.source == Source.ANALYST and not a.pinned and not w.locked
    }
    locked = [w for w in wave_plan.waves if w.locked]
    pins = {**hand, **plan_pins(wave_plan, portfolio)}
    dropped: list[str] = []
    for _attempt in range(3):
        try:
            new = plan_waves(with_pins(portfolio, pins), config, locked_waves=locked or None)
        except PlanningError:
            new = None
        broken: set[str] = set()
        if new is not None:
            sizes = {w.wave_number: len(w.applications) for w in new.waves}
            for violation in validate_wave_plan(new, portfolio, config):
                if not violation.hard:
                    continue
                involved = sorted(
                    (a for a in violation.application_ids if a in pins), key=lambda a: (a not in hand, a)
                )
                if violation.constraint == "max_apps" and len(violation.wave_numbers) == 1:
                    # only as many as the wave holds too many: the moves by hand go first, then locks
                    excess = sizes.get(violation.wave_numbers[0], 0) - config.max_apps_per_wave
                    involved = involved[: max(excess, 1)]
                broken.update(involved)
                if not involved:
                    broken.update(f"wave {n}" for n in violation.wave_numbers if f"wave {n}" in work)
        else:
            broken = set(pins) | {f"wave {w.wave_number}" for w in locked}
        if not broken:
            break
        dropped.extend(work[key] for key in sorted(broken) if key in work and work[key] not in dropped)
        pins = {app: wave for app, wave in pins.items() if app not in broken}
        locked = [w for w in locked if f"wave {w.wave_number}" not in broken]
        for w in locked:
            pins.update({a.application_id: w.wave_number for a in w.applications})
    if new is None:
        new = plan_waves(portfolio, config)
    kept = {a.application_id: a for w in wave_plan.waves for a in w.applications if a.application_id in pins}
    for w in new.waves:
        w.applications = [
            kept[a.application_id].model_copy() if a.application_id in kept else a for a in w.applications
        ]
    return wave_edits.refresh_plan(new, portfolio, config), dropped


def _earliest(current: Phase | None, phase: Phase) -> Phase:
    return phase if current is None or PHASE_ORDER.index(phase) < PHASE_ORDER.index(current) else current


class PlanEdits(PlanStore):
    """The edit verbs of the flow service (PlanningService)."""

    # ----------------------------------------------------------------- verbs
    def edit_waves(
        self,
        planning_flow_id: str,
        expected_version: int,
        operation: str,
        *,
        reason: str,
        confirm_violations: bool = False,
        **arguments: Any,
    ) -> RunHandle:
        """Run one wave edit (a name of WAVE_OPERATIONS, with its arguments) on the stored wave plan,
        validate the result and store it as one revision; later phases are recomputed.

        An edit that breaks a hard constraint is refused (ConstraintViolationError, listing them) unless
        confirm_violations=True: then it is stored with its violations, and completing the plan stays
        blocked until they are fixed.
        """
        reason = limits.check_reason(reason)
        edit = _operation(operation, arguments)
        plan, portfolio = self._load_for_edit(planning_flow_id, expected_version)
        if plan.wave_plan is None:
            raise PhaseOrderError("There is no wave plan to edit yet; run wave planning first.")
        new = edit(plan.wave_plan, portfolio, plan.planning_config, **arguments)
        changes = {"wave_plan": self._set_wave_plan(plan, portfolio, new, confirm_violations)}
        return self._save_edit(plan, portfolio, reason, changes, Phase.RESOURCE_ALLOCATION)

    def change_config(
        self,
        planning_flow_id: str,
        expected_version: int,
        config: PlanningConfig | dict[str, Any],
        *,
        reason: str = "",
    ) -> RunHandle:
        """Replace the plan's settings; the phases they feed are recomputed. When the waves are re-planned,
        locked waves, locked applications and moves made by hand are kept where they still hold; the
        revision's changes list under 'manual_work_dropped' those that no longer do (see
        `preview_config_change`)."""
        reason = limits.check_reason(reason)
        parsed = parse_config(config, analyst=True)
        plan, portfolio = self._load_for_edit(planning_flow_id, expected_version, config=parsed)
        earliest = first_affected_phase(plan.planning_config, parsed)
        changes: dict[str, Any] = {"planning_config": self._set_config(plan, parsed)}
        if earliest == Phase.WAVE_PLANNING and plan.wave_plan is not None:
            new, dropped = replan_keeping_manual_work(plan.wave_plan, portfolio, parsed)
            changes["wave_plan"] = self._set_wave_plan(plan, portfolio, new, True)
            changes["manual_work_dropped"] = dropped
            earliest = Phase.RESOURCE_ALLOCATION
        return self._save_edit(plan, portfolio, reason, changes, earliest)

    def preview_config_change(
        self, planning_flow_id: str, expected_version: int, config: PlanningConfig | dict[str, Any]
    ) -> tuple[Phase | None, list[str]]:
        """What `change_config` would do, without saving: the first phase recomputed (None: nothing) and
        the manual work (locks, locked waves, moves by hand) that would no longer hold."""
        parsed = parse_config(config, analyst=True)
        plan, portfolio = self._load_for_edit(planning_flow_id, expected_version, config=parsed)
        earliest = first_affected_phase(plan.planning_config, parsed)
        if earliest != Phase.WAVE_PLANNING or plan.wave_plan is None:
            return earliest, []
        _, dropped = replan_keeping_manual_work(plan.wave_plan, portfolio, parsed)
        return earliest, dropped

    def override_allocation(
        self,
        planning_flow_id: str,
        expected_version: int,
        *,
        wave_number: int,
        role: str,
        hours: float,
        reason: str,
    ) -> RunHandle:
        """Set one role's hours in one wave by hand, with the analyst's reason (kept on the allocation and
        in the revision); the timeline and the costs are recomputed."""
        summary = limits.check_reason(f"{role} in wave {wave_number} set to {hours:g} h: {reason.strip()}")
        plan, portfolio = self._load_for_edit(planning_flow_id, expected_version)
        if plan.resource_allocation is None:
            raise PhaseOrderError("There is no resource allocation to edit yet; run that phase first.")
        updated = apply_manual_allocation(
            plan.resource_allocation, wave_number=wave_number, role=role, hours=hours, reason=reason
        )
        changes = {"resource_allocation": self._set_allocation(plan, updated, summary)}
        return self._save_edit(plan, portfolio, summary, changes, Phase.TIMELINE_GENERATION)

    def rename(
        self, planning_flow_id: str, expected_version: int, name: str, *, reason: str = ""
    ) -> PlanDocument:
        """Give the plan a new name (1 to MAX_NAME_LENGTH characters); nothing is recomputed."""
        reason = limits.check_reason(reason)
        plan, portfolio = self._load_for_edit(planning_flow_id, expected_version)
        changes = {"name": self._set_name(plan, name)}
        handle = self._save_edit(plan, portfolio, reason, changes, None)
        assert handle.plan is not None
        return handle.plan

    def update(
        self,
        *,
        planning_flow_id: str,
        expected_version: int,
        wave_plan: WavePlan | None = None,
        resource_allocation: ResourceAllocation | None = None,
        config: PlanningConfig | dict[str, Any] | None = None,
        name: str | None = None,
        reason: str = "",
        confirm_violations: bool = False,
        recompute: bool | None = None,
    ) -> PlanDocument:
        """Several manual changes as one revision, recomputed inline (the command line and tests; pages
        use the verbs above). Later phases are recomputed when auto-progress is on (or recompute=True).
        """
        reason = limits.check_reason(reason)
        parsed = parse_config(config) if config is not None else None
        plan, portfolio = self._load_for_edit(planning_flow_id, expected_version, config=parsed)
        changes: dict[str, Any] = {}
        earliest: Phase | None = None
        if name is not None:
            changes["name"] = self._set_name(plan, name)
        if parsed is not None:
            changes["planning_config"] = self._set_config(plan, parsed)
            earliest = _earliest(earliest, Phase.WAVE_PLANNING)
        if wave_plan is not None:
            if plan.wave_plan is None:
                raise PhaseOrderError("There is no wave plan to edit yet; run wave planning first.")
            changes["wave_plan"] = self._set_wave_plan(plan, portfolio, wave_plan, confirm_violations)
            earliest = _earliest(earliest, Phase.RESOURCE_ALLOCATION)
        if resource_allocation is not None:
            changes["resource_allocation"] = self._set_allocation(plan, resource_allocation, reason)
            earliest = _earliest(earliest, Phase.TIMELINE_GENERATION)
        if not changes:
            raise InvalidInput(
                "Nothing to update: give a wave plan, a resource allocation, a config or a name."
            )
        handle = self._save_edit(
            plan, portfolio, reason, changes, earliest, recompute=recompute, background=False
        )
        assert handle.plan is not None
        return handle.plan

    # ----------------------------------------------------------------- the changes
    def _load_for_edit(
        self, planning_flow_id: str, expected_version: int, *, config: PlanningConfig | None = None
    ) -> tuple[PlanDocument, Portfolio]:
        """The stored plan and its portfolio, if still the version edited (and, for a new configuration,
        if the user's role may make that change)."""
        with self._uow(Action.EDIT_PLAN) as repo:
            plan = repo.plans.get_plan(planning_flow_id)
            check_version(plan, expected_version)
            if config is not None:
                self._require(repo, config_action(plan.planning_config, config))
            portfolio = repo.portfolio.load_plan_portfolio(plan.planning_flow_id, plan.selected_applications)
        return plan, portfolio

    @staticmethod
    def _set_name(plan: PlanDocument, name: str) -> dict[str, Any]:
        name = name.strip()
        if not name or len(name) > MAX_NAME_LENGTH:
            raise InvalidInput(f"A plan name needs 1 to {MAX_NAME_LENGTH} characters.")
        change = {"previous": plan.name, "new": name}
        plan.name = name
        return change

    @staticmethod
    def _set_config(plan: PlanDocument, config: PlanningConfig) -> dict[str, Any]:
        change = {
            "previous": plan.planning_config.model_dump(mode="json"),
            "new": config.model_dump(mode="json"),
        }
        plan.planning_config = config
        return change

    @staticmethod
    def _set_wave_plan(
        plan: PlanDocument, portfolio: Portfolio, wave_plan: WavePlan, confirm_violations: bool
    ) -> dict[str, Any]:
        """Validate an edited wave plan against the portfolio and configuration and put it on the plan,
        its violations recomputed and stored with it."""
        assert plan.wave_plan is not None
        violations = validate_wave_plan(wave_plan, portfolio, plan.planning_config)
        hard = [v for v in violations if v.hard]
        if hard and not confirm_violations:
            raise ConstraintViolationError(
                f"This change breaks {len(hard)} hard constraint(s): "
                + "; ".join(v.message for v in hard[:5])
                + ". Confirm to save it anyway (the plan cannot be completed until they are fixed).",
                hard,
            )
        stored = wave_plan.model_copy(update={"violations": violations})
        change = wave_changes(plan.wave_plan, stored)
        plan.wave_plan = stored
        plan.phase_statuses[Phase.WAVE_PLANNING] = PhaseStatus.COMPLETED
        return change

    @staticmethod
    def _set_allocation(plan: PlanDocument, allocation: ResourceAllocation, reason: str) -> dict[str, Any]:
        if plan.resource_allocation is None:
            raise PhaseOrderError("There is no resource allocation to edit yet; run that phase first.")
        plan.resource_allocation = allocation
        plan.phase_statuses[Phase.RESOURCE_ALLOCATION] = PhaseStatus.COMPLETED
        return {"reason": reason}

    def _save_edit(
        self,
        plan: PlanDocument,
        portfolio: Portfolio,
        reason: str,
        changes: dict[str, Any],
        earliest: Phase | None,
        *,
        recompute: bool | None = None,
        background: bool | None = None,
    ) -> RunHandle:
        """Store the edited plan as one revision; phases from `earliest` on become stale and are
        recomputed (auto-progress, or recompute=True): inline, or queued for the background worker when
        runs go there (background=None: the service decides). `reason` was checked by the verb."""
        if earliest is not None:
            for phase in PHASE_ORDER[PHASE_ORDER.index(earliest) :]:
                if plan.phase_statuses.get(phase) in (PhaseStatus.COMPLETED, PhaseStatus.FAILED):
                    plan.phase_statuses[phase] = PhaseStatus.STALE
            plan.planning_completed_at = None
        plan.warnings = collect_warnings(plan)
        set_current(plan)
        # Write only what changed; phase statuses and warnings are always written.
        documents = tuple(
            name for name in ("wave_plan", "resource_allocation", "planning_config") if name in changes
        )
        note = ("update", reason or "Manual edit", changes)
        should_recompute = plan.planning_config.auto_progress if recompute is None else recompute
        if background is None:
            background = self.runs_in_background()
        if not should_recompute or earliest is None:
            saved = self._store(plan, portfolio, documents, note, complete=False)
            return RunHandle(plan.planning_flow_id, plan=self._with_portfolio(saved, portfolio))
        if background:
            saved = self._store(plan, portfolio, documents, note, complete=False)
            return self._queue(plan.planning_flow_id, self._with_portfolio(saved, portfolio))
        phases = RUNNABLE_PHASES[PHASE_ORDER.index(earliest) :]
        plan = self._compute(plan, portfolio, phases, note, complete=True, documents=documents)
        return RunHandle(plan.planning_flow_id, plan=self._with_portfolio(plan, portfolio))
