"""View models for the dashboard: tables, figures, badges and form checks, computed from plan documents.

Pure functions over the domain models (no streamlit here): the pages draw what these return.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from pydantic import ValidationError

from planning_core.domain import (
    PHASE_ORDER,
    Phase,
    PhaseStatus,
    PlanningConfig,
    Portfolio,
    ResourcePool,
    to_money,
)
from planning_core.engines.costs.models import CostEstimate
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.schedule.models import Timeline
from planning_core.engines.synthesis.models import Synthesis
from planning_core.engines.waves.models import Violation, WavePlan
from planning_core.plan import PlanDocument
from planning_core.portfolio.template import APPLICATION_COLUMNS

PHASE_LABELS: dict[Phase, str] = {
    Phase.WAVE_PLANNING: "Wave planning",
    Phase.RESOURCE_ALLOCATION: "Resource allocation",
    Phase.TIMELINE_GENERATION: "Timeline",
    Phase.COST_ESTIMATION: "Cost estimation",
    Phase.SYNTHESIS: "Synthesis",
    Phase.COMPLETED: "Completed",
}

STATUS_ICONS: dict[PhaseStatus, str] = {
    PhaseStatus.PENDING: ":material/radio_button_unchecked:",
    PhaseStatus.RUNNING: ":material/progress_activity:",
    PhaseStatus.COMPLETED: ":material/check_circle:",
    PhaseStatus.FAILED: ":material/error:",
    PhaseStatus.STALE: ":material/update:",
}

STATUS_COLORS: dict[PhaseStatus, str] = {
    PhaseStatus.PENDING: "gray",
    PhaseStatus.RUNNING: "blue",
    PhaseStatus.COMPLETED: "green",
    PhaseStatus.FAILED: "red",
    PhaseStatus.STALE: "orange",
}

CRITICALITY_COLORS = {"low": "gray", "medium": "blue", "high": "orange", "critical": "red"}
ACTIVITY_COLORS = {
    "plan": "#8DA0CB",
    "migrate": "#1F77B4",
    "test": "#66C2A5",
    "cutover": "#FC8D62",
    "cut_over": "#FC8D62",
    "hypercare": "#B3B3B3",
}
CRITICAL_COLOR = "#D62728"
COST_CATEGORY_COLORS = {
    "labour": "#1F77B4",
    "one_off": "#9467BD",
    "dual_running": "#FF7F0E",
    "data_transfer": "#17BECF",
}


# --------------------------------------------------------------------------- text helpers
def money(amount: Decimal | float | int, currency: str = "USD") -> str:
    """An exact amount with thousands separators and the currency: 'USD 1,234.50'."""
    return f"{currency} {to_money(amount):,.2f}"


def compact_money(amount: Decimal | float | int, currency: str = "USD") -> str:
    """A short amount for cards: 'USD 1.23M', 'USD 45.6K', 'USD 950' (no currency: '1.23M')."""
    value = float(amount)
    for limit, suffix, digits in ((1e9, "B", 2), (1e6, "M", 2), (1e3, "K", 1)):
        if abs(value) >= limit:
            return f"{currency} {value / limit:,.{digits}f}{suffix}".strip()
    return f"{currency} {value:,.0f}".strip()


def plain(text: object) -> str:
    """User text made inert for plotly labels (which understand a little HTML)."""
    return html.escape(str(text), quote=True)


# --------------------------------------------------------------------------- phases
@dataclass(frozen=True)
class PhaseStep:
    """One phase of the progress strip."""

    phase: Phase
    label: str
    status: PhaseStatus
    icon: str
    color: str
    current: bool


def phase_strip(plan: PlanDocument | None) -> list[PhaseStep]:
    """The six phases with their status (all pending without a plan)."""
    steps = []
    for phase in PHASE_ORDER:
        status = plan.phase_statuses.get(phase, PhaseStatus.PENDING) if plan else PhaseStatus.PENDING
        steps.append(
            PhaseStep(
                phase=phase,
                label=PHASE_LABELS[phase],
                status=status,
                icon=STATUS_ICONS[status],
                color=STATUS_COLORS[status],
                current=plan is not None and plan.current_phase == phase,
            )
        )
    return steps


def hard_violations(plan: PlanDocument | None) -> list[Violation]:
    """The unresolved hard violations stored with the plan's wave plan."""
    if plan is None or plan.wave_plan is None:
        return []
    return [v for v in plan.wave_plan.violations if v.hard]


