"""What a save records: the plan's warnings and current phase, the revision's snapshot and changes,
the version check of an edit, and the plan a rollback restores."""

from __future__ import annotations

from typing import Any

from planning_core.agents import agent_warnings
from planning_core.domain import PHASE_ORDER, Phase, PhaseStatus
from planning_core.engines.waves.models import WavePlan
from planning_core.errors import StaleWriteError
from planning_core.plan import PlanDocument

# (action, summary, changes) of a revision to record with a save.
RevisionNote = tuple[str, str, dict[str, Any]]

# What a revision keeps: the configuration, the selection and every phase document.
SNAPSHOT_FIELDS = {
    "name",
    "current_phase",
    "phase_status",
    "phase_statuses",
    "planning_config",
    "selected_applications",
    "wave_plan",
    "resource_allocation",
    "timeline",
    "cost_estimation",
    "synthesis",
    "risk",
    "warnings",
    "agent_execution_log",
}


def collect_warnings(plan: PlanDocument) -> list[str]:
    """Every warning of every stored document, plus the stored hard violations, de-duplicated."""
    warnings: list[str] = []
    documents = [plan.wave_plan, plan.resource_allocation, plan.timeline, plan.cost_estimation]
    for document in documents:
        if document is not None:
            warnings.extend(getattr(document, "warnings", []))
    if plan.resource_allocation is not None:
        for gap in plan.resource_allocation.skill_gaps:
            warnings.append(
                f"Skill gap: no resource pool has '{gap.skill}' "
                f"({len(gap.application_ids)} applications); recommendation: {gap.recommendation}"
            )
    if plan.wave_plan is not None:
        for violation in plan.wave_plan.violations:
            if violation.hard:
                warnings.append(f"Unresolved violation ({violation.constraint}): {violation.message}")
    warnings.extend(agent_warnings(plan.agent_execution_log))
    return list(dict.fromkeys(warnings))


def snapshot(plan: PlanDocument) -> dict[str, Any]:
    """What a revision keeps of the plan (SNAPSHOT_FIELDS), as JSON."""
    return plan.model_dump(mode="json", include=SNAPSHOT_FIELDS)


def set_current(plan: PlanDocument) -> None:
    """current_phase is the first phase not completed; phase_status is that phase's status."""
    for phase in PHASE_ORDER:
        status = plan.phase_statuses.get(phase, PhaseStatus.PENDING)
        if status != PhaseStatus.COMPLETED:
            plan.current_phase = phase
            plan.phase_status = status
            return
    plan.current_phase = Phase.COMPLETED
    plan.phase_status = PhaseStatus.COMPLETED


def check_version(plan: PlanDocument, expected_version: int, *, rollback: bool = False) -> None:
    """StaleWriteError unless the stored plan is still the version the analyst edited (or read, to roll back)."""
    if plan.version != expected_version:
        did, next_step = (
            ("read", "Reload and try the rollback again.")
            if rollback
            else ("edited", "Reload to see the latest plan; your change was not saved.")
        )
        raise StaleWriteError(
            f"This plan was changed by someone else (you {did} version {expected_version}, "
            f"it is now version {plan.version}). {next_step}"
        )


def restored(plan: PlanDocument, revision_snapshot: dict[str, Any]) -> PlanDocument:
    """The stored plan with a revision's snapshot put back (its version and revision kept for the save)."""
    result = PlanDocument.model_validate(
        {**plan.model_dump(mode="json", exclude=set(revision_snapshot)), **revision_snapshot}
    )
    result.version = plan.version
    result.revision = plan.revision
    return result


def wave_changes(previous: WavePlan, new: WavePlan) -> dict[str, Any]:
    """Which applications moved between waves, and which waves were added or removed."""
    before, after = previous.wave_of(), new.wave_of()
    moved = {
        app: {"previous": before.get(app), "new": wave}
        for app, wave in after.items()
        if before.get(app) != wave
    }
    removed = sorted(set(before) - set(after))
    return {
        "moved": moved,
        "removed_from_waves": removed,
        "waves": {"previous": len(previous.waves), "new": len(new.waves)},
    }
