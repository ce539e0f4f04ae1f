"""Documents of the synthesis phase."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from planning_core.domain import Model, Money


class ExecutiveSummary(Model):
    total_applications: int
    migrated_applications: int
    not_migrated_applications: int
    total_waves: int
    start_date: date
    end_date: date
    total_duration_days: int
    total_cost: Money
    currency: str = "USD"
    total_effort_hours: float = 0.0
    skill_gaps_identified: int = 0
    critical_path: list[str] = Field(default_factory=list)
    lower_bound_waves: int = 0
    wave_gap: int = 0


class Finding(Model):
    """A risk or a recommendation, derived from the plan's own numbers."""

    title: str
    detail: str
    severity: str = "medium"  # low, medium, high
    metric: str = ""


class Synthesis(Model):
    """Output of phase 5."""

    executive_summary: ExecutiveSummary
    risks: list[Finding] = Field(default_factory=list)
    recommendations: list[Finding] = Field(default_factory=list)
    quality: dict[str, float | int | str] = Field(default_factory=dict)
    narrative: str = ""  # agent narrative (untrusted text), clearly marked where shown
