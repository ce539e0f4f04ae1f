"""The wave plan and resources sections of the PDF report."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Spacer, Table, TableStyle

from planning_core.export.pdf.blocks import NOT_RUN, TOC_WAVE_LIMIT, Heading, ReportParagraph, Styles, table
from planning_core.export.text import hours, iso, markup, one_line, pct
from planning_core.plan import PlanDocument


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
    empty = [w.wave_number for w in wave_plan.waves if not w.applications]
    if empty:
        flow.append(
            ReportParagraph(
                f"{len(empty):,} {'wave holds' if len(empty) == 1 else 'waves hold'} no applications (the "
                f"numbering keeps room up to the highest pinned wave): {number_ranges(empty)}.",
                styles.body,
            )
        )
    for wave in wave_plan.waves:
        if not wave.applications:
            continue
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


def number_ranges(numbers: list[int]) -> str:
    """Sorted wave numbers as ranges: [1, 2, 3, 7, 9, 10] -> '1\u20133, 7, 9\u201310'."""
    parts: list[str] = []
    start = previous = None
    for number in [*sorted(numbers), None]:
        if previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}\u2013{previous}")
        start = previous = number
    return ", ".join(parts)


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
