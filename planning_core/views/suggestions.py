"""The specialists' suggestions where they apply, and the Advisers panel: what each run of each
specialist did (when, how long, tokens, outcome, what it proposed and what became of it).

Pure: the suggestions come in as the review service's rows (anything with the `Reviewable` attributes,
such as `planning_core.service.suggestions.SuggestionView`), the runs from the plan's agent log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import pandas as pd

from planning_core.agents.suggestions import describe_change, suggestions_of_run
from planning_core.domain import PHASE_LABELS, Phase
from planning_core.plan import AgentRun, PlanDocument, Suggestion

# The page each phase's suggestions are reviewed on (the notes of the synthesis on the Advisers panel).
PAGE_OF_PHASE: dict[str, str] = {
    Phase.WAVE_PLANNING.value: "waves",
    Phase.RESOURCE_ALLOCATION.value: "resources",
    Phase.TIMELINE_GENERATION.value: "timeline",
    Phase.COST_ESTIMATION.value: "costs",
}
WAVE_KINDS = ("wave_not_before", "wave_fixed_cutover")
STATUS_ORDER = ("pending", "accepted", "edited", "rejected", "invalid")
OUTCOME_LABELS = {
    "skipped": "skipped (no model)",
    "accepted": "changes applied",
    "pending": "suggestions to review",
    "rejected": "every proposal refused",
    "failed": "failed (optimizer's result kept)",
    "no_changes": "no change proposed",
}
FIELD_LABELS = {
    "to_wave": "Move to wave",
    "from_role": "From role",
    "to_role": "To role",
    "hours": "Hours",
    "date": "Date",
    "headcount": "Headcount",
    "min_crew": "Minimum crew",
    "max_crew": "Maximum crew",
    "category": "Category",
    "amount": "Amount",
    "mode": "Add to or set the category",
    "name": "Line name",
}
COST_MODES = ("add", "set")
CONFIGURE_MODEL = """No model is configured, so the specialists do not run: every figure comes from the
optimizer. To have them review each phase and make suggestions, set these environment variables before
starting the dashboard (or the command line):

- `PLANNING_LLM_MODEL`: the model, e.g. `openai/gpt-4o-mini` (any OpenAI-compatible server: prefix `openai/`)
- `PLANNING_LLM_BASE_URL`: the server's URL, e.g. `http://localhost:11434/v1` (leave out for OpenAI)
- `PLANNING_LLM_API_KEY`: the key, if the server needs one
- `PLANNING_LLM_TIMEOUT_S`, `PLANNING_LLM_MAX_RETRIES`: optional (default 60 s, 2 retries)

Plans made in the dashboard keep the valid suggestions for your review (Plan settings: suggestion mode);
the library's own logging goes to the log file (`PLANNING_LOG_FILE`)."""


