"""The four CrewAI specialists: advisers on top of the engines, whose every proposal is validated.

Importing this package is cheap: crewai is imported only when an LLM is configured and a review runs.
"""

from planning_core.agents.prompts import SPECIALIST_OF_PHASE
from planning_core.agents.service import OPTIMIZER_ONLY, advise, agent_warnings, llm_configured, run_warning

__all__ = [
    "OPTIMIZER_ONLY",
    "SPECIALIST_OF_PHASE",
    "advise",
    "agent_warnings",
    "llm_configured",
    "run_warning",
]
