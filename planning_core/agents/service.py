"""advise(): the specialist of a phase reviews its engine's document; only validated proposals are applied."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from pydantic import BaseModel

from planning_core.agents.context import AdviceContext
from planning_core.agents.prompts import SPECIALIST_OF_PHASE
from planning_core.agents.proposals import NarrativeAdvice, ResourceAdvice, ReviewNotes, WaveAdvice
from planning_core.agents.review import (
    Review,
    apply_narrative,
    apply_notes,
    apply_resource_advice,
    apply_wave_advice,
)
from planning_core.agents.sanitize import NOTE_MAX_CHARS, clean_text
from planning_core.domain import Phase, Portfolio
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.synthesis.models import Synthesis
from planning_core.engines.waves.models import WavePlan
from planning_core.plan import AgentRun, PlanDocument
from planning_core.settings import Settings, get_settings

OPTIMIZER_ONLY = "No LLM is configured: the suggestions come from the optimizer."
ERROR_MAX_CHARS = 500


def llm_configured(settings: Settings | None = None) -> bool:
    """Whether an LLM adviser can run (PLANNING_LLM_MODEL is set)."""
    return (settings or get_settings()).llm_configured


def _apply(context: AdviceContext, answer: BaseModel, agent: str) -> Review:
    """Validate and apply the answer to the phase's document."""
    document = context.document
    if isinstance(answer, WaveAdvice) and isinstance(document, WavePlan):
        return apply_wave_advice(
            document, answer, portfolio=context.portfolio, config=context.config, agent=agent
        )
    if isinstance(answer, ResourceAdvice) and isinstance(document, ResourceAllocation):
        return apply_resource_advice(document, answer, agent=agent)
    if isinstance(answer, NarrativeAdvice) and isinstance(document, Synthesis):
        return apply_narrative(document, answer)
    if isinstance(answer, ReviewNotes):
        return apply_notes(document, answer)
    raise TypeError(f"{type(answer).__name__} does not apply to {type(document).__name__}")


def _summary(answer: BaseModel, review: Review) -> str:
    if review.narrative:
        return review.narrative
    return clean_text(getattr(answer, "summary", ""), NOTE_MAX_CHARS)


def _outcome(review: Review) -> str:
    if review.accepted:
        return "accepted"
    return "rejected" if review.rejected else "no_changes"


def describe_error(error: BaseException) -> str:
    """A one-line, sanitised description of why the specialist failed."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    label = type(error).__name__
    return clean_text(f"{label}: {text}" if text else label, ERROR_MAX_CHARS)


def _still_valid(document: object) -> object:
    """Re-validate the document's schema (a changed document must still be a valid one)."""
    if isinstance(document, BaseModel):
        return type(document).model_validate(document.model_dump())
    return document


def advise(
    *,
    phase: Phase,
    plan: PlanDocument,
    portfolio: Portfolio,
    document: object,
    settings: Settings | None = None,
    memory: str = "",
) -> tuple[object, AgentRun]:
    """The phase's specialist reviews the engine's document; returns the document to store and the log entry."""
    settings = settings or get_settings()
    agent = SPECIALIST_OF_PHASE.get(phase, "none")
    started_at = datetime.now(UTC)
    clock = time.perf_counter()
    if not settings.llm_configured or phase not in SPECIALIST_OF_PHASE or document is None:
        return document, AgentRun(agent=agent, phase=phase, started_at=started_at, narrative=OPTIMIZER_ONLY)
    context = AdviceContext(phase=phase, plan=plan, portfolio=portfolio, document=document, memory=memory)
    try:
        from planning_core.agents.crew import run_specialist

        agent, answer, usage = run_specialist(context, settings)
        review = _apply(context, answer, agent)
        changed = _still_valid(review.document)
    except Exception as error:  # any LLM or parsing failure keeps the engine's document
        return document, AgentRun(
            agent=agent,
            phase=phase,
            started_at=started_at,
            duration_seconds=round(time.perf_counter() - clock, 3),
            outcome="failed",
            errors=[describe_error(error)],
        )
    return changed, AgentRun(
        agent=agent,
        phase=phase,
        started_at=started_at,
        duration_seconds=round(time.perf_counter() - clock, 3),
        outcome=_outcome(review),
        token_usage=usage,
        accepted=review.accepted,
        rejected=review.rejected,
        narrative=_summary(answer, review),
    )


def run_warning(run: AgentRun) -> str | None:
    """The plan warning for a failed review (the optimizer's result was kept), else None."""
    if run.outcome != "failed":
        return None
    reason = run.errors[0] if run.errors else "unknown error"
    return f"{run.agent} could not review {run.phase.value.replace('_', ' ')} ({reason}); the optimizer's result is kept."


def agent_warnings(log: list[AgentRun]) -> list[str]:
    """Warnings for the latest review of each phase that failed (older runs are history, not warnings)."""
    latest: dict[Phase, AgentRun] = {}
    for run in log:
        latest[run.phase] = run
    return [w for run in latest.values() if (w := run_warning(run)) is not None]
