"""advise(): the specialist of a phase reviews its engine's document; every proposal is validated and
stored as a suggestion, and only valid ones are applied (at once, or when the analyst accepts them)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import BaseModel

from planning_core.agents.context import AdviceContext
from planning_core.agents.prompts import SPECIALIST_OF_PHASE
from planning_core.agents.proposals import (
    CostAdvice,
    NarrativeAdvice,
    ResourceAdvice,
    ReviewNotes,
    TimelineAdvice,
    WaveAdvice,
)
from planning_core.agents.review import (
    Review,
    apply_actions,
    apply_narrative,
    apply_notes,
    apply_resource_advice,
    apply_wave_advice,
)
from planning_core.agents.sanitize import NOTE_MAX_CHARS, clean_text
from planning_core.agents.suggestions import merge_suggestions, suggestions_of
from planning_core.domain import Phase, Portfolio
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.synthesis.models import Synthesis
from planning_core.engines.waves.models import WavePlan
from planning_core.plan import AgentRun, PlanDocument, Suggestion
from planning_core.settings import Settings, get_settings

OPTIMIZER_ONLY = "No LLM is configured: the suggestions come from the optimizer."
ERROR_MAX_CHARS = 500


def llm_configured(settings: Settings | None = None) -> bool:
    """Whether an LLM adviser can run (PLANNING_LLM_MODEL is set)."""
    return (settings or get_settings()).llm_configured


@dataclass
class Advice:
    """A phase's review: the document to store, the log entry, and the plan's suggestions after it."""

    document: object
    run: AgentRun
    suggestions: list[Suggestion] = field(default_factory=list)


def _apply(context: AdviceContext, answer: BaseModel, agent: str) -> Review:
    """Validate and apply the answer to the phase's document."""
    document = context.document
    if isinstance(answer, TimelineAdvice | CostAdvice):
        return apply_actions(document, answer, plan=context.plan, portfolio=context.portfolio, agent=agent)
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
    if review.pending:
        return "pending"
    return "rejected" if review.rejected else "no_changes"


def _for_review(review: Review, engine_document: object) -> Review:
    """The review when suggestions wait for the analyst: nothing applied, every valid proposal pending
    (the narrative, which is text and no proposal, is still stored)."""
    if isinstance(engine_document, Synthesis):
        return review
    return Review(
        document=engine_document,
        accepted=[],
        rejected=review.rejected,
        narrative=review.narrative,
        pending=review.accepted + review.pending,
    )


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
) -> Advice:
    """The phase's specialist reviews the engine's document: the document to store, the log entry, and
    the plan's suggestions with this review's (plan.planning_config.suggestion_mode: "apply" applies the
    valid proposals that change this document at once, "review" leaves every valid one pending)."""
    settings = settings or get_settings()
    agent = SPECIALIST_OF_PHASE.get(phase, "none")
    started_at = datetime.now(UTC)
    clock = time.perf_counter()
    if not settings.llm_configured or phase not in SPECIALIST_OF_PHASE or document is None:
        run = AgentRun(agent=agent, phase=phase, started_at=started_at, narrative=OPTIMIZER_ONLY)
        return Advice(document, run, list(plan.suggestions))
    context = AdviceContext(phase=phase, plan=plan, portfolio=portfolio, document=document, memory=memory)
    try:
        from planning_core.agents.crew import run_specialist

        agent, answer, usage = run_specialist(context, settings)
        review = _apply(context, answer, agent)
        if plan.planning_config.suggestion_mode == "review":
            review = _for_review(review, document)
        changed = _still_valid(review.document)
    except Exception as error:  # any LLM or parsing failure keeps the engine's document
        run = AgentRun(
            agent=agent,
            phase=phase,
            started_at=started_at,
            duration_seconds=round(time.perf_counter() - clock, 3),
            outcome="failed",
            errors=[describe_error(error)],
        )
        return Advice(document, run, list(plan.suggestions))
    run = AgentRun(
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
    new = suggestions_of(
        accepted=[r for r in review.accepted if r.get("kind") != "narrative"],
        pending=review.pending,
        rejected=[r for r in review.rejected if r.get("kind") != "narrative"],
        agent=agent,
        phase=phase,
        started_at=started_at,
        version=plan.version,
    )
    return Advice(changed, run, merge_suggestions(plan.suggestions, new, phase=phase, version=plan.version))


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
