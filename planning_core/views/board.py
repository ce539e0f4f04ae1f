"""The wave board: wave cards, the editable application table, its edits, and undo/redo history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from planning_core.engines.waves.models import WavePlan
from planning_core.export.tables import not_migrated_table
from planning_core.plan import PlanDocument
from planning_core.views.config import blank
from planning_core.views.format import CRITICAL_COLOR, plain
from planning_core.views.frames import table_frame


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
        if "wave" in change and not blank(change["wave"]) and int(change["wave"]) != int(row["wave"]):
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
    columns = {"application_id": "application_id", "application_name": "name"}
    return table_frame(
        not_migrated_table(wave_plan), {**columns, "six_r_strategy": "six_r_strategy", "reason": "reason"}
    )


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


# The lower bound's reasons in plain words.
BOUND_REASONS = {
    "capacity": "from the max applications per wave",
    "effort": "from the effort per wave",
    "pinned": "from the locked waves",
    "precedence_chain": "from dependency chains",
    "half": "from large applications",
    "third": "from large applications",
    "bin_packing_l2": "from packing the effort",
    "exact_search": "proved by the search",
    "with_pilot": "with the pilot wave",
}


def bound_reason(kind: str) -> str:
    """Why no valid plan can use fewer waves, in plain words ('' when unknown)."""
    return BOUND_REASONS.get(kind, kind.replace("_", " ")) if kind else ""


def plain_quality_line(wave_plan: WavePlan) -> str:
    """'171 waves; no plan can use fewer than 170 (from the max applications per wave); 1 above it'."""
    reason = bound_reason(wave_plan.lower_bound_kind)
    gap = f"{wave_plan.gap} above it" if wave_plan.gap else "the plan is at it"
    return (
        f"{len(wave_plan.waves)} waves; no valid plan can use fewer than {wave_plan.lower_bound}"
        + (f" ({reason})" if reason else "")
        + f"; {gap}."
    )