def failed_phases(plan: PlanDocument | None) -> list[str]:
    """Labels of phases whose last run failed."""
    if plan is None:
        return []
    return [PHASE_LABELS[p] for p, s in plan.phase_statuses.items() if s == PhaseStatus.FAILED]


def violations_frame(violations: Iterable[Violation]) -> pd.DataFrame:
    """Violations as a table: constraint, hard/soft, message, waves and applications involved."""
    rows = [
        {
            "constraint": v.constraint,
            "severity": "hard" if v.hard else "soft",
            "message": v.message,
            "waves": ", ".join(str(w) for w in v.wave_numbers),
            "applications": ", ".join(v.application_ids[:20]) + (" …" if len(v.application_ids) > 20 else ""),
        }
        for v in violations
    ]
    return pd.DataFrame(rows, columns=["constraint", "severity", "message", "waves", "applications"])


# --------------------------------------------------------------------------- portfolio
PORTFOLIO_COLUMNS = [c for c in APPLICATION_COLUMNS if c != "pinned_wave"]


def portfolio_frame(portfolio: Portfolio) -> pd.DataFrame:
    """One row per application with its effort (given or derived) and skills as text."""
    rows = [
        {
            "application_id": a.application_id,
            "name": a.name,
            "business_unit": a.business_unit,
            "environment": a.environment,
            "six_r_strategy": a.six_r_strategy.value,
            "complexity": a.complexity,
            "business_criticality": a.business_criticality.value,
            "effort_hours": a.effort,
            "server_count": a.server_count,
            "data_size_gb": a.data_size_gb,
            "required_skills": ", ".join(a.required_skills),
        }
        for a in portfolio.applications
    ]
    return pd.DataFrame(rows, columns=PORTFOLIO_COLUMNS)


@dataclass(frozen=True)
class PortfolioFilter:
    """What the analyst filters the portfolio by; empty means 'any'."""

    business_units: tuple[str, ...] = ()
    strategies: tuple[str, ...] = ()
    criticalities: tuple[str, ...] = ()
    complexity: tuple[int, int] = (1, 10)
    text: str = ""


def filter_applications(frame: pd.DataFrame, flt: PortfolioFilter) -> pd.DataFrame:
    """The rows matching every filter; text matches id, name, business unit or skills (any case)."""
    mask = pd.Series(True, index=frame.index)
    if flt.business_units:
        mask &= frame["business_unit"].isin(flt.business_units)
    if flt.strategies:
        mask &= frame["six_r_strategy"].isin(flt.strategies)
    if flt.criticalities:
        mask &= frame["business_criticality"].isin(flt.criticalities)
    low, high = flt.complexity
    mask &= frame["complexity"].between(low, high)
    text = flt.text.strip().lower()
    if text:
        haystack = (
            frame["application_id"].str.lower()
            + " "
            + frame["name"].str.lower()
            + " "
            + frame["business_unit"].str.lower()
            + " "
            + frame["required_skills"].str.lower()
        )
        mask &= haystack.str.contains(text, regex=False)
    return frame[mask]


