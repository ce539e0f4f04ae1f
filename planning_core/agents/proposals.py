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
    """The timeline and cost specialists' answer: notes and a short summary."""

    notes: list[Note] = Field(default_factory=list)
    summary: str = ""


class NarrativeAdvice(_Answer):
    """An executive narrative of the finished plan, plain text."""

    narrative: str = ""
