"""Documents of the timeline phase."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from planning_core.domain import Model
from planning_core.engines.waves.models import Violation


class Activity(Model):
    """One activity of a wave (plan, migrate, test, cut-over, hypercare) with its CPM figures."""

    id: str  # e.g. "W3-migrate"
    wave_number: int
    name: str
    kind: str
    start: date
    end: date  # inclusive: the last working day of the activity
    duration_days: int  # working days
    predecessors: list[str] = Field(default_factory=list)
    role_hours: dict[str, float] = Field(default_factory=dict)
    crew: dict[str, int] = Field(default_factory=dict)  # people per capacity-checked role
    earliest_start: date
    latest_start: date
    slack_days: int  # working days of total float
    critical: bool = False


class WaveWindow(Model):
    wave_number: int
    start: date
    end: date
    not_before: date | None = None  # the wave's override, when it has one
    fixed_cutover: date | None = None


class Milestone(Model):
    id: str
    name: str
    date: date
    wave_number: int | None = None
    kind: str  # "gate_review", "cutover", "go_live", "completion"
    description: str = ""


class ResourceLoad(Model):
    """Hours of one role in one week against its capacity."""

    role: str
    week_start: date
    hours: float
    capacity_hours: float


class Timeline(Model):
    """Output of phase 3."""

    timeline_name: str = "Migration timeline"
    start_date: date
    end_date: date
    total_working_days: int
    total_duration_days: int  # calendar days, start to end inclusive
    waves: list[WaveWindow] = Field(default_factory=list)
    activities: list[Activity] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)
    critical_path: list[str] = Field(default_factory=list)
    resource_load: list[ResourceLoad] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    # Hard violations the schedule finds (wave_duration, fixed_cutover); the flow merges them into the
    # wave plan's violations.
    violations: list[Violation] = Field(default_factory=list)
    solver: dict[str, str | float | int | bool] = Field(default_factory=dict)
