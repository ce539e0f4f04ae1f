"""The plan as flat tables (one list of rows per table): the single source of the CSV and XLSX exports.

Each table but the summary and the waves is built from the one document it shows (the dashboard's
tables are built from the same builders); text is cleaned of control characters when written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from planning_core.engines.costs.models import CostEstimate
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.schedule.models import Timeline
from planning_core.engines.waves.models import WavePlan
from planning_core.plan import PlanDocument

Cell = str | int | float | Decimal | date | bool | None


@dataclass
class FlatTable:
    """A named table: column names and rows of plain cells."""

    name: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


def waves_table(plan: PlanDocument) -> FlatTable:
    """One row per migrated application, with its wave and the wave's dates."""
    table = FlatTable(
        "waves",
        [
            "wave_number",
            "wave_name",
            "wave_start",
            "wave_end",
            "is_pilot",
            "application_id",
            "application_name",
            "six_r_strategy",
            "complexity",
            "business_criticality",
            "effort_hours",
            "source",
            "confidence",
            "pinned",
            "rationale",
        ],
    )
    if plan.wave_plan is None:
        return table
    windows = {w.wave_number: w for w in plan.timeline.waves} if plan.timeline else {}
    for wave in plan.wave_plan.waves:
        window = windows.get(wave.wave_number)
        for app in wave.applications:
            table.rows.append(
                [
                    wave.wave_number,
                    wave.name,
                    window.start if window else None,
                    window.end if window else None,
                    wave.is_pilot,
                    app.application_id,
                    app.name,
                    app.six_r_strategy.value,
                    app.complexity,
                    app.business_criticality.value,
                    app.effort_hours,
                    app.source.value,
                    app.confidence,
                    app.pinned,
                    app.rationale,
                ]
            )
    return table


def not_migrated_table(wave_plan: WavePlan | None) -> FlatTable:
    """Applications that get no wave (retire, retain) and why."""
    table = FlatTable("not_migrated", ["application_id", "application_name", "six_r_strategy", "reason"])
    if wave_plan is None:
        return table
    for item in wave_plan.not_migrated:
        table.rows.append([item.application_id, item.name, item.six_r_strategy.value, item.reason])
    return table


def allocations_table(allocation: ResourceAllocation | None) -> FlatTable:
    """Hours per role per wave against capacity."""
    table = FlatTable(
        "allocations",
        [
            "wave_number",
            "role",
            "hours",
            "capacity_hours",
            "utilisation_pct",
            "over_allocated",
            "source",
            "confidence",
            "reason",
        ],
    )
    if allocation is None:
        return table
    for item in allocation.allocations:
        table.rows.append(
            [
                item.wave_number,
                item.role,
                item.hours,
                item.capacity_hours,
                item.utilisation_pct,
                item.over_allocated,
                item.source.value,
                item.confidence,
                item.reason,
            ]
        )
    return table


def skill_gaps_table(allocation: ResourceAllocation | None) -> FlatTable:
    """Skills that applications need and no pool has."""
    table = FlatTable(
        "skill_gaps", ["skill", "severity", "application_count", "application_ids", "recommendation"]
    )
    if allocation is None:
        return table
    for gap in allocation.skill_gaps:
        table.rows.append(
            [
                gap.skill,
                gap.severity,
                len(gap.application_ids),
                "; ".join(gap.application_ids),
                gap.recommendation,
            ]
        )
    return table


def activities_table(timeline: Timeline | None) -> FlatTable:
    """Every scheduled activity with its CPM figures."""
    table = FlatTable(
        "activities",
        [
            "activity_id",
            "wave_number",
            "name",
            "kind",
            "start",
            "end",
            "duration_days",
            "predecessors",
            "earliest_start",
            "latest_start",
            "slack_days",
            "critical",
            "role_hours",
        ],
    )
    if timeline is None:
        return table
    for act in timeline.activities:
        table.rows.append(
            [
                act.id,
                act.wave_number,
                act.name,
                act.kind,
                act.start,
                act.end,
                act.duration_days,
                "; ".join(act.predecessors),
                act.earliest_start,
                act.latest_start,
                act.slack_days,
                act.critical,
                "; ".join(f"{role}={h:g}" for role, h in act.role_hours.items()),
            ]
        )
    return table


