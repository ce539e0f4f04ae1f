"""CrewAI tools over the engines and validators (imports crewai: load only when an LLM is configured)."""

from __future__ import annotations

import json
from typing import Any

from crewai.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field

from planning_core.agents import context as ops
from planning_core.agents.context import AdviceContext
from planning_core.domain import Phase
from planning_core.errors import PlanningError


class _ContextTool(BaseTool):
    """A tool bound to one phase's review context; errors come back as text the agent can read."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    context: Any = Field(exclude=True)

    def _safe(self, call: Any, *args: Any) -> str:
        try:
            return call(self.context, *args)
        except PlanningError as error:
            return json.dumps({"error": str(error)})


class _AppArgs(BaseModel):
    application_id: str = Field(description="exact application id")


class _MoveArgs(BaseModel):
    application_id: str = Field(description="exact application id")
    to_wave: int = Field(description="number of an existing wave")


class _LockArgs(BaseModel):
    application_id: str = Field(description="exact application id")
    wave: int = Field(description="wave to lock the application in")


class _WaveArgs(BaseModel):
    wave_number: int = Field(description="wave number")


class _PriceArgs(BaseModel):
    role: str = Field(description="resource pool role, e.g. developer")
    hours_delta: float = Field(description="hours added (negative: removed)")


class _NoArgs(BaseModel):
    pass


class LookupApplicationTool(_ContextTool):
    name: str = "lookup_application"
    description: str = "An application's fields, its wave and its dependencies (with the other side's wave)."
    args_schema: type[BaseModel] = _AppArgs

    def _run(self, application_id: str) -> str:
        return self._safe(ops.lookup_application, application_id)


class ValidateMoveTool(_ContextTool):
    name: str = "validate_move"
    description: str = "Check whether moving an application to a wave breaks a hard constraint."
    args_schema: type[BaseModel] = _MoveArgs

    def _run(self, application_id: str, to_wave: int) -> str:
        return self._safe(ops.validate_move, application_id, to_wave)


class ValidateWavePlanTool(_ContextTool):
    name: str = "validate_wave_plan"
    description: str = "The current wave plan's hard violations, warnings, waves and lower bound."
    args_schema: type[BaseModel] = _NoArgs

    def _run(self) -> str:
        return self._safe(ops.validate_plan)


class OptimizeWithLockTool(_ContextTool):
    name: str = "optimize_with_lock"
    description: str = "Re-run the wave optimizer with one application locked in a wave; compare results."
    args_schema: type[BaseModel] = _LockArgs

    def _run(self, application_id: str, wave: int) -> str:
        return self._safe(ops.optimize_with_lock, application_id, wave)


class WaveResourcesTool(_ContextTool):
    name: str = "wave_resources"
    description: str = "Hours, capacity and utilisation per role in one wave."
    args_schema: type[BaseModel] = _WaveArgs

    def _run(self, wave_number: int) -> str:
        return self._safe(ops.wave_resources, wave_number)


class CriticalPathTool(_ContextTool):
    name: str = "explain_critical_path"
    description: str = "The schedule's critical path with dates, and the activities with the least slack."
    args_schema: type[BaseModel] = _NoArgs

    def _run(self) -> str:
        return self._safe(ops.explain_critical_path)


class PriceChangeTool(_ContextTool):
    name: str = "price_change"
    description: str = "The cost (labour and contingency) of adding or removing hours of a role."
    args_schema: type[BaseModel] = _PriceArgs

    def _run(self, role: str, hours_delta: float) -> str:
        return self._safe(ops.price_change, role, hours_delta)


TOOLS_OF_PHASE: dict[Phase, tuple[type[_ContextTool], ...]] = {
    Phase.WAVE_PLANNING: (
        LookupApplicationTool,
        ValidateMoveTool,
        ValidateWavePlanTool,
        OptimizeWithLockTool,
    ),
    Phase.RESOURCE_ALLOCATION: (WaveResourcesTool, LookupApplicationTool, PriceChangeTool),
    Phase.TIMELINE_GENERATION: (CriticalPathTool, WaveResourcesTool),
    Phase.COST_ESTIMATION: (PriceChangeTool, CriticalPathTool),
    Phase.SYNTHESIS: (),
}


def tools_for(context: AdviceContext) -> list[BaseTool]:
    """The tools of the phase under review, bound to its context."""
    return [tool(context=context) for tool in TOOLS_OF_PHASE[context.phase]]  # type: ignore[call-arg]
