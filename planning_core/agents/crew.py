"""The four CrewAI specialists, one Crew per phase.

crewai is imported only inside `crewai_telemetry_off()`, when a crew is built or runs: its
telemetry, tracing and tracking are off for the run (no data leaves the machine), and importing
this module neither loads crewai nor changes the environment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from planning_core.agents.context import AdviceContext
from planning_core.agents.logs import crewai_console_quiet
from planning_core.agents.prompts import PERSONAS, SPECIALIST_OF_PHASE, task_text
from planning_core.agents.proposals import (
    CostAdvice,
    NarrativeAdvice,
    ResourceAdvice,
    TimelineAdvice,
    WaveAdvice,
)
from planning_core.domain import Phase
from planning_core.settings import Settings, crewai_telemetry_off

if TYPE_CHECKING:
    from crewai import LLM, Agent

ANSWER_OF_PHASE: dict[Phase, type[BaseModel]] = {
    Phase.WAVE_PLANNING: WaveAdvice,
    Phase.RESOURCE_ALLOCATION: ResourceAdvice,
    Phase.TIMELINE_GENERATION: TimelineAdvice,
    Phase.COST_ESTIMATION: CostAdvice,
    Phase.SYNTHESIS: NarrativeAdvice,
}
MAX_ITERATIONS = 6
NO_KEY = "not-needed"  # local servers (Ollama, vLLM) need no key, but the client wants one


class AdviceError(Exception):
    """The specialist's answer could not be used (nothing is applied)."""


def build_llm(settings: Settings) -> LLM:
    """The CrewAI LLM from the settings (model, base URL, key, timeout, retries)."""
    with crewai_telemetry_off():
        from crewai import LLM

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else NO_KEY
    options: dict[str, Any] = {
        "timeout": settings.llm_timeout_s,
        "max_retries": settings.llm_max_retries,
        "temperature": 0.0,
        "api_key": key,
    }
    if settings.llm_base_url:
        options["base_url"] = settings.llm_base_url
    return LLM(model=str(settings.llm_model), **options)


def specialist(name: str, llm: LLM, context: AdviceContext) -> Agent:
    """One of the four specialists, with its tools bound to the phase under review."""
    with crewai_telemetry_off():
        from crewai import Agent

        from planning_core.agents.tools import tools_for

    role, goal, backstory = PERSONAS[name]
    return Agent(
        role=role,
        goal=goal,
        backstory=backstory,
        llm=llm,
        tools=tools_for(context),
        allow_delegation=False,
        max_iter=MAX_ITERATIONS,
        max_retry_limit=0,
        verbose=False,
    )


def _usage(result: object) -> dict[str, int]:
    usage = getattr(result, "token_usage", None)
    if usage is None:
        return {}
    fields = ("prompt_tokens", "completion_tokens", "total_tokens", "successful_requests")
    return {f: int(getattr(usage, f, 0) or 0) for f in fields}


def run_specialist(context: AdviceContext, settings: Settings) -> tuple[str, BaseModel, dict[str, int]]:
    """Run the phase's Crew (telemetry off); returns the specialist's name, its answer and the token usage."""
    with crewai_telemetry_off():
        from crewai import Crew, Process, Task

        name = SPECIALIST_OF_PHASE[context.phase]
        agent = specialist(name, build_llm(settings), context)
        description, expected = task_text(context)
        answer_model = ANSWER_OF_PHASE[context.phase]
        task = Task(
            description=description, expected_output=expected, agent=agent, output_pydantic=answer_model
        )
        crew = Crew(agents=[agent], tasks=[task], process=Process.sequential, verbose=False)
        with crewai_console_quiet():
            result = crew.kickoff()
    answer = getattr(result, "pydantic", None)
    if not isinstance(answer, answer_model):
        raise AdviceError(f"the answer was not the expected {answer_model.__name__} JSON")
    return name, answer, _usage(result)
