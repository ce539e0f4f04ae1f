"""The resources page: allocations, the role x wave heatmap and skill gaps."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from planning_core.engines.resources.models import ResourceAllocation
from planning_core.export.tables import allocations_table
from planning_core.views.format import plain
from planning_core.views.frames import table_frame, tenth


def allocations_frame(allocation: ResourceAllocation) -> pd.DataFrame:
    """Allocations as a table: wave, role, hours, capacity, utilisation, over-allocation, source, reason."""
    return table_frame(
        allocations_table(allocation),
        {
            "wave_number": "wave",
            "role": "role",
            "hours": "hours",
            "capacity_hours": "capacity_hours",
            "utilisation_pct": "utilisation_pct",
            "over_allocated": "over_allocated",
            "source": "source",
            "reason": "reason",
        },
        dict.fromkeys(("hours", "capacity_hours", "utilisation_pct"), tenth),
    )


def heatmap_figure(allocation: ResourceAllocation) -> go.Figure:
    """Role x wave heatmap of utilisation (colour) with hours as text; over-allocation marked with '▲'."""
    frame = allocations_frame(allocation)
    fig = go.Figure()
    if frame.empty:
        return fig
    roles = sorted(frame["role"].unique())
    waves = sorted(frame["wave"].unique())
    util = frame.pivot_table(index="role", columns="wave", values="utilisation_pct", aggfunc="sum")
    hours = frame.pivot_table(index="role", columns="wave", values="hours", aggfunc="sum")
    over = frame.pivot_table(index="role", columns="wave", values="over_allocated", aggfunc="max")
    util = util.reindex(index=roles, columns=waves)
    hours = hours.reindex(index=roles, columns=waves).fillna(0)
    over = over.reindex(index=roles, columns=waves).fillna(False)
    text = [[f"{'▲ ' if over.loc[r, w] else ''}{hours.loc[r, w]:,.0f}" for w in waves] for r in roles]
    fig.add_trace(
        go.Heatmap(
            z=util.values,
            x=[f"W{w}" for w in waves],
            y=[plain(r) for r in roles],
            text=text,
            texttemplate="%{text}" if len(waves) <= 30 else None,
            colorscale=[
                [0, "#EAF2FB"],
                [0.5, "#6BAED6"],
                [0.8, "#2171B5"],
                [0.8001, "#FDAE6B"],
                [1, "#D62728"],
            ],
            zmin=0,
            zmax=125,
            colorbar={"title": "Utilisation %"},
            hovertemplate="%{y} · %{x}<br>%{text} h<br>%{z:.0f}% of capacity<extra></extra>",
        )
    )
    fig.update_layout(
        height=max(260, 46 * len(roles) + 120),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        title="Hours per role and wave (colour: utilisation; ▲ over-allocated)",
    )
    return fig


def skill_gaps_frame(allocation: ResourceAllocation) -> pd.DataFrame:
    """Skill gaps with their severity, recommendation and the applications that need the skill."""
    rows = [
        {
            "skill": g.skill,
            "severity": g.severity,
            "applications": len(g.application_ids),
            "recommendation": g.recommendation,
            "application_ids": ", ".join(g.application_ids[:15])
            + (" …" if len(g.application_ids) > 15 else ""),
        }
        for g in allocation.skill_gaps
    ]
    return pd.DataFrame(
        rows, columns=["skill", "severity", "applications", "recommendation", "application_ids"]
    )
