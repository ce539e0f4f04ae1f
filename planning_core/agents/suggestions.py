"""A specialist's proposals as suggestions stored with the plan, and one line per specialist run.

Pure. Every proposal of a review becomes a `Suggestion`: applied at once (`accepted`) when the plan's
`suggestion_mode` is "apply" and the proposal changes the document under review, `pending` for the
analyst otherwise, `invalid` when the validators refused it. A new review of a phase supersedes the
suggestions of that phase still pending (they become `invalid`, with the reason).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from planning_core.domain import Phase
from planning_core.plan import AgentRun, Suggestion, SuggestionKind, SuggestionStatus

# Decided suggestions kept with a plan (the oldest decided ones go first; pending ones always stay).
MAX_STORED_SUGGESTIONS = 500
AUTO_APPLIED = "Applied at once: the plan's suggestion mode is 'apply'."
# The kind of a record of the agent execution log ("narrative" is not a proposal: it is the synthesis text).
RECORD_KIND: dict[str, SuggestionKind] = {
    "move": SuggestionKind.WAVE_MOVE,
    "transfer": SuggestionKind.RESOURCE_TRANSFER,
    "note": SuggestionKind.NOTE,
    **{kind.value: kind for kind in SuggestionKind},
}
_NOT_CHANGE = {"kind", "rationale", "reason"}


def _change(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in _NOT_CHANGE}


def _kind(record: dict[str, Any], phase: Phase) -> SuggestionKind:
    """The record's kind; an over-the-limit record ('more than N proposals') takes its phase's kind."""
    kind = RECORD_KIND.get(str(record.get("kind")))
    if kind is not None:
        return kind
    if phase == Phase.WAVE_PLANNING:
        return SuggestionKind.WAVE_MOVE
    if phase == Phase.RESOURCE_ALLOCATION:
        return SuggestionKind.RESOURCE_TRANSFER
    return SuggestionKind.NOTE


def make_suggestion(
    record: dict[str, Any],
    *,
    agent: str,
    phase: Phase,
    started_at: datetime,
    version: int,
    status: SuggestionStatus,
) -> Suggestion:
    """One suggestion from one (sanitised) record of a review."""
    decided = status == SuggestionStatus.ACCEPTED
    return Suggestion(
        suggestion_id=uuid.uuid4().hex[:16],
        agent=agent,
        phase=phase,
        kind=_kind(record, phase),
        change=_change(record),
        rationale=str(record.get("rationale", "")),
        valid=status != SuggestionStatus.INVALID,
        validation=str(record.get("reason", "")),
        status=status,
        plan_version=version,
        validated_version=version,
        created_at=started_at,
        decided_at=started_at if decided else None,
        decision_note=AUTO_APPLIED if decided else "",
        applied_change=_change(record) if decided else None,
    )


def suggestions_of(
    *,
    accepted: list[dict[str, Any]],
    pending: list[dict[str, Any]],
    rejected: list[dict[str, Any]],
    agent: str,
    phase: Phase,
    started_at: datetime,
    version: int,
) -> list[Suggestion]:
    """The review's records as suggestions: applied (accepted), for the analyst (pending), refused."""
    common: dict[str, Any] = {"agent": agent, "phase": phase, "started_at": started_at, "version": version}
    return [
        *(make_suggestion(r, status=SuggestionStatus.ACCEPTED, **common) for r in accepted),
        *(make_suggestion(r, status=SuggestionStatus.PENDING, **common) for r in pending),
        *(make_suggestion(r, status=SuggestionStatus.INVALID, **common) for r in rejected),
    ]


def merge_suggestions(
    existing: list[Suggestion], new: list[Suggestion], *, phase: Phase, version: int
) -> list[Suggestion]:
    """The plan's suggestions after a new review of a phase: that phase's pending ones superseded, the
    new ones appended, and the oldest decided ones dropped beyond MAX_STORED_SUGGESTIONS."""
    phase_name = phase.value.replace("_", " ")
    reason = f"Superseded: the specialist reviewed {phase_name} again (plan version {version})."
    merged = [
        s.model_copy(update={"status": SuggestionStatus.INVALID, "valid": False, "validation": reason})
        if s.phase == phase and s.status == SuggestionStatus.PENDING
        else s
        for s in existing
    ] + list(new)
    extra = len(merged) - MAX_STORED_SUGGESTIONS
    if extra <= 0:
        return merged
    kept: list[Suggestion] = []
    for suggestion in merged:
        if extra > 0 and suggestion.status != SuggestionStatus.PENDING:
            extra -= 1
            continue
        kept.append(suggestion)
    return kept


def describe_change(kind: SuggestionKind, change: dict[str, Any]) -> str:
    """A suggestion's change in one plain line ("Move crm from wave 3 to wave 1")."""
    c = change
    if kind == SuggestionKind.WAVE_MOVE:
        origin = f" from wave {c['from_wave']}" if c.get("from_wave") is not None else ""
        return f"Move {c.get('application_id')}{origin} to wave {c.get('to_wave')}"
    if kind == SuggestionKind.RESOURCE_TRANSFER:
        return (
            f"Move {c.get('hours')} h from {c.get('from_role')} to {c.get('to_role')} "
            f"in wave {c.get('wave_number')}"
        )
    if kind == SuggestionKind.WAVE_NOT_BEFORE:
        return f"Wave {c.get('wave_number')} starts no earlier than {c.get('date')}"
    if kind == SuggestionKind.WAVE_FIXED_CUTOVER:
        return f"Wave {c.get('wave_number')} cuts over on {c.get('date')}"
    if kind == SuggestionKind.CREW_CHANGE:
        names = ("headcount", "min_crew", "max_crew")
        parts = [f"{name.replace('_', ' ')} {c[name]}" for name in names if name in c]
        return f"{c.get('role')}: " + (", ".join(parts) or "no change")
    if kind == SuggestionKind.COST_LINE:
        name = f" ({c['name']})" if c.get("name") else ""
        if c.get("mode") == "set":
            return f"Set {c.get('category')} to {c.get('amount')}{name}"
        return f"Add {c.get('amount')} to {c.get('category')}{name}"
    title, detail = str(c.get("title", "")), str(c.get("detail", ""))
    return f"{title}: {detail}" if title and detail else title or detail or "(empty note)"


def suggestions_of_run(run: AgentRun, suggestions: list[Suggestion]) -> list[Suggestion]:
    """The suggestions a run of the log made (same phase and agent, created at the run's start)."""
    return [
        s for s in suggestions if (s.phase, s.agent, s.created_at) == (run.phase, run.agent, run.started_at)
    ]


def run_line(run: AgentRun, suggestions: list[Suggestion]) -> str:
    """One line for a specialist's run (what the command line prints for each)."""
    phase = run.phase.value.replace("_", " ")
    head = f"agent {run.agent} {phase}: {run.outcome} in {run.duration_seconds:.1f} s"
    if run.outcome == "failed":
        return f"{head} ({run.errors[0] if run.errors else 'unknown error'}); the optimizer's result is kept"
    counts: dict[str, int] = {}
    for suggestion in suggestions_of_run(run, suggestions):
        counts[suggestion.status.value] = counts.get(suggestion.status.value, 0) + 1
    shown = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return f"{head}; suggestions: {shown or 'none'}"