def milestones_table(timeline: Timeline | None) -> FlatTable:
    """Cut-overs, go-lives, gate reviews and completion."""
    table = FlatTable("milestones", ["milestone_id", "name", "date", "wave_number", "kind", "description"])
    if timeline is None:
        return table
    for item in timeline.milestones:
        table.rows.append(
            [
                item.id,
                item.name,
                item.date,
                item.wave_number,
                item.kind,
                item.description,
            ]
        )
    return table


def costs_by_wave_table(estimate: CostEstimate | None) -> FlatTable:
    """Cost per wave by kind."""
    table = FlatTable(
        "costs_by_wave",
        ["wave_number", "labour", "one_off", "dual_running", "data_transfer", "total", "currency"],
    )
    if estimate is None:
        return table
    for item in estimate.by_wave:
        table.rows.append(
            [
                item.wave_number,
                item.labour,
                item.one_off,
                item.dual_running,
                item.data_transfer,
                item.total,
                estimate.currency,
            ]
        )
    return table


def costs_by_role_table(estimate: CostEstimate | None) -> FlatTable:
    """Labour cost per role."""
    table = FlatTable("costs_by_role", ["role", "hours", "hourly_rate", "amount", "currency"])
    if estimate is None:
        return table
    for item in estimate.by_role:
        table.rows.append([item.role, item.hours, item.hourly_rate, item.amount, estimate.currency])
    return table


def costs_by_category_table(estimate: CostEstimate | None) -> FlatTable:
    """Cost per category, then subtotal, contingency and total."""
    table = FlatTable("costs_by_category", ["category", "amount", "currency"])
    if estimate is None:
        return table
    for item in estimate.by_category:
        table.rows.append([item.category, item.amount, estimate.currency])
    table.rows.append(["subtotal", estimate.subtotal, estimate.currency])
    table.rows.append(
        [f"contingency ({estimate.contingency_percentage:g}%)", estimate.contingency, estimate.currency]
    )
    table.rows.append(["total", estimate.total, estimate.currency])
    return table


def summary_table(plan: PlanDocument) -> FlatTable:
    """Key figures of the plan as metric/value rows."""
    table = FlatTable("summary", ["metric", "value"])
    rows: list[list[Cell]] = [
        ["plan", plan.name or plan.planning_flow_id],
        ["planning_flow_id", plan.planning_flow_id],
        ["client_account", str(plan.client_account_name or plan.client_account_id)],
        ["engagement", str(plan.engagement_name or plan.engagement_id)],
        ["revision", plan.revision],
        ["version", plan.version],
        ["current_phase", plan.current_phase.value],
        ["phase_status", plan.phase_status.value],
        ["applications", len(plan.selected_applications)],
    ]
    if plan.wave_plan is not None:
        summary = plan.wave_plan.summary
        rows += [
            ["migrated_applications", summary.migrated_applications],
            ["not_migrated_applications", summary.not_migrated_applications],
            ["waves", summary.total_waves],
            ["lower_bound_waves", plan.wave_plan.lower_bound],
            ["wave_gap", plan.wave_plan.gap],
            ["total_effort_hours", summary.total_effort_hours],
        ]
    if plan.timeline is not None:
        rows += [
            ["start_date", plan.timeline.start_date],
            ["end_date", plan.timeline.end_date],
            ["total_working_days", plan.timeline.total_working_days],
            ["total_duration_days", plan.timeline.total_duration_days],
            ["critical_path", " > ".join(plan.timeline.critical_path)],
        ]
    if plan.resource_allocation is not None:
        rows.append(["skill_gaps", len(plan.resource_allocation.skill_gaps)])
    if plan.cost_estimation is not None:
        est = plan.cost_estimation
        rows += [
            ["currency", est.currency],
            ["subtotal", est.subtotal],
            ["contingency_percentage", est.contingency_percentage],
            ["contingency", est.contingency],
            ["total_cost", est.total],
            ["p50_total", est.p50_total],
            ["p80_total", est.p80_total],
        ]
    table.rows = rows
    return table


def plan_tables(plan: PlanDocument) -> dict[str, FlatTable]:
    """Every table of the plan, keyed by name, in export order."""
    tables = (
        summary_table(plan),
        waves_table(plan),
        not_migrated_table(plan.wave_plan),
        allocations_table(plan.resource_allocation),
        skill_gaps_table(plan.resource_allocation),
        activities_table(plan.timeline),
        milestones_table(plan.timeline),
        costs_by_wave_table(plan.cost_estimation),
        costs_by_role_table(plan.cost_estimation),
        costs_by_category_table(plan.cost_estimation),
    )
    return {table.name: table for table in tables}
