"""The front of the PDF report: cover page, table of contents and executive summary."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from planning_core.export.comparison import risk_figures
from planning_core.export.pdf.blocks import (
    Contents,
    Heading,
    PageRegistry,
    ReportParagraph,
    Styles,
    ai_box,
    figure_cards,
    key_values,
    table,
)
from planning_core.export.text import amount, hours, iso, markup, pct
from planning_core.plan import PlanDocument


def cover(plan: PlanDocument, styles: Styles) -> list[Flowable]:
    """Cover page: plan name, client account, engagement, date, revision."""
    date_of = plan.planning_completed_at or plan.updated_at or plan.created_at
    lines = [
        ("Client account", markup(plan.client_account_name or f"#{plan.client_account_id}")),
        ("Engagement", markup(plan.engagement_name or f"#{plan.engagement_id}")),
        ("Date", iso(date_of.date() if date_of else None)),
        ("Revision", f"{plan.revision} (version {plan.version})"),
        ("Status", _status(plan)),
        ("Plan id", markup(plan.planning_flow_id)),
    ]
    flow: list[Flowable] = [
        Spacer(1, 62 * mm),
        ReportParagraph(markup(plan.name or "Migration plan"), styles.cover_title),
    ]
    flow.append(Spacer(1, 6 * mm))
    rows = [
        [ReportParagraph(label, styles.muted), ReportParagraph(value, styles.cover_line)]
        for label, value in lines
    ]
    grid = Table(rows, colWidths=[40 * mm, None], hAlign="LEFT")
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    flow.append(grid)
    return flow


def _status(plan: PlanDocument) -> str:
    phase = plan.current_phase.value.replace("_", " ")
    if plan.current_phase.value == "completed":
        return "completed"
    return f"{phase} \u2014 {plan.phase_status.value}"


def contents(flow: list[Flowable], styles: Styles, registry: PageRegistry) -> list[Flowable]:
    """The table of contents of the given story (its headings marked for the contents)."""
    entries = [(f.level, f.text, f.key) for f in flow if isinstance(f, Heading) and f.toc]
    return [ReportParagraph("Contents", styles.h1), Contents(entries, styles, registry)]


def executive_summary(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    """Key figures, plan quality, risks, recommendations and the (marked) AI narrative."""
    flow: list[Flowable] = [Heading("1 Executive summary", styles.h1, 0, "summary")]
    flow.append(figure_cards(_key_figures(plan), styles, width))
    flow.append(Spacer(1, 8))
    synthesis = plan.synthesis
    if synthesis is None:
        flow.append(
            ReportParagraph(
                "The synthesis phase has not been run yet: risks and recommendations are not available.",
                styles.muted,
            )
        )
        return flow
    if synthesis.quality:
        flow.append(ReportParagraph("Plan quality", styles.h2))
        flow.append(
            key_values([_quality(key, value) for key, value in synthesis.quality.items()], styles, width)
        )
    for title, findings in (("Risks", synthesis.risks), ("Recommendations", synthesis.recommendations)):
        flow.append(ReportParagraph(title, styles.h2))
        if not findings:
            flow.append(
                ReportParagraph(f"No {title.lower()} were identified from the plan's figures.", styles.muted)
            )
            continue
        rows: list[list[object]] = [["Severity", "Finding", "Detail", "Metric"]]
        rows += [
            [markup(f.severity), f"<b>{markup(f.title)}</b>", markup(f.detail), markup(f.metric)]
            for f in findings
        ]
        high = [i + 1 for i, f in enumerate(findings) if f.severity.lower() == "high"]
        flow.append(
            table(rows, [width * 0.1, width * 0.27, width * 0.48, width * 0.15], styles, highlight=high)
        )
    if synthesis.narrative.strip():
        flow += [Spacer(1, 8), ai_box(synthesis.narrative, styles, width, "synthesis")]
    return flow


def _quality(key: str, value: float | int | str) -> tuple[str, str]:
    """A quality figure as a readable label and value ('peak_utilisation_pct' -> 'Peak utilisation', '61.4%')."""
    is_pct = key.endswith("_pct")
    label = (key[: -len("_pct")] if is_pct else key).replace("_", " ").capitalize()
    if isinstance(value, str):
        return label, markup(value)
    if is_pct:
        return label, pct(float(value))
    return label, f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def _key_figures(plan: PlanDocument) -> list[tuple[str, str, str]]:
    figures: list[tuple[str, str, str]] = []
    wave_plan, timeline, estimate = plan.wave_plan, plan.timeline, plan.cost_estimation
    total_apps = len(plan.selected_applications) or len(plan.applications)
    if wave_plan is not None:
        summary = wave_plan.summary
        figures.append(
            (
                "Applications",
                f"{summary.total_applications:,}",
                f"{summary.migrated_applications:,} migrated, "
                f"{summary.not_migrated_applications:,} not migrated",
            )
        )
        figures.append(
            (
                "Waves",
                f"{summary.total_waves:,}",
                f"lower bound {wave_plan.lower_bound:,}, gap {wave_plan.gap:,}"
                + (f" ({markup(wave_plan.lower_bound_kind)})" if wave_plan.lower_bound_kind else ""),
            )
        )
    else:
        figures.append(("Applications", f"{total_apps:,}", "wave planning not run yet"))
    if timeline is not None:
        figures.append(
            (
                "Duration",
                f"{timeline.total_working_days:,} working days",
                f"{iso(timeline.start_date)} to {iso(timeline.end_date)} "
                f"({timeline.total_duration_days:,} calendar days)",
            )
        )
    if estimate is not None:
        figures.append(
            (
                "Total cost with contingency",
                amount(estimate.total, markup(estimate.currency)),
                f"subtotal {amount(estimate.subtotal)} + contingency {amount(estimate.contingency)} "
                f"({estimate.contingency_percentage:g}%)",
            )
        )
    if wave_plan is not None:
        figures.append(
            (
                "Effort",
                f"{hours(wave_plan.summary.total_effort_hours)} h",
                f"capacity per wave {hours(wave_plan.summary.effort_capacity_hours)} h",
            )
        )
    if plan.resource_allocation is not None:
        gaps = plan.resource_allocation.skill_gaps
        figures.append(
            (
                "Skill gaps",
                f"{len(gaps):,}",
                markup(", ".join(g.skill for g in gaps[:6]) + (" \u2026" if len(gaps) > 6 else ""))
                or "every required skill is covered",
            )
        )
    # The risk simulation (issue 17): P50/P80 end date and cost, and whether the contingency covers P80.
    figures.extend(
        (markup(label), markup(value), markup(detail)) for label, value, detail in risk_figures(plan)
    )
    return figures
