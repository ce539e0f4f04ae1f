"""The timeline page: activities, the Gantt chart and weekly resource load."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go

from planning_core.engines.schedule.models import Timeline
from planning_core.views.format import ACTIVITY_COLORS, CRITICAL_COLOR, plain


def activities_frame(timeline: Timeline) -> pd.DataFrame:
    """Activities with dates, duration, slack and whether they are on the critical path."""
    critical = set(timeline.critical_path)
    rows = [
        {
            "activity": a.id,
            "wave": a.wave_number,
            "name": a.name,
            "start": a.start,
            "end": a.end,
            "working_days": a.duration_days,
            "slack_days": a.slack_days,
            "critical": a.critical or a.id in critical,
            "predecessors": ", ".join(a.predecessors),
        }
        for a in timeline.activities
    ]
    columns = [
        "activity",
        "wave",
        "name",
        "start",
        "end",
        "working_days",
        "slack_days",
        "critical",
        "predecessors",
    ]
    return pd.DataFrame(rows, columns=columns)


def _ms(days: int) -> int:
    return days * 86_400_000


def gantt_figure(
    timeline: Timeline,
    *,
    today: date | None = None,
    blackouts: Iterable[tuple[date, date, str]] = (),
    waves: Iterable[int] | None = None,
) -> go.Figure:
    """Gantt: a row per wave, activities as bars, critical path outlined red, milestones, blackouts, today."""
    chosen = set(waves) if waves is not None else None
    activities = [a for a in timeline.activities if chosen is None or a.wave_number in chosen]
    critical = set(timeline.critical_path)
    fig = go.Figure()
    for kind in dict.fromkeys(a.kind for a in activities):
        items = [a for a in activities if a.kind == kind]
        is_critical = [a.critical or a.id in critical for a in items]
        fig.add_trace(
            go.Bar(
                name=kind.replace("_", " "),
                orientation="h",
                y=[f"Wave {a.wave_number}" for a in items],
                base=[a.start.isoformat() for a in items],
                x=[_ms((a.end - a.start).days + 1) for a in items],
                marker={
                    "color": ACTIVITY_COLORS.get(kind, "#999999"),
                    "line": {
                        "color": [CRITICAL_COLOR if c else "rgba(0,0,0,0)" for c in is_critical],
                        "width": [3 if c else 0 for c in is_critical],
                    },
                },
                customdata=[
                    [
                        plain(a.name),
                        a.start.isoformat(),
                        a.end.isoformat(),
                        a.slack_days,
                        "yes" if c else "no",
                    ]
                    for a, c in zip(items, is_critical, strict=True)
                ],
                hovertemplate=(
                    "%{customdata[0]}<br>%{customdata[1]} → %{customdata[2]}<br>"
                    "slack %{customdata[3]} working days · critical: %{customdata[4]}<extra></extra>"
                ),
            )
        )
    milestones = [m for m in timeline.milestones if chosen is None or m.wave_number in chosen]
    if milestones:
        fig.add_trace(
            go.Scatter(
                name="milestones",
                mode="markers",
                x=[m.date.isoformat() for m in milestones],
                y=[f"Wave {m.wave_number}" if m.wave_number is not None else "Programme" for m in milestones],
                marker={
                    "symbol": "diamond",
                    "size": 11,
                    "color": "#222222",
                    "line": {"color": "white", "width": 1},
                },
                customdata=[
                    [plain(m.name), m.kind.replace("_", " "), m.date.isoformat()] for m in milestones
                ],
                hovertemplate="%{customdata[0]}<br>%{customdata[1]} · %{customdata[2]}<extra></extra>",
            )
        )
    for start, end, reason in blackouts:
        fig.add_vrect(
            x0=start.isoformat(),
            x1=(end + timedelta(days=1)).isoformat(),
            fillcolor="#7F7F7F",
            opacity=0.18,
            line_width=0,
            annotation_text=plain(reason or "blackout")[:40],
            annotation_position="top left",
        )
    if today is not None:
        fig.add_shape(
            type="line",
            x0=today.isoformat(),
            x1=today.isoformat(),
            y0=0,
            y1=1,
            yref="paper",
            line={"color": "#D62728", "dash": "dot", "width": 2},
        )
        fig.add_annotation(
            x=today.isoformat(),
            y=1,
            yref="paper",
            text="today",
            showarrow=False,
            yanchor="bottom",
            font={"color": "#D62728"},
        )
    rows = len({a.wave_number for a in activities}) + (
        1 if any(m.wave_number is None for m in milestones) else 0
    )
    fig.update_layout(
        barmode="overlay",
        height=max(320, 26 * rows + 140),
        xaxis={"type": "date", "title": None},
        yaxis={"autorange": "reversed", "title": None},
        legend={"orientation": "h", "y": -0.12 if rows < 12 else -0.04},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        bargap=0.35,
    )
    return fig


def resource_load_figure(timeline: Timeline, *, role: str) -> go.Figure:
    """Weekly hours of one role against its capacity; weeks over capacity in red."""
    loads = sorted((r for r in timeline.resource_load if r.role == role), key=lambda r: r.week_start)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            name="hours",
            x=[r.week_start.isoformat() for r in loads],
            y=[round(r.hours, 1) for r in loads],
            marker={
                "color": [CRITICAL_COLOR if r.hours > r.capacity_hours + 1e-6 else "#1F77B4" for r in loads]
            },
        )
    )
    fig.add_trace(
        go.Scatter(
            name="capacity",
            x=[r.week_start.isoformat() for r in loads],
            y=[round(r.capacity_hours, 1) for r in loads],
            mode="lines",
            line={"color": "#333333", "dash": "dash", "shape": "hv"},
        )
    )
    fig.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        title=f"Weekly load of {plain(role)} vs capacity",
        yaxis={"title": "hours per week"},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def roles_over_capacity(timeline: Timeline) -> dict[str, int]:
    """Role -> number of weeks its load exceeds its capacity."""
    weeks: dict[str, int] = {}
    for load in timeline.resource_load:
        weeks.setdefault(load.role, 0)
        if load.hours > load.capacity_hours + 1e-6:
            weeks[load.role] += 1
    return weeks
