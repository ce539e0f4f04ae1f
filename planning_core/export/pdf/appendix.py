"""The appendix of the PDF report: configuration, solvers, warnings, agent reviews, dependencies, revision."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Spacer

from planning_core.domain import BASE_EFFORT_HOURS, HOURS_PER_EXTRA_SERVER
from planning_core.export.pdf.blocks import Heading, ReportParagraph, Styles, ai_box, key_values, table
from planning_core.export.text import amount, hours, iso, markup
from planning_core.plan import PlanDocument


def appendix(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    """Configuration and assumptions, warnings, agent reviews and the revision record."""
    config = plan.planning_config
    flow: list[Flowable] = [PageBreak(), Heading("Appendix", styles.h1, 0, "appendix")]
    flow.append(Heading("A. Configuration and assumptions", styles.h2, 1, "configuration"))
    blackouts = "; ".join(
        f"{iso(b.start)} to {iso(b.end)} {markup(b.reason)}" for b in config.blackout_windows
    )
    holidays = ", ".join(iso(d) for d in sorted(config.holidays))
    flow.append(
        key_values(
            [
                ("Migration start", iso(config.migration_start_date)),
                (
                    "Calendar",
                    f"{config.working_days_per_week} working days per week, {config.hours_per_day:g} hours "
                    f"per day",
                ),
                ("Holidays", holidays or "none"),
                ("Blackout windows", blackouts or "none"),
                ("Max applications per wave", f"{config.max_apps_per_wave:,}"),
                ("Wave duration limit", f"{config.wave_duration_limit_days:,} days"),
                ("Effort capacity per wave", f"{hours(config.wave_effort_capacity_hours)} h"),
                (
                    "Pilot wave",
                    f"yes, at most {config.pilot_max_apps} applications" if config.pilot_wave else "no",
                ),
                ("Contingency", f"{config.contingency_percentage:g}% of subtotal"),
                ("Data transfer", f"{amount(config.cost_inputs.data_transfer_cost_per_gb)} per GB"),
                (
                    "Dual running",
                    f"{amount(config.cost_inputs.dual_running_cost_per_server_per_month)} per server per "
                    f"month for {config.cost_inputs.dual_running_months:g} months",
                ),
                ("Effort uncertainty", f"{config.cost_inputs.effort_uncertainty_pct:g}%"),
            ],
            styles,
            width,
        )
    )
    flow.append(ReportParagraph("Rates and capacity by role", styles.h3))
    rows: list[list[object]] = [["Role", "Headcount", "h/week each", "Rate", "Currency", "Skills"]]
    rows += [
        [
            markup(p.role.replace("_", " ")),
            str(p.headcount),
            f"{p.capacity_hours_per_week:g}",
            amount(p.hourly_rate),
            markup(p.currency),
            markup(", ".join(p.skills)),
        ]
        for p in config.resource_pools
    ]
    flow.append(
        table(rows, [w * width for w in (0.2, 0.1, 0.11, 0.11, 0.09, 0.39)], styles, numeric=(1, 2, 3))
    )
    if config.cost_inputs.one_off_costs:
        flow.append(ReportParagraph("One-off costs", styles.h3))
        rows = [["Item", "Category", "Amount"]]
        rows += [
            [markup(c.name), markup(c.category), amount(c.amount)] for c in config.cost_inputs.one_off_costs
        ]
        flow.append(table(rows, [width * 0.5, width * 0.25, width * 0.25], styles, numeric=(2,)))
    flow.append(ReportParagraph("Effort model", styles.h3))
    flow.append(
        ReportParagraph(
            "When an application has no effort estimate, effort = base hours for its 6R strategy \u00d7 (0.4 + "
            f"0.12 \u00d7 complexity) + {HOURS_PER_EXTRA_SERVER:g} hours per server beyond the first. Base hours "
            "(complexity 5): " + ", ".join(f"{k.value} {v:g} h" for k, v in BASE_EFFORT_HOURS.items()) + ".",
            styles.body,
        )
    )
    flow += _solver_notes(plan, styles, width)
    flow += _warnings(plan, styles, width)
    flow += _agent_log(plan, styles, width)
    flow += _dependencies(plan, styles)
    flow.append(CondPageBreak(50 * mm))
    flow.append(Heading("E. Revision", styles.h2, 1, "revision"))
    flow.append(
        key_values(
            [
                ("Plan id", markup(plan.planning_flow_id)),
                ("Revision / version", f"{plan.revision} / {plan.version}"),
                ("Created", iso(plan.created_at)),
                ("Last updated", iso(plan.updated_at)),
                ("Completed", iso(plan.planning_completed_at)),
                (
                    "Phases",
                    ", ".join(
                        f"{p.value.replace('_', ' ')}: {s.value}" for p, s in plan.phase_statuses.items()
                    ),
                ),
            ],
            styles,
            width,
        )
    )
    return flow


def _solver_notes(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    pairs: list[tuple[str, str]] = []
    for label, solver in (
        ("Wave planner", plan.wave_plan.solver if plan.wave_plan else {}),
        ("Scheduler", plan.timeline.solver if plan.timeline else {}),
    ):
        if solver:
            pairs.append((label, markup(", ".join(f"{k}: {v}" for k, v in solver.items()))))
    if plan.wave_plan and plan.wave_plan.lower_bounds:
        pairs.append(
            (
                "Wave lower bounds",
                markup(", ".join(f"{k}: {v}" for k, v in plan.wave_plan.lower_bounds.items())),
            )
        )
    if not pairs:
        return []
    return [ReportParagraph("Solvers", styles.h3), key_values(pairs, styles, width)]


def _warnings(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    sources: list[tuple[str, list[str]]] = [("Plan", plan.warnings)]
    for label, part in (
        ("Wave planning", plan.wave_plan),
        ("Resources", plan.resource_allocation),
        ("Timeline", plan.timeline),
        ("Costs", plan.cost_estimation),
    ):
        if part is not None:
            sources.append((label, part.warnings))
    rows: list[list[object]] = [["Phase", "Warning"]]
    rows += [[label, markup(text)] for label, items in sources for text in items]
    flow: list[Flowable] = [CondPageBreak(30 * mm), Heading("B. Warnings", styles.h2, 1, "warnings")]
    if len(rows) == 1:
        return flow + [ReportParagraph("No warnings.", styles.muted)]
    return flow + [table(rows, [width * 0.18, width * 0.82], styles)]


def _agent_log(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    flow: list[Flowable] = [CondPageBreak(30 * mm), Heading("C. Agent reviews", styles.h2, 1, "agents")]
    if not plan.agent_execution_log:
        return flow + [
            ReportParagraph(
                "No agent reviewed this plan; every figure comes from the optimizer.", styles.muted
            )
        ]
    rows: list[list[object]] = [["Agent", "Phase", "Started", "Outcome", "Accepted", "Rejected", "Errors"]]
    rows += [
        [
            markup(r.agent),
            r.phase.value.replace("_", " "),
            iso(r.started_at),
            markup(r.outcome),
            str(len(r.accepted)),
            str(len(r.rejected)),
            markup("; ".join(r.errors)) or "\u2013",
        ]
        for r in plan.agent_execution_log
    ]
    flow.append(
        table(rows, [w * width for w in (0.22, 0.15, 0.16, 0.1, 0.08, 0.08, 0.21)], styles, numeric=(4, 5))
    )
    for run in plan.agent_execution_log:
        if run.narrative.strip():
            flow += [Spacer(1, 5), ai_box(run.narrative, styles, width, run.agent)]
    return flow


def _dependencies(plan: PlanDocument, styles: Styles) -> list[Flowable]:
    together = sum(d.dependency_type.value == "move_together" for d in plan.dependencies)
    text = (
        f"{len(plan.dependencies):,} {'dependency' if len(plan.dependencies) == 1 else 'dependencies'} "
        f"between the selected applications: {together:,} move "
        f"together (kept in one wave), {len(plan.dependencies) - together:,} precede (the source migrates no "
        "later than the target)."
    )
    return [
        CondPageBreak(30 * mm),
        Heading("D. Dependencies", styles.h2, 1, "dependencies"),
        ReportParagraph(text, styles.body),
    ]
