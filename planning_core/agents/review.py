"""Apply a specialist's answer to its phase's document: every proposal validated like an analyst's edit.

Pure functions: the engine's document and the answer in, the (possibly changed) document and the lists of
accepted and rejected proposals out. A document is never returned with a hard violation its engine's
version did not have.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from planning_core.agents.actions import (
    ChangeRefused,
    Draft,
    apply_change,
    hard_keys,
    new_hard_violations,
    transfer_problem,
)
from planning_core.agents.proposals import (
    MAX_PROPOSALS,
    CostAdvice,
    NarrativeAdvice,
    ResourceAdvice,
    ReviewNotes,
    TimelineAdvice,
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
from planning_core.engines.costs.models import CostEstimate
from planning_core.engines.resources.engine import apply_manual_allocation
from planning_core.engines.resources.models import AllocationSource, ResourceAllocation
from planning_core.engines.synthesis.models import Synthesis
from planning_core.engines.waves.edits import delete_wave, move_application, refresh_plan
from planning_core.engines.waves.models import Source, WavePlan
from planning_core.errors import InvalidInput
from planning_core.plan import PlanDocument, SuggestionKind

AGENT_CONFIDENCE = 0.7
ID_MAX_CHARS = 100


@dataclass
class Review:
    """The outcome of applying one answer: proposals applied to the document (`accepted`), valid ones
    left for the analyst (`pending`: they change the plan's inputs, not this document), and refused
    ones with the reason (`rejected`)."""

    document: object
    accepted: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    narrative: str = ""
    pending: list[dict[str, Any]] = field(default_factory=list)


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
        problem = transfer_problem(current, wave, source, target, hours)
        if problem:
            review.rejected.append({**record, "reason": problem})
            continue
        reason = f"Proposed by {agent}: {rationale}" if rationale else f"Proposed by {agent}."
        from_row = next(a for a in current.allocations if (a.wave_number, a.role) == (wave, source))
        to_row = next(a for a in current.allocations if (a.wave_number, a.role) == (wave, target))
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


def _action_records(advice: TimelineAdvice | CostAdvice) -> list[tuple[SuggestionKind, dict[str, Any]]]:
    """The answer's proposals as (kind, record), identifiers and text sanitised."""
    records: list[tuple[SuggestionKind, dict[str, Any]]] = []
    record: dict[str, Any]
    if isinstance(advice, TimelineAdvice):
        for item in advice.wave_dates[:MAX_PROPOSALS]:
            rationale = clean_text(item.rationale, RATIONALE_MAX_CHARS)
            for kind, value in (
                (SuggestionKind.WAVE_NOT_BEFORE, item.not_before),
                (SuggestionKind.WAVE_FIXED_CUTOVER, item.fixed_cutover),
            ):
                if value:
                    day = clean_identifier(value, 40)
                    record = {"wave_number": item.wave_number, "date": day, "rationale": rationale}
                    records.append((kind, record))
        for crew in advice.crew_changes[:MAX_PROPOSALS]:
            record = {"role": clean_identifier(crew.role, ID_MAX_CHARS)}
            for name in ("headcount", "min_crew", "max_crew"):
                if getattr(crew, name) is not None:
                    record[name] = getattr(crew, name)
            record["rationale"] = clean_text(crew.rationale, RATIONALE_MAX_CHARS)
            records.append((SuggestionKind.CREW_CHANGE, record))
    else:
        for line in advice.cost_lines[:MAX_PROPOSALS]:
            record = {
                "category": clean_identifier(line.category, ID_MAX_CHARS),
                "amount": line.amount,
                "mode": clean_identifier(line.mode, 10),
                "name": clean_text(line.name, 200),
                "rationale": clean_text(line.rationale, RATIONALE_MAX_CHARS),
            }
            records.append((SuggestionKind.COST_LINE, record))
    return records


def apply_actions(
    document: object,
    advice: TimelineAdvice | CostAdvice,
    *,
    plan: PlanDocument,
    portfolio: Portfolio,
    agent: str,
) -> Review:
    """The timeline and cost specialists' proposals (wave dates, crew changes, cost lines), each validated
    like an analyst's edit against the plan: valid ones wait for the analyst (`pending`: they change the
    plan's inputs, so applying them means recomputing), the others are rejected with the reason. Notes
    are logged as `apply_notes` does; the document itself is unchanged."""
    review = apply_notes(document, advice)
    lists: list[list[Any]] = [advice.cost_lines] if isinstance(advice, CostAdvice) else []
    if isinstance(advice, TimelineAdvice):
        lists = [advice.wave_dates, advice.crew_changes]
    for items in lists:
        review.rejected.extend(_too_many(items, "action"))
    draft = Draft.of(plan, portfolio)
    if isinstance(document, CostEstimate):
        draft.cost_categories = frozenset(c.category for c in document.by_category)
    for kind, record in _action_records(advice):
        change = {k: v for k, v in record.items() if k != "rationale"}
        rationale = record["rationale"]
        reason = f"Proposed by {agent}: {rationale}" if rationale else f"Proposed by {agent}."
        try:
            apply_change(draft, kind, change, reason=reason[:1000])
        except ChangeRefused as error:
            review.rejected.append({"kind": kind.value, **record, "reason": str(error)})
            continue
        review.pending.append({"kind": kind.value, **record})
    return review
