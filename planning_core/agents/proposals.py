"""What a specialist may answer (the `output_pydantic` of its task): proposals, notes and a narrative.

Strings are unbounded here on purpose: oversized text is cut by the sanitiser, not refused, so a long
answer still yields its valid proposals. Lists beyond MAX_PROPOSALS are recorded as rejected.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_PROPOSALS = 25


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class MoveProposal(_Answer):
    """Move one application to another existing wave."""

    application_id: str = Field(description="exact application id, as returned by the tools")
    to_wave: int = Field(description="number of an existing wave")
    rationale: str = Field(default="", description="why, in one or two plain sentences")


class WaveAdvice(_Answer):
    """The WavePlanningSpecialist's answer: moves (possibly none) and a short summary."""

    moves: list[MoveProposal] = Field(default_factory=list)
    summary: str = ""


class AllocationTransfer(_Answer):
    """Shift hours from one role to another within one wave."""

    wave_number: int
    from_role: str
    to_role: str
    hours: float = Field(description="hours to move, more than zero")
    rationale: str = ""


class ResourceAdvice(_Answer):
    """The ResourceAllocationSpecialist's answer: transfers (possibly none) and a short summary."""

    transfers: list[AllocationTransfer] = Field(default_factory=list)
    summary: str = ""


class Note(_Answer):
    """An observation for the analyst (a risk, a check to make); it changes no number."""

    title: str
    detail: str = ""


class ReviewNotes(_Answer):
    """Notes and a short summary (the part of the timeline and cost answers that changes no number)."""

    notes: list[Note] = Field(default_factory=list)
    summary: str = ""


class WaveDate(_Answer):
    """A date for one wave: it may not start before `not_before`, or cuts over on `fixed_cutover`."""

    wave_number: int
    not_before: str | None = Field(default=None, description="YYYY-MM-DD, or null")
    fixed_cutover: str | None = Field(default=None, description="YYYY-MM-DD, or null")
    rationale: str = ""


class CrewChange(_Answer):
    """A resource pool's headcount, or the crew (people per activity) its activities use."""

    role: str
    headcount: int | None = None
    min_crew: int | None = None
    max_crew: int | None = None
    rationale: str = ""


class CostLine(_Answer):
    """A cost line: `add` an amount to a category (new or existing) or `set` a computed category."""

    category: str = Field(description="e.g. labour, data_transfer, dual_running, or a new name")
    amount: float
    mode: str = Field(default="add", description="add or set")
    name: str = ""
    rationale: str = ""


class TimelineAdvice(ReviewNotes):
    """The TimelineGenerationSpecialist's answer: wave dates, crew changes, notes and a summary."""

    wave_dates: list[WaveDate] = Field(default_factory=list)
    crew_changes: list[CrewChange] = Field(default_factory=list)


class CostAdvice(ReviewNotes):
    """The CostEstimationSpecialist's answer on the estimate: cost lines, notes and a summary."""

    cost_lines: list[CostLine] = Field(default_factory=list)


class NarrativeAdvice(_Answer):
    """An executive narrative of the finished plan, plain text."""

    narrative: str = ""
