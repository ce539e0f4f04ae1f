"""The four CrewAI specialists: advisers on top of the engines, whose every proposal is validated and
stored with the plan as a suggestion (planning_core.plan.Suggestion).

Importing this package is cheap: crewai is imported only when an LLM is configured and a review runs.
"""

from planning_core.agents.logs import quiet_library_output
from planning_core.agents.prompts import SPECIALIST_OF_PHASE
from planning_core.agents.service import (
    OPTIMIZER_ONLY,
    Advice,
    advise,
    agent_warnings,
    llm_configured,
    run_warning,
)
from planning_core.agents.suggestions import run_line

__all__ = [
    "OPTIMIZER_ONLY",
    "SPECIALIST_OF_PHASE",
    "Advice",
    "advise",
    "agent_warnings",
    "llm_configured",
    "quiet_library_output",
    "run_line",
    "run_warning",
]
