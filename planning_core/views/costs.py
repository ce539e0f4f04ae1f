"""The costs page: contingency what-if, cost tables and charts by wave, role and category."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go

from planning_core.domain import to_money
from planning_core.engines.costs.models import CostEstimate
from planning_core.export.tables import costs_by_category_table, costs_by_role_table, costs_by_wave_table
from planning_core.views.format import COST_CATEGORY_COLORS, compact_money, plain
from planning_core.views.frames import table_frame, tenth


@dataclass(frozen=True)
class ContingencyEffect:
    """The cost totals at a contingency percentage."""

    percentage: float
    subtotal: Decimal
    contingency: Decimal
    total: Decimal


def contingency_effect(cost: CostEstimate, percentage: float) -> ContingencyEffect:
    """Totals if contingency were `percentage` (contingency = subtotal x pct / 100, to the cent)."""
    contingency = to_money(cost.subtotal * Decimal(str(percentage)) / Decimal(100))
    return ContingencyEffect(
        percentage=percentage,
        subtotal=cost.subtotal,
        contingency=contingency,
        total=to_money(cost.subtotal + contingency),
    )


def cost_by_wave_frame(cost: CostEstimate) -> pd.DataFrame:
    """Cost per wave split into labour, one-off, dual running and data transfer."""
    amounts = ("labour", "one_off", "dual_running", "data_transfer", "total")
    return table_frame(
        costs_by_wave_table(cost),
        {"wave_number": "wave", **{column: column for column in amounts}},
        dict.fromkeys(amounts, float),
    )


def cost_by_role_frame(cost: CostEstimate) -> pd.DataFrame:
    """Labour cost per role: hours, rate, amount."""
    return table_frame(
        costs_by_role_table(cost),
        {"role": "role", "hours": "hours", "hourly_rate": "hourly_rate", "amount": "amount"},
        {"hours": tenth, "hourly_rate": float, "amount": float},
    )


def cost_by_category_frame(cost: CostEstimate) -> pd.DataFrame:
    """Cost per category with its share of the subtotal (%)."""
    subtotal = float(cost.subtotal) or 1.0
    table = costs_by_category_table(cost)
    table.columns.append("share_pct")
    table.rows = [  # one row per category: the subtotal, contingency and total rows after them are left out
        [*row, round(100 * float(c.amount) / subtotal, 1)]
        for row, c in zip(table.rows, cost.by_category, strict=False)
    ]
    return table_frame(
        table, {"category": "category", "amount": "amount", "share_pct": "share_pct"}, {"amount": float}
    )


def cost_by_wave_figure(cost: CostEstimate) -> go.Figure:
    """Stacked bars of cost per wave by component."""
    frame = cost_by_wave_frame(cost)
    fig = go.Figure()
    for column in ("labour", "one_off", "dual_running", "data_transfer"):
        fig.add_trace(
            go.Bar(
                name=column.replace("_", " "),
                x=[f"W{w}" for w in frame["wave"]],
                y=frame[column],
                marker={"color": COST_CATEGORY_COLORS[column]},
            )
        )
    fig.update_layout(
        barmode="stack",
        height=360,
        title=f"Cost per wave ({cost.currency})",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "y": -0.18},
    )
    return fig


def cost_waterfall_figure(cost: CostEstimate) -> go.Figure:
    """Waterfall: each category, the subtotal, contingency, and the total."""
    frame = cost_by_category_frame(cost)
    labels = [plain(c).replace("_", " ") for c in frame["category"]] + [
        "subtotal",
        f"contingency {cost.contingency_percentage:g}%",
        "total",
    ]
    values = [*frame["amount"], float(cost.subtotal), float(cost.contingency), float(cost.total)]
    measures = ["relative"] * len(frame) + ["total", "relative", "total"]
    fig = go.Figure(
        go.Waterfall(
            x=labels,
            y=values,
            measure=measures,
            text=[compact_money(v, "") for v in values],
            textposition="outside",
            connector={"line": {"color": "#BBBBBB"}},
            increasing={"marker": {"color": "#1F77B4"}},
            totals={"marker": {"color": "#2CA02C"}},
        )
    )
    fig.update_layout(
        height=360,
        title=f"From categories to total ({cost.currency})",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        showlegend=False,
    )
    return fig


def cost_by_role_figure(cost: CostEstimate) -> go.Figure:
    """Horizontal bars of labour cost per role."""
    frame = cost_by_role_frame(cost).sort_values("amount")
    fig = go.Figure(
        go.Bar(
            orientation="h",
            x=frame["amount"],
            y=[plain(r) for r in frame["role"]],
            marker={"color": "#1F77B4"},
            customdata=frame[["hours", "hourly_rate"]].values,
            hovertemplate="%{y}: %{x:,.2f}<br>%{customdata[0]:,.1f} h × %{customdata[1]:,.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=max(260, 40 * len(frame) + 100),
        title=f"Labour cost per role ({cost.currency})",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return fig


def contingency_figure(
    cost: CostEstimate, *, steps: Iterable[float] = (0, 5, 10, 15, 20, 25, 30)
) -> go.Figure:
    """Total cost at several contingency settings, the current one highlighted."""
    effects = [contingency_effect(cost, p) for p in sorted({*steps, cost.contingency_percentage})]
    fig = go.Figure(
        go.Bar(
            x=[f"{e.percentage:g}%" for e in effects],
            y=[float(e.total) for e in effects],
            marker={
                "color": [
                    "#2CA02C" if e.percentage == cost.contingency_percentage else "#9ECAE1" for e in effects
                ]
            },
            hovertemplate="contingency %{x}: total %{y:,.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=300,
        title="Total cost by contingency setting (green: this plan)",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return fig
