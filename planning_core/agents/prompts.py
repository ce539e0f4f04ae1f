"""The specialists' roles and each phase's task text (a compact briefing; details come through tools)."""

from __future__ import annotations

from planning_core.agents.context import AdviceContext
from planning_core.domain import Phase
from planning_core.engines.costs.models import CostEstimate
from planning_core.engines.synthesis.models import Synthesis

WAVE_SPECIALIST = "WavePlanningSpecialist"
RESOURCE_SPECIALIST = "ResourceAllocationSpecialist"
TIMELINE_SPECIALIST = "TimelineGenerationSpecialist"
COST_SPECIALIST = "CostEstimationSpecialist"

# Which specialist reviews which phase; the cost specialist writes the synthesis narrative.
SPECIALIST_OF_PHASE: dict[Phase, str] = {
    Phase.WAVE_PLANNING: WAVE_SPECIALIST,
    Phase.RESOURCE_ALLOCATION: RESOURCE_SPECIALIST,
    Phase.TIMELINE_GENERATION: TIMELINE_SPECIALIST,
    Phase.COST_ESTIMATION: COST_SPECIALIST,
    Phase.SYNTHESIS: COST_SPECIALIST,
}

PERSONAS: dict[str, tuple[str, str, str]] = {
    WAVE_SPECIALIST: (
        "Wave Planning Specialist",
        "Review the optimizer's migration waves and propose only moves that lower risk or cut fewer "
        "dependencies without breaking any hard constraint.",
        "A cloud-migration lead who has sequenced hundreds of applications into waves. You trust the "
        "validators over intuition: you check every move with the validate_move tool before proposing it.",
    ),
    RESOURCE_SPECIALIST: (
        "Resource Allocation Specialist",
        "Review hours per role per wave and propose transfers of hours between roles that relieve "
        "over-allocation without exceeding any role's capacity.",
        "A delivery manager who staffs migration programmes and knows which roles can cover for which.",
    ),
    TIMELINE_SPECIALIST: (
        "Timeline Generation Specialist",
        "Review the schedule and its critical path; propose wave dates or crew changes where they "
        "protect the plan, and point out the risks an analyst should check.",
        "A programme scheduler who reads critical paths, slack and blackout windows for a living.",
    ),
    COST_SPECIALIST: (
        "Cost Estimation Specialist",
        "Review the cost estimate, propose cost lines the estimate misses and point out cost risks; "
        "summarise the finished plan for executives.",
        "A finance partner for cloud migrations who explains numbers plainly and never invents them.",
    ),
}

PLAIN_TEXT = "Write plain text only: no HTML, no Markdown, no links."
MAX_IDS_PER_WAVE = 40


def _wave_lines(ctx: AdviceContext) -> list[str]:
    plan = ctx.wave_plan
    if plan is None:
        return []
    lines = []
    for wave in sorted(plan.waves, key=lambda w: w.wave_number):
        ids = [a.application_id for a in wave.applications]
        shown = ", ".join(ids[:MAX_IDS_PER_WAVE]) + (
            " (more via tools)" if len(ids) > MAX_IDS_PER_WAVE else ""
        )
        flags = " locked" if wave.locked else ""
        lines.append(f"Wave {wave.wave_number}{flags}: {len(ids)} apps, {wave.total_effort_hours} h: {shown}")
    return lines


def _briefing(ctx: AdviceContext) -> str:
    config = ctx.config
    plan = ctx.wave_plan
    head = [
        f"Plan: {len(ctx.portfolio.applications)} applications, {len(ctx.portfolio.dependencies)} dependencies.",
        f"Limits: at most {config.max_apps_per_wave} applications and "
        f"{config.wave_effort_capacity_hours} effort hours per wave.",
    ]
    if plan is not None:
        head.append(
            f"Waves: {len(plan.waves)} (lower bound {plan.lower_bound}); cut weight {plan.summary.cut_weight}."
        )
    if ctx.memory:
        head.append(f"What earlier plans of this engagement taught: {ctx.memory}")
    return "\n".join(head + _wave_lines(ctx))