class Reviewable(Protocol):
    """What the views read of a suggestion row (SuggestionView of the review service)."""

    @property
    def suggestion_id(self) -> str: ...
    @property
    def agent(self) -> str: ...
    @property
    def phase(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def kind_label(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def rationale(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def valid_now(self) -> bool: ...
    @property
    def problem_now(self) -> str: ...
    @property
    def editable(self) -> tuple[str, ...]: ...
    @property
    def change(self) -> dict[str, Any]: ...


def because(rationale: str) -> str:
    """' — because …' for a rationale ('' without one)."""
    text = " ".join(rationale.split())
    if not text:
        return ""
    return f" — because {text[0].lower()}{text[1:]}" if not text[:2].isupper() else f" — because {text}"


def suggested_line(s: Reviewable) -> str:
    """'suggested: move to wave 5 — because …' (a wave move, as its card and row show it), else the
    change in one line with the reason."""
    if s.kind == "wave_move":
        return f"suggested: move to wave {s.change.get('to_wave')}{because(s.rationale)}"
    text = s.summary[:1].lower() + s.summary[1:]
    return f"suggested: {text}{because(s.rationale)}"


def pending_of(
    rows: Iterable[Reviewable], *, phase: str | None = None, kinds: Sequence[str] = ()
) -> list[Any]:
    """The pending rows (of a phase, of some kinds), in the order given."""
    return [
        s
        for s in rows
        if s.status == "pending" and (phase is None or s.phase == phase) and (not kinds or s.kind in kinds)
    ]


def row_marks(rows: Iterable[Reviewable]) -> dict[str, str]:
    """Application -> 'suggested: move to wave N — because …' for each pending wave move (newest wins)."""
    marks: dict[str, str] = {}
    for s in pending_of(rows, kinds=("wave_move",)):
        marks.setdefault(str(s.change.get("application_id")), suggested_line(s))
    return marks


def mark_frame(frame: pd.DataFrame, rows: Iterable[Reviewable], column: str = "suggested") -> pd.DataFrame:
    """The board's frame with a column of each application's pending suggestion ('' without one)."""
    marks = row_marks(rows)
    if not marks or "application_id" not in frame.columns:
        return frame
    marked = frame.copy()
    values = marked["application_id"].map(lambda a: marks.get(str(a), ""))
    position = list(marked.columns).index("wave") + 1 if "wave" in marked.columns else len(marked.columns)
    marked.insert(position, column, values)
    return marked


def wave_suggestions(rows: Iterable[Reviewable], wave_number: int, members: Iterable[str]) -> list[Any]:
    """The pending suggestions a wave's card shows: moves of its applications, and its dates."""
    ids = set(members)
    return [
        s
        for s in pending_of(rows)
        if (s.kind == "wave_move" and str(s.change.get("application_id")) in ids)
        or (s.kind in WAVE_KINDS and s.change.get("wave_number") == wave_number)
    ]


def counts_line(counts: dict[str, int], labels: dict[str, str]) -> str:
    """'2 wave moves, 1 note' from pending counts by kind."""
    return ", ".join(f"{n} {labels.get(kind, kind).lower()}" for kind, n in sorted(counts.items()))


@dataclass(frozen=True)
class EditField:
    """One editable value of a suggestion in the edit form: the key, its label, the proposed value and
    how to ask for it ('wave', 'int', 'float', 'date', 'role', 'category', 'mode', 'text')."""

    key: str
    label: str
    value: Any
    widget: str


def _widget(kind: str, key: str) -> str:
    if key == "to_wave":
        return "wave"
    if key in ("headcount", "min_crew", "max_crew"):
        return "int"
    if key in ("hours", "amount"):
        return "float"
    if key == "date":
        return "date"
    if key in ("from_role", "to_role"):
        return "role"
    if key in ("category", "mode"):
        return key
    return "text"


def edit_fields(s: Reviewable) -> list[EditField]:
    """The form of 'edit, then accept': one field per editable key, starting at the proposed value."""
    return [EditField(k, FIELD_LABELS.get(k, k), s.change.get(k), _widget(s.kind, k)) for k in s.editable]


def edited_values(s: Reviewable, values: dict[str, Any]) -> dict[str, Any]:
    """The analyst's values that differ from the proposal, ready for edit_and_accept (dates as ISO text,
    blank optional values left out)."""
    changed: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, date):
            value = value.isoformat()
        if value in (None, "") and s.change.get(key) in (None, ""):
            continue
        if value != s.change.get(key):
            changed[key] = value
    return changed


# --------------------------------------------------------------------------- the Advisers panel
@dataclass(frozen=True)
class AdviserRun:
    """One run of one specialist as the Advisers panel lists it."""

    index: int
    agent: str
    phase: str
    phase_label: str
    started_at: datetime
    duration_seconds: float
    tokens: int
    outcome: str
    outcome_label: str
    counts: dict[str, int]
    errors: tuple[str, ...]
    narrative: str
    suggestions: tuple[Suggestion, ...]

    @property
    def proposed(self) -> int:
        return len(self.suggestions)


def tokens_of(run: AgentRun) -> int:
    """The run's total tokens (prompt + completion when the total is not reported)."""
    usage = run.token_usage
    return int(usage.get("total_tokens") or usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0))


def adviser_runs(plan: PlanDocument) -> list[AdviserRun]:
    """Every run of the plan's agent log, newest first, with the suggestions it made."""
    runs = []
    for index, run in enumerate(plan.agent_execution_log):
        made = tuple(suggestions_of_run(run, plan.suggestions))
        counts: dict[str, int] = {}
        for s in made:
            counts[s.status.value] = counts.get(s.status.value, 0) + 1
        runs.append(
            AdviserRun(
                index=index,
                agent=run.agent,
                phase=run.phase.value,
                phase_label=PHASE_LABELS[run.phase],
                started_at=run.started_at,
                duration_seconds=run.duration_seconds,
                tokens=tokens_of(run),
                outcome=run.outcome,
                outcome_label=OUTCOME_LABELS.get(run.outcome, run.outcome),
                counts=counts,
                errors=tuple(run.errors),
                narrative=run.narrative,
                suggestions=made,
            )
        )
    return runs[::-1]


def model_runs(runs: Sequence[AdviserRun]) -> list[AdviserRun]:
    """The runs in which a specialist really ran (not those skipped without a model)."""
    return [r for r in runs if r.outcome != "skipped"]


def runs_frame(runs: Sequence[AdviserRun]) -> pd.DataFrame:
    """The runs as a table: when, who, phase, seconds, tokens, outcome, and the suggestions by status."""
    columns = ["when", "specialist", "phase", "seconds", "tokens", "outcome", "proposed", *STATUS_ORDER]
    rows = [
        {
            "when": r.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            "specialist": r.agent,
            "phase": r.phase_label,
            "seconds": round(r.duration_seconds, 1),
            "tokens": r.tokens,
            "outcome": r.outcome_label,
            "proposed": r.proposed,
            **{status: r.counts.get(status, 0) for status in STATUS_ORDER},
        }
        for r in runs
    ]
    return pd.DataFrame(rows, columns=columns)


def _why(s: Suggestion) -> str:
    if s.status.value == "invalid":
        return s.validation or "refused by the validators"
    if s.status.value in ("rejected", "accepted", "edited"):
        who = f"{s.decided_by}" if s.decided_by else ""
        when = f" on {s.decided_at:%Y-%m-%d %H:%M}" if s.decided_at else ""
        note = f": {s.decision_note}" if s.decision_note else ""
        return f"{s.status.value} by {who or 'the plan'}{when}{note}"
    return "waiting for review"


def decisions_frame(suggestions: Sequence[Suggestion]) -> pd.DataFrame:
    """What a run proposed and what became of each: the change, the specialist's reason, the status,
    why (the validators' reason, or who decided when, with their note), and what was applied."""
    columns = ["proposed", "because", "status", "why", "applied"]
    rows = []
    for s in suggestions:
        applied = ""
        if s.applied_change is not None and s.applied_change != s.change:
            applied = describe_change(s.kind, s.applied_change)
        rows.append(
            {
                "proposed": describe_change(s.kind, s.change),
                "because": s.rationale,
                "status": s.status.value,
                "why": _why(s),
                "applied": applied,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def run_title(run: AdviserRun) -> str:
    """'Wave planning · WavePlanningSpecialist · 2027-01-04 10:02 · 3.2 s · 1,240 tokens · …'."""
    counts = ", ".join(f"{run.counts[s]} {s}" for s in STATUS_ORDER if run.counts.get(s))
    return (
        f"{run.phase_label} · {run.agent} · {run.started_at:%Y-%m-%d %H:%M} · {run.duration_seconds:.1f} s · "
        f"{run.tokens:,} tokens · {run.outcome_label}" + (f" · {counts}" if counts else "")
    )
