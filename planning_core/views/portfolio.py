"""The portfolio page: applications and dependencies as tables, filters, selection and paging; the
sources, the preview of an import (row by row, before -> after), the editable table and the audit."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from planning_core.domain import Portfolio
from planning_core.portfolio.template import APPLICATION_COLUMNS

if TYPE_CHECKING:
    from db.portfolio import SourceInfo
    from db.portfolio_edits import EditInfo
    from planning_core.service.portfolio import SyncPreview

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


# --------------------------------------------------------------------------- sources and imports
SOURCE_COLUMNS = ["source", "format", "applications", "dependencies", "imported_at", "imported_by"]
PREVIEW_COLUMNS = ["what", "change", "item", "field", "before", "after", "note"]


def sources_frame(sources: Sequence[SourceInfo]) -> pd.DataFrame:
    """One row per source: its format, counts and last import (time in UTC, and who)."""
    rows = [
        {
            "source": s.name,
            "format": s.format,
            "applications": s.applications,
            "dependencies": s.dependencies,
            "imported_at": s.imported_at.strftime("%Y-%m-%d %H:%M UTC"),
            "imported_by": s.imported_by,
        }
        for s in sources
    ]
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS)


def _shown(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "(none)"
    return str(value)


def edge_label(edge: Sequence[Any]) -> str:
    """A dependency (source, target, type) as 'A1 → A2 (precedes)'."""
    source, target, kind = edge
    return f"{source} → {target} ({getattr(kind, 'value', kind)})"


def sync_preview_frame(preview: SyncPreview) -> pd.DataFrame:
    """What a sync adds, changes and removes, row by row: one row per application or dependency added or
    removed, and one per field of each changed application (before → after)."""
    edited = set(preview.edited)
    rows: list[dict[str, str]] = []

    def add(
        what: str, change: str, item: str, name: str = "", before: Any = "", after: Any = "", note: str = ""
    ) -> None:
        rows.append(
            {
                "what": what,
                "change": change,
                "item": item,
                "field": name,
                "before": _shown(before) if before != "" else "",
                "after": _shown(after) if after != "" else "",
                "note": note,
            }
        )

    for app_id in preview.applications_added:
        add("application", "added", app_id)
    for app_id in preview.applications_changed:
        note = "replaces an analyst's edit" if app_id in edited else ""
        for name, (before, after) in preview.changes.get(app_id, {}).items():
            add("application", "changed", app_id, name, before, after, note)
    for app_id in preview.applications_removed:
        add("application", "removed", app_id)
    for edge in preview.dependencies_added:
        add("dependency", "added", edge_label(edge))
    for edge in preview.dependencies_changed:
        before, after = preview.weight_changes.get(edge, ("", ""))
        add("dependency", "changed", edge_label(edge), "weight", before, after)
    for edge in preview.dependencies_removed:
        add("dependency", "removed", edge_label(edge))
    return pd.DataFrame(rows, columns=PREVIEW_COLUMNS)


# --------------------------------------------------------------------------- editing
EDITOR_COLUMNS = [
    "application_id",
    "name",
    "six_r_strategy",
    "complexity",
    "business_criticality",
    "effort_hours",
    "required_skills",
    "pinned_wave",
]
EDITABLE = (
    "six_r_strategy",
    "complexity",
    "business_criticality",
    "effort_hours",
    "required_skills",
    "pinned_wave",
)


def editor_frame(portfolio: Portfolio, application_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """The editable table: one row per application (all, or the given ids in portfolio order); effort is
    the given effort (empty: derived by the effort model), skills comma-separated."""
    keep = set(application_ids) if application_ids is not None else None
    rows = [
        {
            "application_id": a.application_id,
            "name": a.name,
            "six_r_strategy": a.six_r_strategy.value,
            "complexity": a.complexity,
            "business_criticality": a.business_criticality.value,
            "effort_hours": a.effort_hours,
            "required_skills": ", ".join(a.required_skills),
            "pinned_wave": a.pinned_wave,
        }
        for a in portfolio.applications
        if keep is None or a.application_id in keep
    ]
    frame = pd.DataFrame(rows, columns=EDITOR_COLUMNS)
    return frame.astype({"effort_hours": "float64", "pinned_wave": "Float64", "complexity": "int64"})


def _cell(name: str, value: Any) -> Any:
    """An edited cell as the service takes it: blanks are None, whole numbers int, skills a list."""
    if value is None or (not isinstance(value, (list, str)) and pd.isna(value)):
        return [] if name == "required_skills" else None
    if name == "required_skills":
        return [s.strip() for s in str(value).split(",") if s.strip()]
    if name in ("complexity", "pinned_wave") and isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "item"):  # numpy scalars
        return _cell(name, value.item())
    return value


def editor_changes(original: pd.DataFrame, edited: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per application id, the editable fields whose value the analyst changed (new values as the
    service takes them); rows of the two tables are matched by position (the editor adds none)."""
    changes: dict[str, dict[str, Any]] = {}
    for position in range(min(len(original), len(edited))):
        before, after = original.iloc[position], edited.iloc[position]
        app_changes = {
            name: _cell(name, after[name])
            for name in EDITABLE
            if _cell(name, before[name]) != _cell(name, after[name])
        }
        if app_changes:
            changes[str(before["application_id"])] = app_changes
    return changes


def expected_values(original: pd.DataFrame, application_id: str, names: Iterable[str]) -> dict[str, Any]:
    """The values the analyst saw of the given fields (for the service's check that nobody changed them)."""
    row = original[original["application_id"] == application_id].iloc[0]
    return {name: _cell(name, row[name]) for name in names}


HISTORY_COLUMNS = ["when", "who", "action", "item", "before", "after", "reason"]


def history_frame(edits: Sequence[EditInfo]) -> pd.DataFrame:
    """The audited edits of the portfolio, newest first."""
    rows = []
    for e in edits:
        item = e.application_id
        if e.target_application_id is not None:
            item = edge_label((e.application_id, e.target_application_id, e.dependency_type))
        rows.append(
            {
                "when": e.edited_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
                "who": e.edited_by,
                "action": e.action.replace("_", " "),
                "item": item,
                "before": _shown(e.before),
                "after": _shown(e.after),
                "reason": e.reason,
            }
        )
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def changes_summary(changes: Mapping[str, Mapping[str, Any]]) -> str:
    """'3 application(s) changed: A1 (complexity), A2 (six_r_strategy, pinned_wave)'."""
    shown = "; ".join(f"{app} ({', '.join(fields)})" for app, fields in list(changes.items())[:10])
    more = f" and {len(changes) - 10} more" if len(changes) > 10 else ""
    return f"{len(changes)} application(s) changed: {shown}{more}"
