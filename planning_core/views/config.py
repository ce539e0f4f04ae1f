"""The configuration form: editable pool and blackout tables, date lists and field-level errors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pandas as pd
from pydantic import ValidationError

from planning_core.domain import OneOffCost, PlanningConfig, ResourcePool

POOL_COLUMNS = ["role", "headcount", "capacity_hours_per_week", "hourly_rate", "currency", "skills"]
BLACKOUT_COLUMNS = ["start", "end", "reason"]
ONE_OFF_COLUMNS = ["name", "category", "amount"]


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


def one_off_frame(costs: Iterable[OneOffCost]) -> pd.DataFrame:
    """One-off cost lines (tooling, licences, training) as editable rows."""
    rows = [{"name": c.name, "category": c.category, "amount": float(c.amount)} for c in costs]
    return pd.DataFrame(rows, columns=ONE_OFF_COLUMNS)


def blank(value: Any) -> bool:
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
    if blank(value):
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
    "cost_inputs": "Costs beyond labour",
    "one_off_costs": "One-off costs",
    "data_transfer_cost_per_gb": "Data transfer cost per GB",
    "dual_running_cost_per_server_per_month": "Dual running per server per month",
    "dual_running_months": "Dual running months",
    "effort_uncertainty_pct": "Effort uncertainty (%)",
    "programme_team_cost_per_week": "Programme team per week",
    "environment_cost_per_week": "Environments per week",
    "max_effort_hours_per_wave": "Max effort per wave (hours)",
    "pilot_wave": "Start with a pilot wave",
    "pilot_max_apps": "Pilot wave size",
    "solver_time_limit_seconds": "Time to search for fewer waves (seconds)",
    "auto_progress": "Recompute later phases after each edit",
}

# Pydantic's wording of a bound ("Input should be less than or equal to 7") in plain words.
_BOUNDS = {
    "less_than_equal": ("le", "must be at most {}"),
    "less_than": ("lt", "must be less than {}"),
    "greater_than_equal": ("ge", "must be at least {}"),
    "greater_than": ("gt", "must be more than {}"),
    "too_long": ("max_length", "can hold at most {} entries"),
}


def plain_message(item: Mapping[str, Any]) -> str:
    """One pydantic error's message in plain words ('must be at most 7', 'is required')."""
    kind = str(item.get("type", ""))
    context = item.get("ctx") or {}
    if kind in _BOUNDS and _BOUNDS[kind][0] in context:
        key, text = _BOUNDS[kind]
        bound = context[key]
        return text.format(f"{float(bound):g}" if not isinstance(bound, int) else f"{bound:,}")
    if kind == "missing":
        return "is required"
    if kind.endswith("_parsing") or kind.endswith("_type"):
        return "is not a valid value here"
    return str(item.get("msg", "invalid value")).removeprefix("Value error, ")


def _error_message(item: Mapping[str, Any]) -> str:
    """One pydantic error as a sentence, with the table row (1-based) and column when inside a list."""
    loc = [p for p in item.get("loc", ()) if p != "__root__"]
    message = plain_message(item)
    if loc and loc[0] == "cost_inputs":
        loc = loc[1:]  # the cost fields are shown as fields of their own
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
        return PlanningConfig.from_analyst(values), {}  # the rules of an analyst's configuration
    except ValidationError as error:
        errors: dict[str, list[str]] = {}
        for item in error.errors():
            loc = [p for p in item.get("loc", ()) if p != "__root__"]
            if len(loc) > 1 and loc[0] == "cost_inputs":
                loc = loc[1:]
            key = str(loc[0]) if loc else _model_error_field(str(item.get("msg", "")))
            errors.setdefault(key, []).append(_error_message(item))
        return None, {k: "; ".join(dict.fromkeys(v)) for k, v in errors.items()}
