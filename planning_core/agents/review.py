"""Apply a specialist's answer to its phase's document: every proposal validated like an analyst's edit.

Pure functions: the engine's document and the answer in, the (possibly changed) document and the lists of
accepted and rejected proposals out. A document is never returned with a hard violation its engine's
version did not have.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from planning_core.agents.proposals import (
    MAX_PROPOSALS,
    NarrativeAdvice,
    ResourceAdvice,
    ReviewNotes,
    WaveAdvice,
)
from planning_core.agents.sanitize import (
    NARRATIVE_MAX_CHARS,
    NOTE_MAX_CHARS,
    RATIONALE_MAX_CHARS,
    clean_identifier,
    clean_text,
)
from planning_core.domain import PlanningConfig, Portfolio
from planning_core.engines.resources.engine import apply_manual_allocation
from planning_core.engines.resources.models import Allocation, AllocationSource, ResourceAllocation
from planning_core.engines.synthesis.models import Synthesis
from planning_core.engines.waves.constraints import validate_wave_plan
from planning_core.engines.waves.edits import delete_wave, move_application, refresh_plan
from planning_core.engines.waves.models import Source, Violation, WavePlan
from planning_core.errors import InvalidInput

AGENT_CONFIDENCE = 0.7
ID_MAX_CHARS = 100


@dataclass
class Review:
    """The outcome of applying one answer."""

    document: object
    accepted: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    narrative: str = ""


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


def _too_many(items: list[Any], kind: str) -> list[dict[str, Any]]:
    return [
        {"kind": kind, "proposal": str(i), "reason": f"more than {MAX_PROPOSALS} proposals; ignored"}
        for i in range(MAX_PROPOSALS, len(items))
    ]


def _mark_agent(plan: WavePlan, application_id: str, agent: str, rationale: str) -> None:
    for wave in plan.waves:
        for assignment in wave.applications:
            if assignment.application_id == application_id:
                assignment.source = Source.AGENT
                assignment.confidence = AGENT_CONFIDENCE
                text = f"Proposed by {agent}: {rationale}" if rationale else f"Proposed by {agent}."
                assignment.rationale = text[:1000]


def _drop_empty_waves(plan: WavePlan, portfolio: Portfolio, config: PlanningConfig) -> WavePlan:
    """Delete waves the accepted moves emptied (later waves move up, order is kept)."""
    for wave in sorted(plan.waves, key=lambda w: -w.wave_number):
        if not wave.applications and not wave.locked:
            plan = delete_wave(plan, portfolio, config, wave_number=wave.wave_number)
    return plan


def apply_wave_advice(
    plan: WavePlan, advice: WaveAdvice, *, portfolio: Portfolio, config: PlanningConfig, agent: str
) -> Review:
    """Apply each proposed move that passes the analyst's validation; reject the others with the reason."""
    baseline = hard_keys(plan, portfolio, config)
    current = plan
    review = Review(document=plan, rejected=_too_many(advice.moves, "move"))
    for move in advice.moves[:MAX_PROPOSALS]:
        app_id = clean_identifier(move.application_id, ID_MAX_CHARS)
        rationale = clean_text(move.rationale, RATIONALE_MAX_CHARS)
        record = {"kind": "move", "application_id": app_id, "to_wave": move.to_wave, "rationale": rationale}
        before = current.wave_of().get(app_id)
        if before == move.to_wave:
            review.rejected.append({**record, "reason": f"{app_id} is already in wave {move.to_wave}."})
            continue
        try:
            candidate = move_application(
                current, portfolio, config, application_id=app_id, to_wave=move.to_wave
            )
        except InvalidInput as error:
            review.rejected.append({**record, "reason": str(error)})
            continue
        broken = new_hard_violations(candidate, baseline, portfolio, config)
        if broken:
            reason = "breaks a hard constraint: " + "; ".join(v.message for v in broken[:5])
            review.rejected.append({**record, "reason": reason})
            continue
        _mark_agent(candidate, app_id, agent, rationale)
        current = candidate
        review.accepted.append({**record, "from_wave": before})
    if review.accepted:
        current = refresh_plan(_drop_empty_waves(current, portfolio, config), portfolio, config)
        if new_hard_violations(
            current, baseline, portfolio, config
        ):  # defensive: never worse than the engine
            review.rejected.extend(
                {**a, "reason": "the combined moves break a hard constraint"} for a in review.accepted
            )
            review.accepted = []
            current = plan
    review.document = current
    return review


