"""The costs section of the PDF report: totals with contingency, by category, role and wave."""

from __future__ import annotations

from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak

from planning_core.export.pdf import charts
from planning_core.export.pdf.blocks import NOT_RUN, Heading, ReportParagraph, Styles, table
from planning_core.export.text import amount, hours, markup, pct
from planning_core.plan import PlanDocument


def costs_section(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    """Cost summary with contingency, then tables and charts by category, role and wave."""
    flow: list[Flowable] = [PageBreak(), Heading("5 Costs", styles.h1, 0, "costs")]
    est = plan.cost_estimation
    if est is None:
        return flow + [ReportParagraph(NOT_RUN, styles.muted)]
    cur = markup(est.currency)
    rows: list[list[object]] = [["Item", f"Amount ({cur})"]]
    rows += [
        ["Labour", amount(est.labour_total)],
        ["One-off costs", amount(est.one_off_total)],
        ["Data transfer", amount(est.data_transfer_total)],
        ["Dual running", amount(est.dual_running_total)],
        ["<b>Subtotal</b>", f"<b>{amount(est.subtotal)}</b>"],
        [f"Contingency ({est.contingency_percentage:g}% of subtotal)", amount(est.contingency)],
        ["<b>Total with contingency</b>", f"<b>{amount(est.total)}</b>"],
    ]
    if est.p50_total or est.p80_total:
        rows += [
            ["P50 total (effort uncertainty)", amount(est.p50_total)],
            ["P80 total (effort uncertainty)", amount(est.p80_total)],
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
        [markup(label), amount(c.amount), _share(c.amount, est.subtotal)]
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
        [markup(r.role.replace("_", " ")), hours(r.hours), amount(r.hourly_rate), amount(r.amount)]
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
            amount(w.labour),
            amount(w.one_off),
            amount(w.dual_running),
            amount(w.data_transfer),
            amount(w.total),
        ]
        for w in est.by_wave
    ]
    flow.append(table(rows, [width * 0.1] + [width * 0.18] * 5, styles, numeric=(0, 1, 2, 3, 4, 5)))
    return flow


def _share(part: Decimal, subtotal: Decimal) -> str:
    return pct(float(part / subtotal * 100)) if subtotal else "\u2013"
