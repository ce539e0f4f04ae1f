"""The compare page: plan families for the sidebar, the scenario form's changes, plans side by side,
the cumulative migration chart, moved applications and the variance against baselines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from planning_core.domain import PlanningConfig
from planning_core.export.compare import PLAN_COLORS, comparison_tables, figure_rows
from planning_core.export.comparison import BaselineVariance, Comparison, baseline_variance
from planning_core.plan import Baseline, PlanDocument
from planning_core.views.format import money, plain

SCENARIO_MARK = "↳ "


def family_id(plan: PlanDocument) -> str:
    """The main plan of the plan's family (itself for a main plan)."""
    return plan.scenario.family_id if plan.scenario else plan.planning_flow_id


def _created(plan: PlanDocument) -> str:
    return plan.created_at.isoformat() if plan.created_at else ""


def family_options(plans: list[PlanDocument]) -> list[tuple[str, str]]:
    """(plan id, label) in sidebar order: each main plan (in the order given, newest first) followed by
    its scenarios (oldest first, marked ↳); scenarios whose main plan is gone come last."""
    by_family: dict[str, list[PlanDocument]] = {}
    for plan in plans:
        if plan.scenario is not None:
            by_family.setdefault(plan.scenario.family_id, []).append(plan)
    options: list[tuple[str, str]] = []
    mains = [p for p in plans if p.scenario is None]
    for main in mains:
        options.append((main.planning_flow_id, main.name))
        scenarios = sorted(by_family.pop(main.planning_flow_id, []), key=_created)
        options += [(s.planning_flow_id, f"{SCENARIO_MARK}{s.name}") for s in scenarios]
    for orphans in by_family.values():
        options += [(s.planning_flow_id, f"{SCENARIO_MARK}{s.name}") for s in orphans]
    return options


def default_selection(plans: list[PlanDocument], chosen: PlanDocument | None, limit: int = 4) -> list[str]:
    """The plans the compare page starts with: the chosen plan's family (main plan first), at most `limit`."""
    if chosen is None:
        return [p.planning_flow_id for p in plans[:2]]
    family = family_id(chosen)
    members = [p for p in plans if family_id(p) == family]
    members.sort(key=lambda p: (p.scenario is not None, _created(p)))
    return [p.planning_flow_id for p in members[:limit]]


def scenario_changes(
    config: PlanningConfig,
    *,
    max_apps_per_wave: int,
    migration_start_date: date,
    wave_duration_limit_days: int,
    contingency_percentage: float,
    effort_uncertainty_pct: float,
    headcounts: dict[str, int],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The settings the scenario form changes (only those that differ from `config`), with `extra`
    (any other setting, as the JSON the analyst typed) on top."""
    changes: dict[str, Any] = {}
    simple = {
        "max_apps_per_wave": max_apps_per_wave,
        "migration_start_date": migration_start_date,
        "wave_duration_limit_days": wave_duration_limit_days,
        "contingency_percentage": contingency_percentage,
    }
    for key, value in simple.items():
        if getattr(config, key) != value:
            changes[key] = value.isoformat() if isinstance(value, date) else value
    if config.cost_inputs.effort_uncertainty_pct != effort_uncertainty_pct:
        changes["cost_inputs"] = {"effort_uncertainty_pct": effort_uncertainty_pct}
    pools = config.model_dump(mode="json")["resource_pools"]
    if any(headcounts.get(p["role"], p["headcount"]) != p["headcount"] for p in pools):
        changes["resource_pools"] = [
            {**p, "headcount": headcounts.get(p["role"], p["headcount"])} for p in pools
        ]
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(changes.get(key), dict):
            changes[key] = {**changes[key], **value}
        else:
            changes[key] = value
    return changes


def _shown(value: object, currency: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return money(value, currency)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def column_names(comparison: Comparison) -> list[str]:
    """The plans' column titles, unique (a repeated name gets its position)."""
    names: list[str] = []
    for index, plan in enumerate(comparison.plans, start=1):
        name = plan.name or plan.planning_flow_id
        names.append(name if name not in names else f"{name} ({index})")
    return names


def figures_frame(comparison: Comparison) -> pd.DataFrame:
    """The key figures side by side: one row per figure, one text column per plan."""
    names = column_names(comparison)
    rows = []
    for label, values in figure_rows(comparison):
        row = {"figure": label}
        for name, plan, value in zip(names, comparison.plans, values, strict=True):
            row[name] = _shown(value, plan.currency)
        rows.append(row)
    return pd.DataFrame(rows, columns=["figure", *names])


def differing_figures(comparison: Comparison) -> list[str]:
    """The figures whose value is not the same in every plan (the page highlights them)."""
    return [label for label, values in figure_rows(comparison) if len({str(v) for v in values}) > 1]


def migrated_figure(comparison: Comparison) -> go.Figure:
    """Cumulative applications migrated over time, one line per plan (steps at each go-live)."""
    figure = go.Figure()
    for index, (name, plan) in enumerate(zip(column_names(comparison), comparison.plans, strict=True)):
        if not plan.migrated_by_date:
            continue
        days = [plan.start_date or plan.migrated_by_date[0][0]] + [d for d, _ in plan.migrated_by_date]
        counts = [0] + [n for _, n in plan.migrated_by_date]
        figure.add_trace(
            go.Scatter(
                x=days,
                y=counts,
                mode="lines+markers",
                line={"shape": "hv", "color": PLAN_COLORS[index % len(PLAN_COLORS)], "width": 2},
                marker={"size": 4},
                name=plain(name),
                hovertemplate="%{x|%d %b %Y}: %{y} applications<extra>" + plain(name) + "</extra>",
            )
        )
    figure.update_layout(
        title="Applications migrated over time",
        xaxis_title=None,
        yaxis_title="applications (cumulative)",
        height=380,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.15},
    )
    return figure