def dependencies_frame(portfolio: Portfolio, application_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Dependencies (with both names) touching the given applications, or all of them."""
    names = {a.application_id: a.name for a in portfolio.applications}
    keep = set(application_ids) if application_ids is not None else None
    rows = [
        {
            "source": d.source_application_id,
            "source_name": names.get(d.source_application_id, ""),
            "type": d.dependency_type.value,
            "target": d.target_application_id,
            "target_name": names.get(d.target_application_id, ""),
            "weight": d.weight,
        }
        for d in portfolio.dependencies
        if keep is None or d.source_application_id in keep or d.target_application_id in keep
    ]
    return pd.DataFrame(rows, columns=["source", "source_name", "type", "target", "target_name", "weight"])


@dataclass(frozen=True)
class SelectionSummary:
    """Count and effort of a selection of applications."""

    selected: int
    migrated: int
    not_migrated: int
    effort_hours: float


def selection_summary(portfolio: Portfolio, selected_ids: Iterable[str]) -> SelectionSummary:
    """How many applications are selected, how many migrate, and their total effort."""
    chosen = set(selected_ids)
    apps = [a for a in portfolio.applications if a.application_id in chosen]
    migrated = [a for a in apps if a.migrated]
    return SelectionSummary(
        selected=len(apps),
        migrated=len(migrated),
        not_migrated=len(apps) - len(migrated),
        effort_hours=round(sum(a.effort for a in migrated), 1),
    )


def page_slice(frame: pd.DataFrame, *, page: int, page_size: int) -> pd.DataFrame:
    """One page (1-based) of a table; pages past the end give the last page."""
    pages = page_count(len(frame), page_size)
    page = min(max(page, 1), pages)
    return frame.iloc[(page - 1) * page_size : page * page_size]


def page_count(rows: int, page_size: int) -> int:
    """Number of pages for a row count (at least one)."""
    return max(1, math.ceil(rows / page_size))


# --------------------------------------------------------------------------- configuration form
POOL_COLUMNS = ["role", "headcount", "capacity_hours_per_week", "hourly_rate", "currency", "skills"]
BLACKOUT_COLUMNS = ["start", "end", "reason"]


def pools_frame(pools: Iterable[ResourcePool]) -> pd.DataFrame:
    """Resource pools as editable rows (skills as a comma-separated string)."""
    rows = [
        {
            "role": p.role,
            "headcount": p.headcount,
            "capacity_hours_per_week": p.capacity_hours_per_week,
            "hourly_rate": float(p.hourly_rate),
            "currency": p.currency,
            "skills": ", ".join(p.skills),
        }
        for p in pools
    ]
    return pd.DataFrame(rows, columns=POOL_COLUMNS)


def blackouts_frame(config: PlanningConfig) -> pd.DataFrame:
    """Blackout windows as editable rows."""
    rows = [{"start": w.start, "end": w.end, "reason": w.reason} for w in config.blackout_windows]
    frame = pd.DataFrame(rows, columns=BLACKOUT_COLUMNS)
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def _blank(value: Any) -> bool:
    """True for None, NaN/NaT and whitespace-only strings."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _cell(value: Any) -> Any:
    """A table cell as a plain Python value (None for blanks, dates for timestamps)."""
    if _blank(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):
        return value.item()
    return value


def records(frame: pd.DataFrame | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of an edited table as dicts, skipping rows that are entirely blank."""
    rows = frame.to_dict("records") if isinstance(frame, pd.DataFrame) else list(frame)
    cleaned = [{k: _cell(v) for k, v in row.items()} for row in rows]
    return [row for row in cleaned if any(v is not None for v in row.values())]


def pool_records(frame: pd.DataFrame | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Edited pool rows as ResourcePool inputs (skills split on commas)."""
    result = []
    for row in records(frame):
        item = {k: v for k, v in row.items() if v is not None}
        if isinstance(item.get("skills"), str):
            item["skills"] = [s.strip() for s in item["skills"].split(",") if s.strip()]
        item.setdefault("role", "")
        result.append(item)
    return result


def parse_dates(text: str) -> tuple[list[date], str]:
    """Dates written one per line (or comma-separated) as YYYY-MM-DD; an error names the bad entry."""
    dates: list[date] = []
    for token in text.replace(",", "\n").split():
        try:
            dates.append(date.fromisoformat(token.strip()))
        except ValueError:
            return [], f"'{token.strip()[:30]}' is not a date; write dates as YYYY-MM-DD, one per line."
    return sorted(set(dates)), ""


FIELD_LABELS = {
    "max_apps_per_wave": "Max applications per wave",
    "wave_duration_limit_days": "Wave duration limit (days)",
    "contingency_percentage": "Contingency (%)",
    "migration_start_date": "Migration start date",
    "working_days_per_week": "Working days per week",
    "hours_per_day": "Hours per day",
    "blackout_windows": "Blackout windows",
    "resource_pools": "Resource pools",
    "holidays": "Holidays",
    "cost_inputs": "Cost inputs",
}


def _error_message(item: Mapping[str, Any]) -> str:
    """One pydantic error as a sentence, with the table row (1-based) and column when inside a list."""
    loc = [p for p in item.get("loc", ()) if p != "__root__"]
    message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
    detail = []
    if len(loc) > 1 and isinstance(loc[1], int):
        detail.append(f"row {loc[1] + 1}")
        if len(loc) > 2:
            detail.append(str(loc[2]).replace("_", " "))
    elif len(loc) > 1:
        detail.append(str(loc[1]).replace("_", " "))
    return f"{', '.join(detail)}: {message}" if detail else message


def _model_error_field(message: str) -> str:
    """The form field a whole-config error belongs to (e.g. duplicate pool roles -> resource_pools)."""
    lowered = message.lower()
    if "resource pool" in lowered:
        return "resource_pools"
    if "blackout" in lowered:
        return "blackout_windows"
    return "form"


def config_errors(values: dict[str, Any]) -> tuple[PlanningConfig | None, dict[str, str]]:
    """Validate form values: the config, or messages keyed by the form field they belong to."""
    try:
        return PlanningConfig.model_validate(values), {}
    except ValidationError as error:
        errors: dict[str, list[str]] = {}
        for item in error.errors():
            loc = [p for p in item.get("loc", ()) if p != "__root__"]
            key = str(loc[0]) if loc else _model_error_field(str(item.get("msg", "")))
            errors.setdefault(key, []).append(_error_message(item))
        return None, {k: "; ".join(dict.fromkeys(v)) for k, v in errors.items()}


# --------------------------------------------------------------------------- wave board
@dataclass
class WaveCard:
    """One wave as the board shows it."""

    wave_number: int
    name: str
    applications: int
    effort_hours: float
    start: date | None
    end: date | None
    locked: bool
    is_pilot: bool
    violations: int
    over_capacity: bool
    strategies: dict[str, int] = field(default_factory=dict)
    criticalities: dict[str, int] = field(default_factory=dict)


def wave_cards(plan: PlanDocument) -> list[WaveCard]:
    """A card per wave: totals, dates (from the timeline), lock, pilot, mix and violation count."""
    if plan.wave_plan is None:
        return []
    windows = {w.wave_number: w for w in plan.timeline.waves} if plan.timeline else {}
    flagged = _violations_by_wave(plan.wave_plan)
    capacity = plan.wave_plan.summary.effort_capacity_hours
    cards = []
    for wave in plan.wave_plan.waves:
        window = windows.get(wave.wave_number)
        strategies: dict[str, int] = {}
        criticalities: dict[str, int] = {}
        for app in wave.applications:
            strategies[app.six_r_strategy.value] = strategies.get(app.six_r_strategy.value, 0) + 1
            crit = app.business_criticality.value
            criticalities[crit] = criticalities.get(crit, 0) + 1
        cards.append(
            WaveCard(
                wave_number=wave.wave_number,
                name=wave.name or f"Wave {wave.wave_number}",
                applications=len(wave.applications),
                effort_hours=wave.total_effort_hours,
                start=window.start if window else None,
                end=window.end if window else None,
                locked=wave.locked,
                is_pilot=wave.is_pilot,
                violations=flagged.get(wave.wave_number, 0),
                over_capacity=capacity > 0 and wave.total_effort_hours > capacity,
                strategies=dict(sorted(strategies.items())),
                criticalities=criticalities,
            )
        )
    return cards


def _violations_by_wave(wave_plan: WavePlan) -> dict[int, int]:
    """Number of violations that name each wave."""
    counts: dict[int, int] = {}
    for violation in wave_plan.violations:
        for number in set(violation.wave_numbers):
            counts[number] = counts.get(number, 0) + 1
    return counts


def flagged_applications(wave_plan: WavePlan) -> dict[str, str]:
    """Application id -> the constraints it breaks (e.g. 'precedence, max_apps')."""
    flags: dict[str, list[str]] = {}
    for violation in wave_plan.violations:
        for app in violation.application_ids:
            flags.setdefault(app, [])
            if violation.constraint not in flags[app]:
                flags[app].append(violation.constraint)
    return {app: ", ".join(names) for app, names in flags.items()}


BOARD_COLUMNS = [
    "application_id",
    "name",
    "wave",
    "locked",
    "issues",
    "six_r_strategy",
    "complexity",
    "business_criticality",
    "effort_hours",
    "source",
    "rationale",
]


def board_frame(wave_plan: WavePlan) -> pd.DataFrame:
    """Every migrated application with its wave (editable on the board), badges and issues."""
    flags = flagged_applications(wave_plan)
    rows = [
        {
            "application_id": app.application_id,
            "name": app.name,
            "wave": wave.wave_number,
            "locked": app.pinned,
            "six_r_strategy": app.six_r_strategy.value,
            "complexity": app.complexity,
            "business_criticality": app.business_criticality.value,
            "effort_hours": app.effort_hours,
            "source": app.source.value,
            "issues": flags.get(app.application_id, ""),
            "rationale": app.rationale,
        }
        for wave in wave_plan.waves
        for app in wave.applications
    ]
    return pd.DataFrame(rows, columns=BOARD_COLUMNS)


def filter_board(
    frame: pd.DataFrame, *, waves: Iterable[int] = (), text: str = "", only_issues: bool = False
) -> pd.DataFrame:
    """Board rows of the chosen waves matching the text (id or name), optionally only flagged ones."""
    mask = pd.Series(True, index=frame.index)
    chosen = list(waves)
    if chosen:
        mask &= frame["wave"].isin(chosen)
    text = text.strip().lower()
    if text:
        mask &= (frame["application_id"].str.lower() + " " + frame["name"].str.lower()).str.contains(
            text, regex=False
        )
    if only_issues:
        mask &= frame["issues"] != ""
    return frame[mask]


@dataclass(frozen=True)
class BoardEdit:
    """What the analyst changed in the board table: moves and lock changes by application id."""

    moves: dict[str, int]
    locks: dict[str, bool]

    @property
    def empty(self) -> bool:
        return not self.moves and not self.locks


def board_edits(shown: pd.DataFrame, edited_rows: dict[Any, dict[str, Any]]) -> BoardEdit:
    """Translate data_editor's edited_rows (positions in the shown table) into moves and locks."""
    moves: dict[str, int] = {}
    locks: dict[str, bool] = {}
    for position, change in edited_rows.items():
        index = int(position)
        if not 0 <= index < len(shown):
            continue
        row = shown.iloc[index]
        app_id = str(row["application_id"])
        if "wave" in change and not _blank(change["wave"]) and int(change["wave"]) != int(row["wave"]):
            moves[app_id] = int(change["wave"])
        if (
            "locked" in change
            and change["locked"] is not None
            and bool(change["locked"]) != bool(row["locked"])
        ):
            locks[app_id] = bool(change["locked"])
    return BoardEdit(moves=moves, locks=locks)


def wave_overview_figure(cards: list[WaveCard], *, capacity_hours: float) -> go.Figure:
    """Effort per wave against the wave capacity: red with violations, green for the pilot."""
    colors = [
        CRITICAL_COLOR if c.violations or c.over_capacity else ("#2CA02C" if c.is_pilot else "#1F77B4")
        for c in cards
    ]
    fig = go.Figure(
        go.Bar(
            x=[f"W{c.wave_number}" for c in cards],
            y=[c.effort_hours for c in cards],
            marker={"color": colors},
            customdata=[[c.applications, c.violations, plain(c.name)] for c in cards],
            hovertemplate="%{customdata[2]}<br>%{y:,.0f} h · %{customdata[0]} apps · "
            "%{customdata[1]} violation(s)<extra></extra>",
            name="effort",
        )
    )
    if capacity_hours > 0 and cards:
        fig.add_hline(
            y=capacity_hours,
            line={"color": "#333333", "dash": "dash"},
            annotation_text="wave capacity",
            annotation_position="top left",
        )
    fig.update_layout(
        height=230,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        showlegend=False,
        yaxis={"title": "effort (h)"},
        bargap=0.25,
    )
    return fig


def not_migrated_frame(wave_plan: WavePlan) -> pd.DataFrame:
    """Applications that get no wave (retire, retain) and why."""
    rows = [
        {
            "application_id": n.application_id,
            "name": n.name,
            "six_r_strategy": n.six_r_strategy.value,
            "reason": n.reason,
        }
        for n in wave_plan.not_migrated
    ]
    return pd.DataFrame(rows, columns=["application_id", "name", "six_r_strategy", "reason"])


def quality_line(wave_plan: WavePlan) -> str:
    """'12 waves; lower bound 11 (capacity); gap 1' — the plan's quality in one line."""
    kind = f" ({wave_plan.lower_bound_kind})" if wave_plan.lower_bound_kind else ""
    return f"{len(wave_plan.waves)} waves; lower bound {wave_plan.lower_bound}{kind}; gap {wave_plan.gap}"


# --------------------------------------------------------------------------- undo / redo
@dataclass(frozen=True)
class EditHistory:
    """Per-session undo/redo stacks of (revision before, revision after) pairs of one plan."""

    planning_flow_id: str = ""
    undo: tuple[tuple[int, int], ...] = ()
    redo: tuple[tuple[int, int], ...] = ()


def record_edit(history: EditHistory, *, planning_flow_id: str, before: int, after: int) -> EditHistory:
    """A new edit: pushed on the undo stack; the redo stack is cleared (another plan resets both)."""
    undo = history.undo if history.planning_flow_id == planning_flow_id else ()
    return EditHistory(planning_flow_id=planning_flow_id, undo=(*undo, (before, after)), redo=())


def undo_target(history: EditHistory) -> tuple[int | None, EditHistory]:
    """The revision to roll back to for an undo, and the history after it."""
    if not history.undo:
        return None, history
    last = history.undo[-1]
    return last[0], EditHistory(history.planning_flow_id, history.undo[:-1], (*history.redo, last))


def redo_target(history: EditHistory) -> tuple[int | None, EditHistory]:
    """The revision to roll back to for a redo, and the history after it."""
    if not history.redo:
        return None, history
    last = history.redo[-1]
    return last[1], EditHistory(history.planning_flow_id, (*history.undo, last), history.redo[:-1])


# --------------------------------------------------------------------------- resources
def allocations_frame(allocation: ResourceAllocation) -> pd.DataFrame:
    """Allocations as a table: wave, role, hours, capacity, utilisation, over-allocation, source, reason."""
    rows = [
        {
            "wave": a.wave_number,
            "role": a.role,
            "hours": round(a.hours, 1),
            "capacity_hours": round(a.capacity_hours, 1),
            "utilisation_pct": round(a.utilisation_pct, 1),
            "over_allocated": a.over_allocated,
            "source": a.source.value,
            "reason": a.reason,
        }
        for a in allocation.allocations
    ]
    columns = [
        "wave",
        "role",
        "hours",
        "capacity_hours",
        "utilisation_pct",
        "over_allocated",
        "source",
        "reason",
    ]
    return pd.DataFrame(rows, columns=columns)


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


# --------------------------------------------------------------------------- timeline
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


# --------------------------------------------------------------------------- costs
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
    rows = [
        {
            "wave": w.wave_number,
            "labour": float(w.labour),
            "one_off": float(w.one_off),
            "dual_running": float(w.dual_running),
            "data_transfer": float(w.data_transfer),
            "total": float(w.total),
        }
        for w in cost.by_wave
    ]
    return pd.DataFrame(rows, columns=["wave", "labour", "one_off", "dual_running", "data_transfer", "total"])


def cost_by_role_frame(cost: CostEstimate) -> pd.DataFrame:
    """Labour cost per role: hours, rate, amount."""
    rows = [
        {
            "role": r.role,
            "hours": round(r.hours, 1),
            "hourly_rate": float(r.hourly_rate),
            "amount": float(r.amount),
        }
        for r in cost.by_role
    ]
    return pd.DataFrame(rows, columns=["role", "hours", "hourly_rate", "amount"])


def cost_by_category_frame(cost: CostEstimate) -> pd.DataFrame:
    """Cost per category with its share of the subtotal (%)."""
    subtotal = float(cost.subtotal) or 1.0
    rows = [
        {
            "category": c.category,
            "amount": float(c.amount),
            "share_pct": round(100 * float(c.amount) / subtotal, 1),
        }
        for c in cost.by_category
    ]
    return pd.DataFrame(rows, columns=["category", "amount", "share_pct"])


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


# --------------------------------------------------------------------------- summary
@dataclass(frozen=True)
class SummaryCard:
    """One executive-summary figure."""

    label: str
    value: str
    help: str = ""


def summary_cards(synthesis: Synthesis) -> list[SummaryCard]:
    """The executive summary as cards: applications, waves, duration, cost, effort, skill gaps."""
    s = synthesis.executive_summary
    return [
        SummaryCard(
            "Applications",
            f"{s.total_applications:,}",
            f"{s.migrated_applications:,} migrate, {s.not_migrated_applications:,} retire or retain",
        ),
        SummaryCard("Waves", f"{s.total_waves}", f"lower bound {s.lower_bound_waves}, gap {s.wave_gap}"),
        SummaryCard("Duration", f"{s.total_duration_days:,} days", f"{s.start_date} → {s.end_date}"),
        SummaryCard(
            f"Total cost ({s.currency})", compact_money(s.total_cost, ""), money(s.total_cost, s.currency)
        ),
        SummaryCard("Effort", f"{s.total_effort_hours:,.0f} h", "migration effort of migrated applications"),
        SummaryCard("Skill gaps", f"{s.skill_gaps_identified}", "skills no resource pool has"),
    ]


def findings_frame(findings: Iterable[Any]) -> pd.DataFrame:
    """Risks or recommendations as a table, most severe first."""
    order = {"high": 0, "medium": 1, "low": 2}
    rows = sorted(
        (
            {"severity": f.severity, "title": f.title, "detail": f.detail, "metric": f.metric}
            for f in findings
        ),
        key=lambda r: order.get(r["severity"], 3),
    )
    return pd.DataFrame(rows, columns=["severity", "title", "detail", "metric"])


def revisions_frame(revisions: Iterable[Any]) -> pd.DataFrame:
    """Plan revisions (newest first): number, action, summary, who and when."""
    rows = []
    for rev in revisions:
        get = rev.get if isinstance(rev, dict) else lambda k, r=rev: getattr(r, k, None)
        rows.append(
            {
                "revision": get("revision"),
                "action": get("action"),
                "summary": get("summary"),
                "by": get("created_by"),
                "at": get("created_at"),
            }
        )
    frame = pd.DataFrame(rows, columns=["revision", "action", "summary", "by", "at"])
    return frame.sort_values("revision", ascending=False, ignore_index=True) if not frame.empty else frame


# --------------------------------------------------------------------------- exports
@dataclass(frozen=True)
class ExportOption:
    """One download: label, file name suffix, MIME type and the renderer's name in planning_core.export."""

    label: str
    suffix: str
    mime: str
    renderer: str


EXPORTS: tuple[ExportOption, ...] = (
    ExportOption("PDF report", ".pdf", "application/pdf", "render_pdf"),
    ExportOption(
        "Excel workbook",
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "render_xlsx",
    ),
    ExportOption("plan.json", ".json", "application/json", "render_json"),
    ExportOption("CSV tables (zip)", ".zip", "application/zip", "render_csv_tables"),
    ExportOption("MS Project (MSPDI XML)", ".xml", "application/xml", "render_mspdi"),
)


def available_exports(module: Any) -> list[ExportOption]:
    """The exports whose renderer exists in the given export module."""
    return [option for option in EXPORTS if callable(getattr(module, option.renderer, None))]


def export_bytes(module: Any, option: ExportOption, plan: PlanDocument) -> bytes:
    """Render one export to bytes (str results are UTF-8 encoded; dicts of tables are zipped)."""
    result = getattr(module, option.renderer)(plan)
    if isinstance(result, bytes):
        return result
    if isinstance(result, str):
        return result.encode("utf-8")
    if isinstance(result, dict):
        return _zip(result)
    raise TypeError(f"{option.renderer} returned {type(result).__name__}")


def _zip(files: dict[str, Any]) -> bytes:
    """Zip a mapping of file name -> text or bytes."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            data = content if isinstance(content, bytes) else str(content).encode("utf-8")
            archive.writestr(name if "." in name else f"{name}.csv", data)
    return buffer.getvalue()


def file_name(plan: PlanDocument, suffix: str) -> str:
    """A safe download name from the plan's name: 'migration-plan-300-applications.pdf'."""
    stem = "".join(c if c.isalnum() else "-" for c in (plan.name or plan.planning_flow_id).lower())
    stem = "-".join(part for part in stem.split("-") if part)[:80] or "plan"
    return f"{stem}{suffix}"
