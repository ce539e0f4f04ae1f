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
from planning_core.engines.waves.models import WavePlan
from planning_core.errors import ConstraintViolationError, InvalidInput, PhaseOrderError
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
        """Replace the plan's configuration (an admin's change when pools or rates change); every phase
        is recomputed, locked waves and applications kept."""
        reason = limits.check_reason(reason)
        parsed = parse_config(config, analyst=True)
        plan, portfolio = self._load_for_edit(planning_flow_id, expected_version, config=parsed)
        changes = {"planning_config": self._set_config(plan, parsed)}
        return self._save_edit(plan, portfolio, reason, changes, Phase.WAVE_PLANNING)

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
            raise InvalidInput("Nothing to update: give a wave plan, a resource allocation, a config or a name.")
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