def task_text(ctx: AdviceContext) -> tuple[str, str]:
    """The task description and expected output for the phase under review."""
    brief = _briefing(ctx)
    if ctx.phase == Phase.WAVE_PLANNING:
        return (
            f"{brief}\n\nReview this wave plan. Use lookup_application and validate_move before proposing "
            "a move; propose no move when the plan is already good. Use exact application ids.",
            "JSON with 'moves' (application_id, to_wave, rationale) and a one-paragraph 'summary'. "
            + PLAIN_TEXT,
        )
    if ctx.phase == Phase.RESOURCE_ALLOCATION:
        over = [
            f"wave {a.wave_number} {a.role} {a.hours} h of {a.capacity_hours} h"
            for a in (ctx.allocation.allocations if ctx.allocation else [])
            if a.over_allocated
        ]
        return (
            f"{brief}\n\nOver-allocated: {'; '.join(over[:30]) or 'none'}.\nReview the allocation with "
            "wave_resources; propose transfers of hours between roles of the same wave only where the "
            "receiving role stays within its capacity.",
            "JSON with 'transfers' (wave_number, from_role, to_role, hours, rationale) and a 'summary'. "
            + PLAIN_TEXT,
        )
    if ctx.phase == Phase.TIMELINE_GENERATION:
        return (
            f"{brief}\n\n{_document_line(ctx)}\nReview the schedule (use explain_critical_path). Where it "
            "protects the plan, propose for a wave a not-before date or a fixed cut-over date (working days "
            "outside blackout windows, not before the migration start), or a crew change for a role "
            "(headcount, or min_crew / max_crew: people one activity uses). List the risks an analyst "
            "should check. Every proposal is validated; propose nothing when the schedule is sound.",
            "JSON with 'wave_dates' (wave_number, not_before or fixed_cutover as YYYY-MM-DD, rationale), "
            "'crew_changes' (role, headcount, min_crew, max_crew, rationale), 'notes' (title, detail) and a "
            "'summary'. " + PLAIN_TEXT,
        )
    if ctx.phase == Phase.COST_ESTIMATION:
        return (
            f"{brief}\n\n{_document_line(ctx)}\nReview the cost estimate (use price_change to price "
            "alternatives). Propose a cost line only for a cost the estimate misses or misstates: mode 'add' "
            "adds an amount to a category (new or existing), mode 'set' replaces a computed category's "
            "amount. List the cost risks an analyst should check.",
            "JSON with 'cost_lines' (category, amount, mode, name, rationale), 'notes' (title, detail) and a "
            "'summary'. " + PLAIN_TEXT,
        )
    return (
        f"{brief}\n\n{_document_line(ctx)}\nWrite an executive narrative of this migration plan in at most "
        "five short paragraphs, using only the numbers given.",
        "JSON with 'narrative'. " + PLAIN_TEXT,
    )


def _document_line(ctx: AdviceContext) -> str:
    plan = ctx.plan
    parts = []
    if ctx.timeline is not None:
        t = ctx.timeline
        parts.append(f"Timeline {t.start_date} to {t.end_date}, {t.total_working_days} working days.")
    costs = ctx.document if isinstance(ctx.document, CostEstimate) else plan.cost_estimation
    if costs is not None:
        parts.append(f"Total cost {costs.total} {costs.currency} (P80 {costs.p80_total}).")
    if isinstance(ctx.document, Synthesis):
        summary = ctx.document.executive_summary
        parts.append(
            f"Executive summary: {summary.migrated_applications} applications migrated in "
            f"{summary.total_waves} waves over {summary.total_duration_days} days; "
            f"{summary.skill_gaps_identified} skill gaps."
        )
    return " ".join(parts)
