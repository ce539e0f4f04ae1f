"""The sections of the PDF report, one function each, from the cover to the appendix."""

from __future__ import annotations

from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)

from planning_core.domain import BASE_EFFORT_HOURS, HOURS_PER_EXTRA_SERVER
from planning_core.export.pdf import charts, gantt
from planning_core.export.pdf.blocks import (
    HEADER_GAP,
    MARGIN,
    NOT_RUN,
    TOC_WAVE_LIMIT,
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
from planning_core.export.text import (
    Fonts,
    hours,
    iso,
    markup,
    money,
    one_line,
    pct,
)
from planning_core.plan import PlanDocument

# ---------------------------------------------------------------- sections


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
                money(estimate.total, markup(estimate.currency)),
                f"subtotal {money(estimate.subtotal)} + contingency {money(estimate.contingency)} "
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
    return figures


def wave_plan_section(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    """Overview of waves, one subsection per wave with its applications, and the not-migrated list."""
    flow: list[Flowable] = [PageBreak(), Heading("2 Wave plan", styles.h1, 0, "waves")]
    wave_plan = plan.wave_plan
    if wave_plan is None:
        return flow + [ReportParagraph(NOT_RUN, styles.muted)]
    windows = {w.wave_number: w for w in plan.timeline.waves} if plan.timeline else {}
    summary = wave_plan.summary
    flow.append(
        ReportParagraph(
            f"{summary.migrated_applications:,} applications migrate in {summary.total_waves:,} waves "
            f"(at most {summary.max_apps_per_wave:,} per wave); {summary.not_migrated_applications:,} not "
            f"migrated. The plan uses {summary.total_waves:,} waves against a lower bound of "
            f"{wave_plan.lower_bound:,} (gap {wave_plan.gap:,}); dependency weight cut across waves: "
            f"{summary.cut_weight:g}.",
            styles.body,
        )
    )
    rows: list[list[object]] = [["Wave", "Name", "Start", "End", "Apps", "Effort (h)", "Notes"]]
    for wave in wave_plan.waves:
        window = windows.get(wave.wave_number)
        notes = ", ".join(n for n, on in (("pilot", wave.is_pilot), ("locked", wave.locked)) if on)
        rows.append(
            [
                str(wave.wave_number),
                markup(wave.name or f"Wave {wave.wave_number}", limit=80),
                iso(window.start if window else None),
                iso(window.end if window else None),
                f"{len(wave.applications):,}",
                hours(wave.total_effort_hours),
                notes,
            ]
        )
    flow.append(
        table(
            rows,
            [w * width for w in (0.07, 0.33, 0.13, 0.13, 0.08, 0.12, 0.14)],
            styles,
            numeric=(0, 4, 5),
            plain=(2, 3, 6),
        )
    )
    list_waves = len(wave_plan.waves) <= TOC_WAVE_LIMIT
    for wave in wave_plan.waves:
        window = windows.get(wave.wave_number)
        flow.append(CondPageBreak(60 * mm))
        title = _wave_title(wave.wave_number, wave.name)
        flow.append(Heading(title, styles.h2, 1, f"wave-{wave.wave_number}", toc=list_waves))
        dates = f"{iso(window.start)} to {iso(window.end)}" if window else "not scheduled yet"
        flags = "".join(
            f" \u00b7 {flag}" for flag, on in (("pilot wave", wave.is_pilot), ("locked", wave.locked)) if on
        )
        flow.append(
            ReportParagraph(
                f"{dates} \u00b7 {len(wave.applications):,} applications \u00b7 "
                f"{hours(wave.total_effort_hours)} effort hours{flags}",
                styles.muted,
            )
        )
        flow.append(_wave_table(wave, styles, width))
    flow.append(CondPageBreak(40 * mm))
    flow.append(Heading("Applications not migrated", styles.h2, 1, "not-migrated"))
    if wave_plan.not_migrated:
        rows = [["ID", "Application", "6R", "Reason"]]
        rows += [
            [markup(n.application_id), markup(n.name), n.six_r_strategy.value, markup(n.reason)]
            for n in wave_plan.not_migrated
        ]
        flow.append(table(rows, [width * 0.14, width * 0.38, width * 0.1, width * 0.38], styles))
    else:
        flow.append(ReportParagraph("Every selected application is migrated.", styles.muted))
    if wave_plan.violations:
        flow.append(Heading("Constraint violations", styles.h2, 1, "violations"))
        rows = [["Constraint", "Hard", "Message", "Waves"]]
        rows += [
            [
                markup(v.constraint),
                "yes" if v.hard else "no",
                markup(v.message),
                ", ".join(str(n) for n in v.wave_numbers),
            ]
            for v in wave_plan.violations
        ]
        flow.append(
            table(
                rows,
                [width * 0.15, width * 0.07, width * 0.63, width * 0.15],
                styles,
                highlight=[i + 1 for i, v in enumerate(wave_plan.violations) if v.hard],
            )
        )
    return flow


def _wave_title(number: int, name: str) -> str:
    """'Wave 3', or 'Wave 3 \u2014 Finance core' when the wave has a name of its own."""
    own = one_line(name)
    if not own or own.lower() == f"wave {number}":
        return f"Wave {number}"
    return f"Wave {number} \u2014 {markup(own, limit=90)}"


def _wave_table(wave, styles: Styles, width: float) -> Table:
    rows: list[list[object]] = [["ID", "Application", "6R", "Cx", "Criticality", "Effort (h)", "Rationale"]]
    for app in wave.applications:
        pinned = " (pinned)" if app.pinned else ""
        rows.append(
            [
                markup(app.application_id),
                markup(app.name) + pinned,
                app.six_r_strategy.value,
                str(app.complexity),
                app.business_criticality.value,
                hours(app.effort_hours),
                markup(app.rationale),
            ]
        )
    widths = [w * width for w in (0.1, 0.27, 0.1, 0.05, 0.1, 0.1, 0.28)]
    return table(rows, widths, styles, numeric=(3, 5), plain=(2, 4))


def resources_section(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    """Role x wave hours and utilisation, and skill gaps."""
    flow: list[Flowable] = [PageBreak(), Heading("3 Resources", styles.h1, 0, "resources")]
    allocation = plan.resource_allocation
    if allocation is None:
        return flow + [ReportParagraph(NOT_RUN, styles.muted)]
    roles: list[str] = []
    for item in allocation.allocations:
        if item.role not in roles:
            roles.append(item.role)
    over = [a for a in allocation.allocations if a.over_allocated]
    flow.append(
        ReportParagraph(
            f"{hours(allocation.total_hours)} hours across {len(roles)} roles. Each cell shows hours and "
            f"utilisation of the role's capacity over the wave; <font color='#C0392B'>red</font> marks "
            f"over-allocation (roles over capacity in a wave: {len(over)}).",
            styles.body,
        )
    )
    flow.append(Heading("Hours and utilisation by role and wave", styles.h2, 1, "role-wave"))
    flow += _role_wave_tables(plan, roles, styles, width)
    flow.append(CondPageBreak(40 * mm))
    flow.append(Heading("Skill gaps", styles.h2, 1, "skill-gaps"))
    if allocation.skill_gaps:
        rows: list[list[object]] = [["Skill", "Severity", "Applications", "Recommendation"]]
        for gap in allocation.skill_gaps:
            ids = ", ".join(gap.application_ids[:12]) + (" \u2026" if len(gap.application_ids) > 12 else "")
            rows.append(
                [
                    markup(gap.skill),
                    markup(gap.severity),
                    f"{len(gap.application_ids):,}: {markup(ids)}",
                    markup(gap.recommendation),
                ]
            )
        flow.append(
            table(
                rows,
                [width * 0.16, width * 0.1, width * 0.34, width * 0.4],
                styles,
                highlight=[i + 1 for i, g in enumerate(allocation.skill_gaps) if g.severity == "high"],
            )
        )
    else:
        flow.append(
            ReportParagraph("No skill gaps: every skill the applications need is in a pool.", styles.muted)
        )
    return flow


def _role_wave_tables(plan: PlanDocument, roles: list[str], styles: Styles, width: float) -> list[Flowable]:
    allocation = plan.resource_allocation
    assert allocation is not None
    cells = {(a.wave_number, a.role): a for a in allocation.allocations}
    waves = sorted({a.wave_number for a in allocation.allocations})
    flow: list[Flowable] = []
    per_table = 6
    for first in range(0, max(len(roles), 1), per_table):
        chunk = roles[first : first + per_table]
        head: list[object] = ["Wave", *(markup(r.replace("_", " ")) for r in chunk), "Total (h)"]
        rows: list[list[object]] = [head]
        style_marks: list[tuple[int, int]] = []
        for r_index, number in enumerate(waves, start=1):
            row: list[object] = [str(number)]
            total = 0.0
            for c_index, role in enumerate(chunk, start=1):
                item = cells.get((number, role))
                if item is None:
                    row.append("\u2013")
                    continue
                total += item.hours
                row.append(f"{hours(item.hours)} \u00b7 {pct(item.utilisation_pct)}")
                if item.over_allocated:
                    style_marks.append((c_index, r_index))
            row.append(hours(total))
            rows.append(row)
        column = (width - 40) / (len(chunk) + 1)
        grid = table(
            rows, [40] + [column] * (len(chunk) + 1), styles, numeric=tuple(range(1, len(chunk) + 2))
        )
        grid.setStyle(TableStyle([("BACKGROUND", c, c, colors.HexColor("#F9D6D2")) for c in style_marks]))
        flow += [grid, Spacer(1, 6)]
    return flow


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
    first_height = tall - 2 * MARGIN - HEADER_GAP - 70
    pages = gantt.gantt_pages(timeline, names, width=width, height=first_height, fonts=fonts)
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


def costs_section(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    """Cost summary with contingency, then tables and charts by category, role and wave."""
    flow: list[Flowable] = [PageBreak(), Heading("5 Costs", styles.h1, 0, "costs")]
    est = plan.cost_estimation
    if est is None:
        return flow + [ReportParagraph(NOT_RUN, styles.muted)]
    cur = markup(est.currency)
    rows: list[list[object]] = [["Item", f"Amount ({cur})"]]
    rows += [
        ["Labour", money(est.labour_total)],
        ["One-off costs", money(est.one_off_total)],
        ["Data transfer", money(est.data_transfer_total)],
        ["Dual running", money(est.dual_running_total)],
        ["<b>Subtotal</b>", f"<b>{money(est.subtotal)}</b>"],
        [f"Contingency ({est.contingency_percentage:g}% of subtotal)", money(est.contingency)],
        ["<b>Total with contingency</b>", f"<b>{money(est.total)}</b>"],
    ]
    if est.p50_total or est.p80_total:
        rows += [
            ["P50 total (effort uncertainty)", money(est.p50_total)],
            ["P80 total (effort uncertainty)", money(est.p80_total)],
        ]
    flow.append(table(rows, [width * 0.6, width * 0.4], styles, numeric=(1,)))
    flow.append(Heading("By category", styles.h2, 1, "cost-category"))
    labels = [c.category.replace("_", " ") for c in est.by_category]
    flow.append(
        KeepTogether(
            [
                charts.horizontal_bars(
                    labels,
                    [c.amount for c in est.by_category],
                    title=f"Cost by category ({est.currency})",
                    width=width,
                    fonts=styles.fonts,
                )
            ]
        )
    )
    rows = [["Category", f"Amount ({cur})", "Share"]]
    rows += [
        [markup(label), money(c.amount), _share(c.amount, est.subtotal)]
        for label, c in zip(labels, est.by_category, strict=True)
    ]
    flow.append(table(rows, [width * 0.5, width * 0.3, width * 0.2], styles, numeric=(1, 2)))
    flow.append(CondPageBreak(80 * mm))
    flow.append(Heading("By role", styles.h2, 1, "cost-role"))
    flow.append(
        charts.horizontal_bars(
            [r.role.replace("_", " ") for r in est.by_role],
            [r.amount for r in est.by_role],
            title=f"Labour by role ({est.currency})",
            width=width,
            fonts=styles.fonts,
        )
    )
    rows = [["Role", "Hours", f"Rate ({cur}/h)", f"Amount ({cur})"]]
    rows += [
        [markup(r.role.replace("_", " ")), hours(r.hours), money(r.hourly_rate), money(r.amount)]
        for r in est.by_role
    ]
    flow.append(table(rows, [width * 0.4, width * 0.2, width * 0.2, width * 0.2], styles, numeric=(1, 2, 3)))
    flow.append(CondPageBreak(90 * mm))
    flow.append(Heading("By wave", styles.h2, 1, "cost-wave"))
    flow.append(charts.wave_cost_chart(est, width=width, fonts=styles.fonts))
    rows = [["Wave", "Labour", "One-off", "Dual running", "Data transfer", f"Total ({cur})"]]
    rows += [
        [
            str(w.wave_number),
            money(w.labour),
            money(w.one_off),
            money(w.dual_running),
            money(w.data_transfer),
            money(w.total),
        ]
        for w in est.by_wave
    ]
    flow.append(table(rows, [width * 0.1] + [width * 0.18] * 5, styles, numeric=(0, 1, 2, 3, 4, 5)))
    return flow


def _share(amount: Decimal, subtotal: Decimal) -> str:
    return pct(float(amount / subtotal * 100)) if subtotal else "\u2013"


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
                ("Data transfer", f"{money(config.cost_inputs.data_transfer_cost_per_gb)} per GB"),
                (
                    "Dual running",
                    f"{money(config.cost_inputs.dual_running_cost_per_server_per_month)} per server per "
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
            money(p.hourly_rate),
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
            [markup(c.name), markup(c.category), money(c.amount)] for c in config.cost_inputs.one_off_costs
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
