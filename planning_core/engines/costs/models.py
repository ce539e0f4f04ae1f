"""Documents of the cost estimation phase."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from planning_core.domain import Model, Money


class WaveCost(Model):
    wave_number: int
    labour: Money
    one_off: Money
    dual_running: Money
    data_transfer: Money
    time_based: Money = Decimal("0")  # the wave's share of the programme's weekly costs
    adjustments: Money = Decimal("0")  # analysts' cost overrides (booked in the first wave)
    total: Money


class RoleCost(Model):
    role: str
    hours: float
    hourly_rate: Money
    amount: Money


class CategoryCost(Model):
    category: str  # labour, one_off:<category>, data_transfer, dual_running, programme_team, environments
    amount: Money
    time_based: bool = False  # moves with the schedule's dates
    reason: str = ""  # an analyst's override: why the line was added or adjusted


class CostEstimate(Model):
    """Output of phase 4: subtotal, contingency = subtotal x pct / 100, total = subtotal + contingency."""

    currency: str = "USD"
    labour_total: Money
    one_off_total: Money
    data_transfer_total: Money
    dual_running_total: Money
    time_based_total: Money = Decimal("0")  # programme team and environments over the programme's weeks
    adjustments_total: Money = Decimal("0")  # analysts' cost overrides
    programme_weeks: float = 0.0
    subtotal: Money
    contingency_percentage: float
    contingency: Money
    total: Money
    by_wave: list[WaveCost] = Field(default_factory=list)
    by_role: list[RoleCost] = Field(default_factory=list)
    by_category: list[CategoryCost] = Field(default_factory=list)
    p50_total: Money = Decimal("0")
    p80_total: Money = Decimal("0")
    warnings: list[str] = Field(default_factory=list)
