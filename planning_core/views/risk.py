"""Risk by simulation on the Timeline and Costs pages: the P50/P80 cards, the histograms of the simulated
end dates and totals, and the drivers (tornado)."""

from __future__ import annotations

import plotly.graph_objects as go

from planning_core.engines.risk.models import RiskAnalysis
from planning_core.export.comparison import risk_figures
from planning_core.plan import PlanDocument
from planning_core.views.format import plain

__all__ = [
    "end_date_histogram_figure",
    "risk_cards",
    "risk_caption",
    "total_cost_histogram_figure",
    "tornado_figure",
]

MARKER_COLORS = {"P50": "#2CA02C", "P80": "#FF7F0E", "P95": "#D62728"}


def risk_cards(plan: PlanDocument) -> list[tuple[str, str, str]]:
    """(label, value, help) cards of the plan's risk simulation; empty before the costs are estimated."""
    return risk_figures(plan)


def risk_caption(risk: RiskAnalysis) -> str:
    """One line under the cards: the method and the effort uncertainty."""
    return (
        f"{risk.method}. Effort uncertainty ±{risk.effort_uncertainty_pct:g}% (the cost settings); "
        "P80: 80% of the simulated programmes end (or cost) no later (no more)."
    )


def end_date_histogram_figure(risk: RiskAnalysis) -> go.Figure:
    """Simulated end dates (iterations per bin) with the planned date and the P50/P80/P95 marked."""
    figure = go.Figure(
        go.Bar(
            x=[b.start for b in risk.end_date_histogram],
            y=[b.count for b in risk.end_date_histogram],
            marker_color="#8DA0CB",
            hovertemplate="%{x|%d %b %Y}: %{y} iterations<extra></extra>",
            name="iterations",
        )
    )
    markers = {"planned": risk.deterministic_end_date, "P50": risk.end_date_p50, "P80": risk.end_date_p80}
    markers["P95"] = risk.end_date_p95
    for label, day in markers.items():
        figure.add_vline(
            x=day.isoformat(),
            line={
                "color": MARKER_COLORS.get(label, "#1F3A5F"),
                "dash": "dot" if label == "planned" else "dash",
            },
        )
        figure.add_annotation(x=day.isoformat(), y=1, yref="paper", text=label, showarrow=False, yshift=8)
    figure.update_layout(
        title="Simulated end dates", height=320, showlegend=False, margin={"l": 10, "r": 10, "t": 50, "b": 10}
    )
    return figure


def total_cost_histogram_figure(risk: RiskAnalysis) -> go.Figure:
    """Simulated totals (iterations per bin) with the planned total and the P50/P80/P95 marked."""
    figure = go.Figure(
        go.Bar(
            x=[float(b.low + b.high) / 2 for b in risk.total_cost_histogram],
            y=[b.count for b in risk.total_cost_histogram],
            marker_color="#66C2A5",
            hovertemplate=f"{plain(risk.currency)} %{{x:,.0f}}: %{{y}} iterations<extra></extra>",
            name="iterations",
        )
    )
    markers = {
        "planned": risk.deterministic_total,
        "P50": risk.total_cost_p50,
        "P80": risk.total_cost_p80,
        "P95": risk.total_cost_p95,
    }
    for label, amount in markers.items():
        figure.add_vline(
            x=float(amount),
            line={
                "color": MARKER_COLORS.get(label, "#1F3A5F"),
                "dash": "dot" if label == "planned" else "dash",
            },
        )
        figure.add_annotation(x=float(amount), y=1, yref="paper", text=label, showarrow=False, yshift=8)
    figure.update_layout(
        title=f"Simulated total cost ({plain(risk.currency)})",
        height=320,
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return figure


def tornado_figure(risk: RiskAnalysis, *, limit: int = 10) -> go.Figure:
    """What drives the spread of the end date: working days of swing per wave or role (largest first)."""
    drivers = sorted(risk.drivers, key=lambda d: abs(d.end_swing_days))[-limit:]
    figure = go.Figure(
        go.Bar(
            x=[d.end_swing_days for d in drivers],
            y=[plain(d.name) for d in drivers],
            orientation="h",
            marker_color="#1F77B4",
            hovertemplate="%{y}: %{x:.1f} working days<extra></extra>",
        )
    )
    figure.update_layout(
        title="What drives the end date (P10 → P90 effort, working days)",
        height=60 + 28 * max(len(drivers), 1),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return figure
