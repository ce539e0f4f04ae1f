"""Documents of the risk analysis: simulated end dates and costs, drivers and histograms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from planning_core.domain import Model, Money


class RiskDriver(Model):
    """One bar of the tornado chart: how much of the spread one wave's or one role's effort drives.

    ``end_swing_days`` and ``cost_swing`` are the change of the end date (working days) and of the total
    cost when the driver's effort moves from its 10th to its 90th percentile (the regression slope of the
    output on the driver's effort deviation x that inter-decile range); the correlations are Pearson's.
    """

    kind: str  # "wave" or "role"
    name: str  # "Wave 3" or the role
    wave_number: int | None = None
    role: str | None = None
    end_swing_days: float
    cost_swing: Money
    end_correlation: float
    cost_correlation: float


class DateBin(Model):
    """Iterations whose end date falls from ``start`` to ``end`` (both inclusive)."""

    start: date
    end: date
    count: int


class CostBin(Model):
    """Iterations whose total cost is at least ``low`` and below ``high`` (the last bin includes ``high``)."""

    low: Money
    high: Money
    count: int


class RiskAnalysis(Model):
    """Output of the risk simulation (``plan.json``'s ``risk``).

    Dates are the last working day of the programme. ``total_cost_*`` are totals as the cost model gives
    them (labour at the simulated hours, other costs unchanged, contingency at the plan's percentage);
    ``subtotal_*`` are the same before contingency (what would be spent). The contingency covers the P80
    when the plan's total (subtotal + contingency) is at least ``subtotal_p80``.
    """

    iterations: Annotated[int, Field(ge=1)]
    seed: Annotated[int, Field(ge=0)]
    effort_uncertainty_pct: float
    currency: str = "USD"
    deterministic_end_date: date
    end_date_p50: date
    end_date_p80: date
    end_date_p95: date
    deterministic_total: Money
    total_cost_p50: Money
    total_cost_p80: Money
    total_cost_p95: Money
    subtotal_p50: Money
    subtotal_p80: Money
    subtotal_p95: Money
    contingency: Money
    contingency_covers_p80: bool
    contingency_shortfall_p80: Money = Decimal("0")  # subtotal_p80 - total when positive
    target_date: date
    probability_meeting_target: Annotated[float, Field(ge=0, le=1)]
    drivers: list[RiskDriver] = Field(default_factory=list)
    end_date_histogram: list[DateBin] = Field(default_factory=list)
    total_cost_histogram: list[CostBin] = Field(default_factory=list)
    method: str = ""
    warnings: list[str] = Field(default_factory=list)
