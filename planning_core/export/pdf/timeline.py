"""The timeline section of the PDF report: Gantt pages, critical path, milestones and activities."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, NextPageTemplate, PageBreak

from planning_core.export.pdf import gantt
from planning_core.export.pdf.blocks import (
    HEADER_GAP,
    MARGIN,
    NOT_RUN,
    Heading,
    ReportParagraph,
    Styles,
    table,
)
from planning_core.export.text import Fonts, iso, markup
from planning_core.plan import PlanDocument


def timeline_section(plan: PlanDocument, styles: Styles, fonts: Fonts) -> list[Flowable]:
    """Gantt chart on landscape pages with the critical path and milestones, then the activity table."""
    wide, tall = landscape(A4)
    width = wide - 2 * MARGIN
    flow: list[Flowable] = [
        NextPageTemplate("landscape"),
        PageBreak(),
        Heading("4 Timeline", styles.h1, 0, "timeline"),
    ]
    timeline = plan.timeline
    if timeline is None:
        return flow + [ReportParagraph(NOT_RUN, styles.muted), NextPageTemplate("portrait")]
    critical = [a for a in timeline.activities if a.critical]
    flow.append(
        ReportParagraph(
            f"{iso(timeline.start_date)} to {iso(timeline.end_date)}: {timeline.total_working_days:,} working "
            f"days ({timeline.total_duration_days:,} calendar days), {len(timeline.activities):,} activities, "
            f"{len(timeline.milestones):,} milestones. The critical path ({len(critical):,} activities) is "
            f"outlined in red.",
            styles.body,
        )
    )
    flow.append(gantt.legend(fonts, width))
    names = {w.wave_number: w.name for w in plan.wave_plan.waves} if plan.wave_plan else {}
    frame_height = tall - 2 * MARGIN - HEADER_GAP - 12  # less the frame's padding and a little room
    pages = gantt.gantt_pages(
        timeline, names, width=width, height=frame_height - 72, fonts=fonts, next_height=frame_height
    )
    for index, drawing in enumerate(pages):
        if index:
            flow.append(PageBreak())
        flow.append(drawing)
    flow.append(PageBreak())
    flow.append(Heading("Critical path and milestones", styles.h2, 1, "critical-path"))
    path = " \u2192 ".join(markup(step) for step in timeline.critical_path) or "none reported"
    flow.append(ReportParagraph(f"<b>Critical path:</b> {path}", styles.body))
    if timeline.milestones:
        rows: list[list[object]] = [["Date", "Milestone", "Kind", "Wave", "Description"]]
        rows += [
            [
                iso(m.date),
                markup(m.name),
                markup(m.kind.replace("_", " ")),
                str(m.wave_number) if m.wave_number is not None else "\u2013",
                markup(m.description),
            ]
            for m in timeline.milestones
        ]
        flow.append(table(rows, [w * width for w in (0.1, 0.3, 0.12, 0.06, 0.42)], styles))
    flow.append(CondPageBreak(40 * mm))
    flow.append(Heading("Activities", styles.h2, 1, "activities"))
    rows = [["ID", "Activity", "Wave", "Start", "End", "Days", "Slack", "Predecessors", "Critical"]]
    for act in timeline.activities:
        rows.append(
            [
                markup(act.id),
                markup(act.name),
                str(act.wave_number),
                iso(act.start),
                iso(act.end),
                str(act.duration_days),
                str(act.slack_days),
                markup(", ".join(act.predecessors)),
                "yes" if act.critical else "",
            ]
        )
    flow.append(
        table(
            rows,
            [w * width for w in (0.1, 0.25, 0.05, 0.09, 0.09, 0.05, 0.05, 0.24, 0.08)],
            styles,
            numeric=(2, 5, 6),
            plain=(3, 4, 8),
            highlight=[i + 1 for i, a in enumerate(timeline.activities) if a.critical],
        )
    )
    flow.append(NextPageTemplate("portrait"))
    return flow
