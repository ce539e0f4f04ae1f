"""Documents of the wave planning phase."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from planning_core.domain import Criticality, Model, SixR


class Source(StrEnum):
    """Who put an application in its wave."""

    OPTIMIZER = "optimizer"
    AGENT = "agent"
    ANALYST = "analyst"


class WaveAssignment(Model):
    """One application in one wave, with why it is there."""

    application_id: str
    name: str
    six_r_strategy: SixR
    complexity: int
    business_criticality: Criticality
    effort_hours: float
    rationale: Annotated[str, Field(max_length=1000)] = ""
    confidence: Annotated[float, Field(ge=0, le=1)] = 1.0
    source: Source = Source.OPTIMIZER
    pinned: bool = False


class Wave(Model):
    wave_number: Annotated[int, Field(ge=1)]
    name: Annotated[str, Field(max_length=200)] = ""
    applications: list[WaveAssignment] = Field(default_factory=list)
    locked: bool = False
    is_pilot: bool = False
    # Analyst's date overrides (honoured by the scheduler; infeasible -> a hard "fixed_cutover" violation):
    not_before: date | None = None  # the wave's first activity starts on or after this day
    fixed_cutover: date | None = None  # the wave's cut-over starts on this day (next working day)

    @property
    def total_effort_hours(self) -> float:
        return round(sum(a.effort_hours for a in self.applications), 1)


class NotMigrated(Model):
    application_id: str
    name: str
    six_r_strategy: SixR
    reason: str


class Violation(Model):
    """A broken constraint: hard ones block completing the plan until fixed."""

    constraint: str  # e.g. "precedence", "move_together", "max_apps", "capacity", "pinned", "missing"
    message: str
    application_ids: list[str] = Field(default_factory=list)
    wave_numbers: list[int] = Field(default_factory=list)
    hard: bool = True


class WavePlanSummary(Model):
    total_waves: int
    total_applications: int
    migrated_applications: int
    not_migrated_applications: int
    total_effort_hours: float
    effort_capacity_hours: float
    max_apps_per_wave: int
    cut_weight: float = 0.0


class WavePlan(Model):
    """Output of phase 1."""

    waves: list[Wave] = Field(default_factory=list)
    not_migrated: list[NotMigrated] = Field(default_factory=list)
    summary: WavePlanSummary
    lower_bound: int = 0
    lower_bound_kind: str = ""
    lower_bounds: dict[str, int] = Field(default_factory=dict)
    gap: int = 0
    violations: list[Violation] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    solver: dict[str, str | float | int | bool] = Field(default_factory=dict)

    def wave_of(self) -> dict[str, int]:
        """Application id -> wave number."""
        return {a.application_id: w.wave_number for w in self.waves for a in w.applications}
