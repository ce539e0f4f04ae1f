"""Documents of the resource allocation phase."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from planning_core.domain import Model


class AllocationSource(StrEnum):
    SUGGESTED = "suggested"
    MANUAL = "manual"
    AGENT = "agent"  # an adviser's proposal that passed validation (planning_core.agents)


class Allocation(Model):
    """Hours of one role in one wave, against that role's capacity over the wave."""

    wave_number: int
    role: str
    hours: Annotated[float, Field(ge=0)]
    capacity_hours: Annotated[float, Field(ge=0)]
    utilisation_pct: float
    over_allocated: bool
    source: AllocationSource = AllocationSource.SUGGESTED
    confidence: Annotated[float, Field(ge=0, le=1)] = 0.8
    reason: Annotated[str, Field(max_length=1000)] = ""


class ApplicationRoleHours(Model):
    """Hours one role spends on one application (the effort split by 6R strategy)."""

    application_id: str
    wave_number: int
    role: str
    hours: float


class SkillGap(Model):
    """A skill that applications need and no pool has: a warning with a recommendation."""

    skill: str
    application_ids: list[str]
    recommendation: str  # "hire", "train" or "contract", with a sentence
    severity: str = "medium"


class RoleUtilisation(Model):
    """One role over the programme's weeks, from the schedule (``resources.utilisation``)."""

    role: str
    scheduled_hours: float
    capacity_hours: float
    utilisation_pct: float
    over_allocated_hours: float = 0.0  # what the schedule needs beyond capacity (roles without a pool)


class ResourceAllocation(Model):
    """Output of phase 2 (its utilisation refreshed from the timeline once scheduled)."""

    allocations: list[Allocation] = Field(default_factory=list)
    application_hours: list[ApplicationRoleHours] = Field(default_factory=list)
    skill_gaps: list[SkillGap] = Field(default_factory=list)
    total_hours: float = 0.0
    warnings: list[str] = Field(default_factory=list)
    utilisation_by_role: list[RoleUtilisation] = Field(default_factory=list)
    utilisation_source: str = "estimate"  # "estimate" (wave limit as capacity) or "schedule"