def _row(allocation: ResourceAllocation, wave_number: int, role: str) -> Allocation | None:
    return next((a for a in allocation.allocations if a.wave_number == wave_number and a.role == role), None)


def _transfer_problem(
    allocation: ResourceAllocation, wave: int, source: str, target: str, hours: float
) -> str:
    """Why a transfer is not acceptable ('' when it is)."""
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


def _set_hours(
    allocation: ResourceAllocation, wave: int, role: str, hours: float, reason: str
) -> ResourceAllocation:
    updated = apply_manual_allocation(allocation, wave_number=wave, role=role, hours=hours, reason=reason)
    for row in updated.allocations:
        if row.wave_number == wave and row.role == role:
            row.source = AllocationSource.AGENT
            row.confidence = AGENT_CONFIDENCE
    return updated


def apply_resource_advice(allocation: ResourceAllocation, advice: ResourceAdvice, *, agent: str) -> Review:
    """Apply each transfer of hours that stays within both roles' bounds; reject the others."""
    current = allocation
    review = Review(document=allocation, rejected=_too_many(advice.transfers, "transfer"))
    for transfer in advice.transfers[:MAX_PROPOSALS]:
        source = clean_identifier(transfer.from_role, ID_MAX_CHARS)
        target = clean_identifier(transfer.to_role, ID_MAX_CHARS)
        rationale = clean_text(transfer.rationale, RATIONALE_MAX_CHARS)
        wave, hours = transfer.wave_number, float(transfer.hours)
        record = {
            "kind": "transfer",
            "wave_number": wave,
            "from_role": source,
            "to_role": target,
            "hours": hours,
            "rationale": rationale,
        }
        problem = _transfer_problem(current, wave, source, target, hours)
        if problem:
            review.rejected.append({**record, "reason": problem})
            continue
        reason = f"Proposed by {agent}: {rationale}" if rationale else f"Proposed by {agent}."
        from_row, to_row = _row(current, wave, source), _row(current, wave, target)
        assert from_row is not None and to_row is not None
        current = _set_hours(current, wave, source, round(from_row.hours - hours, 2), reason[:1000])
        current = _set_hours(current, wave, target, round(to_row.hours + hours, 2), reason[:1000])
        review.accepted.append(record)
    review.document = current
    return review


def apply_notes(document: object, advice: ReviewNotes) -> Review:
    """Notes change no number: the document is unchanged and the sanitised notes are logged."""
    review = Review(document=document, rejected=_too_many(advice.notes, "note"))
    for note in advice.notes[:MAX_PROPOSALS]:
        title = clean_text(note.title, 200)
        detail = clean_text(note.detail, NOTE_MAX_CHARS)
        if not title and not detail:
            review.rejected.append({"kind": "note", "reason": "empty note"})
            continue
        review.accepted.append({"kind": "note", "title": title, "detail": detail})
    review.narrative = clean_text(advice.summary, NOTE_MAX_CHARS)
    return review


def apply_narrative(synthesis: Synthesis, advice: NarrativeAdvice) -> Review:
    """Store the sanitised narrative on the synthesis (plain text, at most NARRATIVE_MAX_CHARS)."""
    narrative = clean_text(advice.narrative, NARRATIVE_MAX_CHARS)
    if not narrative:
        return Review(document=synthesis, rejected=[{"kind": "narrative", "reason": "empty narrative"}])
    updated = synthesis.model_copy(update={"narrative": narrative})
    return Review(
        document=updated,
        accepted=[{"kind": "narrative", "characters": len(narrative)}],
        narrative=narrative,
    )
