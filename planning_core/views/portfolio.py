"""The portfolio page: applications and dependencies as tables, filters, selection and paging."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from planning_core.domain import Portfolio
from planning_core.portfolio.template import APPLICATION_COLUMNS

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