def moved_frame(comparison: Comparison) -> pd.DataFrame:
    """The applications whose wave differs, with their wave in each plan (empty: not migrated there)."""
    names = column_names(comparison)
    rows = [
        {
            "application": m.application_id,
            "name": m.name,
            **{
                name: m.waves.get(p.planning_flow_id) for name, p in zip(names, comparison.plans, strict=True)
            },
        }
        for m in comparison.moved_applications
    ]
    frame = pd.DataFrame(rows, columns=["application", "name", *names])
    for name in names:
        frame[name] = frame[name].astype("Int64")
    return frame


def baseline_frame(comparison: Comparison) -> pd.DataFrame:
    """Each plan with a baseline: the baseline's and today's end date and total, and the variance."""
    table = comparison_tables(comparison)["baselines"]
    return pd.DataFrame(table.rows, columns=table.columns)


def baseline_waves_frame(variance: BaselineVariance) -> pd.DataFrame:
    """A plan's waves against its baseline: dates then and now, and the slip in calendar days."""
    rows = [
        {
            "wave": w.wave_number,
            "baseline_start": w.baseline_start,
            "start": w.start,
            "start_variance_days": w.start_variance_days,
            "baseline_end": w.baseline_end,
            "end": w.end,
            "end_variance_days": w.end_variance_days,
        }
        for w in variance.waves
    ]
    columns = [
        "wave",
        "baseline_start",
        "start",
        "start_variance_days",
        "baseline_end",
        "end",
        "end_variance_days",
    ]
    return pd.DataFrame(rows, columns=columns)


def add_baseline_to_gantt(
    figure: go.Figure, baseline: Baseline, *, waves: list[int] | None = None
) -> go.Figure:
    """The Timeline page's Gantt with the baseline's waves drawn under the bars (a thin grey line per
    wave from its baseline start to its baseline end), so that a slip shows at a glance."""
    chosen = set(waves) if waves is not None else None
    shown = [w for w in baseline.waves if w.start and w.end and (chosen is None or w.wave_number in chosen)]
    if not shown:
        return figure
    xs: list[str | None] = []
    ys: list[str | None] = []
    for wave in shown:
        assert wave.start is not None and wave.end is not None
        xs += [wave.start.isoformat(), wave.end.isoformat(), None]
        ys += [f"Wave {wave.wave_number}"] * 2 + [None]
    figure.add_trace(
        go.Scatter(
            name=plain(f"baseline: {baseline.name}"),
            mode="lines",
            x=xs,
            y=ys,
            line={"color": "rgba(60,60,60,0.55)", "width": 9},
            hoverinfo="skip",
        )
    )
    return figure


def baseline_caption(variance: BaselineVariance) -> str:
    """One line for the Timeline page: the end date and the total against the baseline."""
    parts = [f"Against {variance.baseline_name} (revision {variance.baseline_revision}):"]
    if variance.end_variance_days is not None:
        days = variance.end_variance_days
        parts.append(
            f"ends {abs(days)} days {'later' if days > 0 else 'earlier'}" if days else "same end date"
        )
    if variance.cost_variance is not None:
        parts.append(f"total {'+' if variance.cost_variance >= 0 else '−'}{abs(variance.cost_variance):,.2f}")
    parts.append(f"{variance.moved_applications} application(s) in another wave")
    return " ".join(parts[:1]) + " " + "; ".join(parts[1:]) + "."


def latest_variance(plan: PlanDocument, baselines: list[Baseline]) -> BaselineVariance | None:
    """The plan against its latest baseline (None without a baseline)."""
    return baseline_variance(plan, baselines[-1]) if baselines else None
