"""Exports of a comparison of plans: the XLSX workbook and the PDF (landscape: the key figures side by
side, cumulative applications migrated over time, the applications whose wave differs, the variance
against baselines). Pure: bytes from a `Comparison`."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate, Spacer

from planning_core.export.comparison import Comparison, PlanFigures
from planning_core.export.data import _write_sheet
from planning_core.export.pdf.blocks import MARGIN, ReportParagraph, Styles, table
from planning_core.export.pdf.report import _binary_streams
from planning_core.export.tables import Cell, FlatTable
from planning_core.export.text import amount, iso, markup, one_line, register_fonts

# One colour per plan column, in order (the page's chart uses the same).
PLAN_COLORS = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728")
PDF_MOVED_LIMIT = 400  # applications listed in the PDF (the XLSX lists them all)


def figure_rows(comparison: Comparison) -> list[tuple[str, list[Cell]]]:
    """The key figures, one row per figure and one value per plan (None: not computed)."""
    plans = comparison.plans
    roles = sorted({role for p in plans for role in p.peak_headcount})

    def row(label: str, value_of) -> tuple[str, list[Cell]]:
        return label, [value_of(p) for p in plans]

    rows = [
        row(
            "Scenario of",
            lambda p: next(
                (q.name for q in plans if q.planning_flow_id == p.scenario_of), p.scenario_of or "main plan"
            ),
        ),
        row("Settings changed", lambda p: ", ".join(p.changed_settings) or "—"),
        row("Applications", lambda p: p.applications),
        row("Waves", lambda p: p.waves),
        row("Lower bound", lambda p: p.lower_bound),
        row("Gap to lower bound", lambda p: p.gap),
        row("Start date", lambda p: p.start_date),
        row("End date", lambda p: p.end_date),
        row("End date P50", lambda p: p.end_date_p50),
        row("End date P80", lambda p: p.end_date_p80),
        row("Duration (calendar days)", lambda p: p.duration_days),
        row("Duration (working days)", lambda p: p.working_days),
        row("Total cost", lambda p: p.total_cost),
        row("Total cost P50", lambda p: p.total_cost_p50),
        row("Total cost P80", lambda p: p.total_cost_p80),
        row(
            "Contingency covers P80",
            lambda p: (
                None if p.contingency_covers_p80 is None else ("yes" if p.contingency_covers_p80 else "no")
            ),
        ),
        row("Hard violations", lambda p: p.hard_violations),
        row("Skill gaps", lambda p: ", ".join(p.skill_gaps) or "none"),
        row("Not migrated", lambda p: p.not_migrated),
    ]
    rows += [row(f"Peak headcount: {role}", lambda p, r=role: p.peak_headcount.get(r)) for role in roles]
    return rows


def comparison_tables(comparison: Comparison) -> dict[str, FlatTable]:
    """The comparison as flat tables: figures, moved applications, migrated over time, baselines."""
    names = [p.name or p.planning_flow_id for p in comparison.plans]
    figures = FlatTable(
        "figures", ["figure", *names], [[label, *values] for label, values in figure_rows(comparison)]
    )
    moved = FlatTable(
        "moved_applications",
        ["application_id", "name", *names],
        [
            [m.application_id, m.name, *[m.waves.get(p.planning_flow_id) for p in comparison.plans]]
            for m in comparison.moved_applications
        ],
    )
    days = sorted({day for p in comparison.plans for day, _ in p.migrated_by_date})
    series = [dict(p.migrated_by_date) for p in comparison.plans]
    over_time = FlatTable("migrated_over_time", ["date", *names])
    last = [0] * len(series)
    for day in days:
        last = [s.get(day, before) for s, before in zip(series, last, strict=True)]
        over_time.rows.append([day, *last])
    baselines = FlatTable(
        "baselines",
        [
            "plan",
            "baseline",
            "baseline_revision",
            "baseline_end",
            "end",
            "end_variance_days",
            "baseline_total",
            "total",
            "cost_variance",
            "moved_applications",
        ],
        [
            [
                next(
                    (p.name for p in comparison.plans if p.planning_flow_id == v.planning_flow_id),
                    v.planning_flow_id,
                ),
                v.baseline_name,
                v.baseline_revision,
                v.baseline_end_date,
                v.end_date,
                v.end_variance_days,
                v.baseline_total_cost,
                v.total_cost,
                v.cost_variance,
                v.moved_applications,
            ]
            for v in comparison.baselines
        ],
    )
    return {t.name: t for t in (figures, moved, over_time, baselines)}


XLSX_SHEETS = {
    "figures": "Side by side",
    "moved_applications": "Moved applications",
    "migrated_over_time": "Migrated over time",
    "baselines": "Baselines",
}


def render_comparison_xlsx(comparison: Comparison) -> bytes:
    """The comparison as a workbook: one sheet per table."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    tables = comparison_tables(comparison)
    for name, title in XLSX_SHEETS.items():
        _write_sheet(workbook, title, tables[name])
    workbook.properties.title = "Comparison of plans"
    workbook.properties.creator = "Planning Flow"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value: Cell, currency: str) -> str:
    """A cell as report markup."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return markup(amount(value, currency))
    if isinstance(value, date):
        return iso(value)
    return markup(value)


def _chart(plans: list[PlanFigures], width: float, styles: Styles) -> Drawing:
    """Cumulative applications migrated over time, one line per plan (x: days from the first start)."""
    height = 190.0
    drawing = Drawing(width, height)
    starts = [p.migrated_by_date[0][0] for p in plans if p.migrated_by_date]
    if not starts:
        drawing.add(
            String(0, height / 2, "No plan has a timeline yet.", fontName=styles.fonts.regular, fontSize=8)
        )
        return drawing
    origin = min(min(starts), *(p.start_date for p in plans if p.start_date))
    chart = LinePlot()
    chart.x, chart.y, chart.width, chart.height = 40, 30, width - 180, height - 45
    chart.data = [
        [(float(((p.start_date or p.migrated_by_date[0][0]) - origin).days), 0.0)]
        + [(float((day - origin).days), float(n)) for day, n in p.migrated_by_date]
        for p in plans
        if p.migrated_by_date
    ]
    for index, _plan in enumerate(p for p in plans if p.migrated_by_date):
        line = chart.lines[index]
        line.strokeColor = colors.HexColor(PLAN_COLORS[index % len(PLAN_COLORS)])
        line.strokeWidth = 1.6
        line.symbol = makeMarker("FilledCircle", size=2)
    chart.xValueAxis.labels.fontName = chart.yValueAxis.labels.fontName = styles.fonts.regular
    chart.xValueAxis.labels.fontSize = chart.yValueAxis.labels.fontSize = 7
    chart.xValueAxis.valueMin = 0
    chart.yValueAxis.valueMin = 0
    chart.xValueAxis.labelTextFormat = lambda days: iso(date.fromordinal(origin.toordinal() + int(days)))[:7]
    drawing.add(chart)
    for index, plan in enumerate(plans):
        y = height - 20 - 14 * index
        drawing.add(
            String(
                width - 130,
                y,
                one_line(plan.name)[:34],
                fontName=styles.fonts.regular,
                fontSize=7.5,
                fillColor=colors.HexColor(PLAN_COLORS[index % len(PLAN_COLORS)]),
            )
        )
    return drawing


def comparison_story(comparison: Comparison, styles: Styles, width: float) -> list[Flowable]:
    """The flowables of the comparison PDF."""
    plans = comparison.plans
    currency = plans[0].currency if plans else "USD"
    names = [markup(p.name or p.planning_flow_id) for p in plans]
    first = width * 0.24
    rest = (width - first) / max(len(plans), 1)
    flow: list[Flowable] = [
        ReportParagraph("Comparison of plans", styles.h1),
        ReportParagraph(
            f"{len(plans)} plans side by side; {len(comparison.moved_applications)} applications are in "
            "different waves. P50/P80 are simulated (risk analysis of each plan's costs).",
            styles.muted,
        ),
    ]
    flow += [ReportParagraph(markup(w), styles.muted) for w in comparison.warnings]
    rows: list[list[object]] = [["Figure", *names]]
    rows += [
        [markup(label), *[_text(v, currency) for v in values]] for label, values in figure_rows(comparison)
    ]
    flow.append(table(rows, [first] + [rest] * len(plans), styles, numeric=tuple(range(1, len(plans) + 1))))
    flow.append(
        KeepTogether(
            [ReportParagraph("Applications migrated over time", styles.h2), _chart(plans, width, styles)]
        )
    )
    if comparison.baselines:
        flow.append(ReportParagraph("Variance against baselines", styles.h2))
        base_rows: list[list[object]] = [
            ["Plan", "Baseline", "Baseline end", "End", "Days", "Cost variance", "Moved"]
        ]
        for v in comparison.baselines:
            plan_name = next((p.name for p in plans if p.planning_flow_id == v.planning_flow_id), "")
            base_rows.append(
                [
                    markup(plan_name),
                    markup(v.baseline_name),
                    _text(v.baseline_end_date, currency),
                    _text(v.end_date, currency),
                    _text(v.end_variance_days, currency),
                    _text(v.cost_variance, currency),
                    str(v.moved_applications),
                ]
            )
        flow.append(
            table(
                base_rows,
                [width * w for w in (0.2, 0.2, 0.12, 0.12, 0.08, 0.16, 0.12)],
                styles,
                numeric=(4, 5, 6),
            )
        )
    flow.append(ReportParagraph("Applications whose wave differs", styles.h2))
    moved = comparison.moved_applications
    if not moved:
        flow.append(ReportParagraph("Every application is in the same wave in every plan.", styles.body))
    else:
        shown = moved[:PDF_MOVED_LIMIT]
        app_rows: list[list[object]] = [["Application", "Name", *names]]
        app_rows += [
            [
                markup(m.application_id),
                markup(m.name),
                *[_text(m.waves.get(p.planning_flow_id), currency) for p in plans],
            ]
            for m in shown
        ]
        id_width, name_width = width * 0.18, width * 0.3
        wave_width = (width - id_width - name_width) / max(len(plans), 1)
        flow.append(
            table(
                app_rows,
                [id_width, name_width] + [wave_width] * len(plans),
                styles,
                numeric=tuple(range(2, len(plans) + 2)),
            )
        )
        if len(moved) > len(shown):
            flow += [
                Spacer(1, 4),
                ReportParagraph(
                    f"… and {len(moved) - len(shown):,} more (see the XLSX export).", styles.muted
                ),
            ]
    return flow


def render_comparison_pdf(comparison: Comparison) -> bytes:
    """The comparison as a landscape PDF."""
    fonts = register_fonts()
    styles = Styles(fonts)
    buffer = io.BytesIO()
    size = landscape(A4)
    doc = BaseDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title="Comparison of plans",
        author="Planning Flow",
        creator="Planning Flow",
        invariant=1,
    )
    frame = Frame(MARGIN, MARGIN, size[0] - 2 * MARGIN, size[1] - 2 * MARGIN, id="page")
    doc.addPageTemplates([PageTemplate("page", [frame], pagesize=size)])
    with _binary_streams():
        doc.build(comparison_story(comparison, styles, doc.width))
    return buffer.getvalue()
