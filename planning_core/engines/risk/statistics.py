"""Percentiles, the tornado's drivers and the small histograms of a simulation's results."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

import numpy as np

from planning_core.domain import to_money
from planning_core.engines.risk.models import CostBin, DateBin, RiskDriver

HISTOGRAM_BINS = 12
DRIVER_LOW, DRIVER_HIGH = 0.1, 0.9  # the swing of a driver: its effort from P10 to P90
MAX_WAVE_DRIVERS = 10  # waves kept in the tornado: the top ones by end-date swing and by cost swing


def percentile(values: np.ndarray, p: float) -> float:
    """The smallest simulated value that at least ``p`` of the iterations do not exceed."""
    return float(np.quantile(values, p, method="inverted_cdf"))


def drivers(
    wave_effort: np.ndarray,
    waves: Sequence[int],
    role_effort: np.ndarray,
    roles: Sequence[str],
    end_days: np.ndarray,
    cost: np.ndarray,
) -> list[RiskDriver]:
    """Every role and the waves that swing the end date or the cost most, largest end swing first.

    ``wave_effort`` (iterations, waves) and ``role_effort`` (iterations, roles) are the relative changes
    of each wave's and each role's hours; ``end_days`` the simulated makespans, ``cost`` the totals.
    """
    wave_rows = _sensitivity(wave_effort, end_days, cost)
    role_rows = _sensitivity(role_effort, end_days, cost)
    by_end = sorted(range(len(waves)), key=lambda k: (-abs(wave_rows[k][0]), k))[:MAX_WAVE_DRIVERS]
    by_cost = sorted(range(len(waves)), key=lambda k: (-abs(wave_rows[k][1]), k))[:MAX_WAVE_DRIVERS]
    found = [
        _driver("wave", f"Wave {waves[k]}", wave_rows[k], wave_number=waves[k])
        for k in sorted({*by_end, *by_cost})
    ] + [_driver("role", role, role_rows[k], role=role) for k, role in enumerate(roles)]
    return sorted(found, key=lambda d: (-abs(d.end_swing_days), -abs(d.cost_swing), d.kind, d.name))


def _driver(
    kind: str,
    name: str,
    row: tuple[float, float, float, float],
    *,
    wave_number: int | None = None,
    role: str | None = None,
) -> RiskDriver:
    end_swing, cost_swing, end_corr, cost_corr = row
    return RiskDriver(
        kind=kind,
        name=name,
        wave_number=wave_number,
        role=role,
        end_swing_days=round(end_swing, 2),
        cost_swing=to_money(cost_swing),
        end_correlation=round(end_corr, 4),
        cost_correlation=round(cost_corr, 4),
    )


def _sensitivity(
    x: np.ndarray, end_days: np.ndarray, cost: np.ndarray
) -> list[tuple[float, float, float, float]]:
    """Per column of x: (end swing, cost swing, end correlation, cost correlation)."""
    if x.shape[1] == 0:
        return []
    centred = x - x.mean(axis=0)
    var_x = (centred**2).mean(axis=0)
    ranges = np.quantile(x, DRIVER_HIGH, axis=0) - np.quantile(x, DRIVER_LOW, axis=0)
    rows = []
    figures = []
    for y in (end_days.astype(np.float64), cost):
        yc = y - y.mean()
        cov = centred.T @ yc / len(y)
        var_y = float((yc**2).mean())
        safe = np.where(var_x > 0, var_x, 1.0)
        slope = np.where(var_x > 0, cov / safe, 0.0)
        corr = np.where((var_x > 0) & (var_y > 0), cov / np.sqrt(safe * (var_y if var_y > 0 else 1.0)), 0.0)
        figures.append((slope * ranges, np.clip(corr, -1.0, 1.0)))
    (end_swing, end_corr), (cost_swing, cost_corr) = figures
    for k in range(x.shape[1]):
        rows.append((float(end_swing[k]), float(cost_swing[k]), float(end_corr[k]), float(cost_corr[k])))
    return rows


def date_histogram(makespans: np.ndarray, end_date_of: Callable[[int], date]) -> list[DateBin]:
    """At most HISTOGRAM_BINS bins of whole working days over the simulated end dates."""
    low, high = int(makespans.min()), int(makespans.max())
    width = max(1, math.ceil((high - low + 1) / HISTOGRAM_BINS))
    bins = []
    for first in range(low, high + 1, width):
        last = min(first + width - 1, high)
        count = int(((makespans >= first) & (makespans <= last)).sum())
        bins.append(DateBin(start=end_date_of(first), end=end_date_of(last), count=count))
    return bins


def cost_histogram(base: Decimal, change: np.ndarray) -> list[CostBin]:
    """At most HISTOGRAM_BINS equal-width bins over the simulated totals (``base`` + change)."""
    low, high = float(change.min()), float(change.max())
    if high - low < 0.005:
        return [CostBin(low=base + to_money(low), high=base + to_money(high), count=len(change))]
    counts, edges = np.histogram(change, bins=HISTOGRAM_BINS, range=(low, high))
    return [
        CostBin(low=base + to_money(edges[k]), high=base + to_money(edges[k + 1]), count=int(counts[k]))
        for k in range(len(counts))
    ]
