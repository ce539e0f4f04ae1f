"""Cost estimation engine: labour, one-off, data transfer and dual running, contingency, P50/P80.

The model (all money is ``Decimal`` rounded half up to the cent with ``domain.to_money``):

- **Labour** of a role in a wave = the allocation's hours x the role pool's hourly rate, rounded to the
  cent per (wave, role) line. A role's total and a wave's labour are sums of those lines, so the
  breakdowns by wave, by role and by category always add up to the same subtotal.
- **One-off** costs (``config.cost_inputs.one_off_costs``) are incurred up front: ``by_wave`` books them
  all in the first wave; ``by_category`` shows them as ``one_off:<category>``.
- **Data transfer** of a wave = the wave's ``data_size_gb`` x ``data_transfer_cost_per_gb``.
- **Dual running** of a wave = the wave's servers x ``dual_running_cost_per_server_per_month`` x the
  months its applications run twice: from the wave's start to the end of its hypercare (its window in
  the timeline, calendar days / ``DAYS_PER_MONTH``). Without a timeline (or for a wave it does not
  schedule), ``dual_running_months``.
- **Time-based** costs: (``programme_team_cost_per_week`` + ``environment_cost_per_week``) x the
  programme's weeks (the timeline's calendar days / 7; none without a timeline, with a warning). They
  are shared among the waves in proportion to their windows' calendar days (the last wave takes the
  cents left over). With dual running, they are the costs that move with time (``time_based`` in the
  breakdown): a shorter programme or shorter waves are visibly cheaper.
- **Overrides** (``cost_inputs.cost_overrides``): ``add`` puts a new line (with its reason) in the
  breakdown by category; ``set`` replaces a computed category's amount (its reason shown). The
  difference to the computed figures is ``adjustments_total``, booked in the first wave.
- ``subtotal`` = labour + one-off + data transfer + dual running + time-based + adjustments;
  ``contingency = subtotal x pct / 100`` (to the cent); ``total = subtotal + contingency``.
- **P50/P80**: labour is uncertain, the rest is not. Labour ``L`` follows a triangular distribution
  with minimum ``L x (1 - u/200)``, mode ``L`` and maximum ``L x (1 + u/100)`` where
  ``u = effort_uncertainty_pct`` (overruns are twice as likely to be large as savings). ``p50_total``
  and ``p80_total`` are that distribution's 50th and 80th percentiles plus the other costs, *before*
  contingency, so that ``total >= p80_total`` says the contingency covers the P80. Analytic, no sampling.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from planning_core.domain import CostOverride, PlanningConfig, Portfolio, ResourcePool, to_money
from planning_core.engines.costs.models import CategoryCost, CostEstimate, RoleCost, WaveCost
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.schedule.models import Timeline
from planning_core.engines.waves.models import WavePlan
from planning_core.errors import InvalidInput

ZERO = Decimal("0.00")
DAYS_PER_MONTH = Decimal("30.4375")  # 365.25 / 12
DAYS_PER_WEEK = Decimal("7")
P50 = Decimal("0.5")
P80 = Decimal("0.8")


def estimate_costs(
    portfolio: Portfolio,
    wave_plan: WavePlan,
    allocation: ResourceAllocation,
    timeline: Timeline | None,
    config: PlanningConfig,
) -> CostEstimate:
    """The plan's cost: labour, one-off, data transfer, dual running, time-based, overrides, ranges."""
    currency = plan_currency(config.resource_pools)
    rates = {pool.role: pool.hourly_rate for pool in config.resource_pools}
    wave_numbers = sorted(w.wave_number for w in wave_plan.waves)
    labour = labour_lines(allocation, rates, set(wave_numbers))
    data, servers = _wave_footprint(portfolio, wave_plan)
    inputs = config.cost_inputs
    windows = _window_days(timeline)
    warnings = _timeline_warnings(wave_numbers, timeline)
    transfer = {n: to_money(Decimal(str(data[n])) * inputs.data_transfer_cost_per_gb) for n in wave_numbers}
    dual = {n: dual_running_cost(servers[n], config, windows.get(n)) for n in wave_numbers}
    weeks = Decimal(timeline.total_duration_days) / DAYS_PER_WEEK if timeline is not None else None
    if weeks is None:
        warnings.append("no timeline: the programme team and environment costs per week are not included")
    team = to_money((weeks or 0) * inputs.programme_team_cost_per_week)
    environments = to_money((weeks or 0) * inputs.environment_cost_per_week)
    time_share = _shares(team + environments, {n: windows.get(n, 0) for n in wave_numbers})
    one_off_total = to_money(sum((c.amount for c in inputs.one_off_costs), ZERO))
    labour_by_wave: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for (wave, _), amount in labour.items():
        labour_by_wave[wave] += amount
    by_role = _role_costs(allocation, labour, rates)
    labour_total = to_money(sum((line.amount for line in by_role), ZERO))
    transfer_total = to_money(sum(transfer.values(), ZERO))
    dual_total = to_money(sum(dual.values(), ZERO))
    categories = _categories(config, labour_total, transfer_total, dual_total, team, environments)
    categories, adjustments = apply_cost_overrides(categories, inputs.cost_overrides)
    by_wave = [
        _wave_cost(
            n,
            labour_by_wave,
            one_off_total if i == 0 else ZERO,
            dual[n],
            transfer[n],
            time_share.get(n, ZERO),
            adjustments if i == 0 else ZERO,
        )
        for i, n in enumerate(wave_numbers)
    ]
    time_total = team + environments
    subtotal = labour_total + one_off_total + transfer_total + dual_total + time_total + adjustments
    contingency = to_money(subtotal * Decimal(str(config.contingency_percentage)) / 100)
    others = subtotal - labour_total
    uncertainty = Decimal(str(inputs.effort_uncertainty_pct))
    return CostEstimate(
        currency=currency,
        labour_total=labour_total,
        one_off_total=one_off_total,
        data_transfer_total=transfer_total,
        dual_running_total=dual_total,
        time_based_total=time_total,
        adjustments_total=adjustments,
        programme_weeks=round(float(weeks or 0), 2),
        subtotal=subtotal,
        contingency_percentage=config.contingency_percentage,
        contingency=contingency,
        total=subtotal + contingency,
        by_wave=by_wave,
        by_role=by_role,
        by_category=categories,
        p50_total=to_money(others + labour_quantile(labour_total, uncertainty, P50)),
        p80_total=to_money(others + labour_quantile(labour_total, uncertainty, P80)),
        warnings=warnings,
    )


def apply_cost_overrides(
    categories: list[CategoryCost], overrides: list[CostOverride]
) -> tuple[list[CategoryCost], Decimal]:
    """The breakdown with the analysts' overrides, and their net difference to the computed figures.

    ``set`` on a category the breakdown does not have is refused (say ``add`` to create one).
    """
    rows = [c.model_copy() for c in categories]
    adjustments = ZERO
    for override in overrides:
        if override.mode == "set":
            row = next((c for c in rows if c.category == override.category), None)
            if row is None:
                known = ", ".join(c.category for c in rows)
                raise InvalidInput(
                    f"cannot set cost line {override.category!r}: the estimate has no such line ({known}); "
                    "add it instead"
                )
            adjustments += override.amount - row.amount
            row.amount = override.amount
            row.reason = override.reason
        else:
            label = f"{override.category}: {override.name}" if override.name else override.category
            rows.append(CategoryCost(category=label, amount=override.amount, reason=override.reason))
            adjustments += override.amount
    return rows, to_money(adjustments)


def plan_currency(pools: list[ResourcePool]) -> str:
    """The one currency of every pool (USD when there is no pool); mixed currencies are refused."""
    currencies = sorted({pool.currency.upper() for pool in pools})
    if len(currencies) > 1:
        by_currency = "; ".join(
            f"{c}: {', '.join(p.role for p in pools if p.currency.upper() == c)}" for c in currencies
        )
        raise InvalidInput(
            f"resource pools mix currencies ({by_currency}); give every pool the same currency before "
            "estimating costs"
        )
    return currencies[0] if currencies else "USD"


def labour_lines(
    allocation: ResourceAllocation, rates: dict[str, Decimal], waves: set[int]
) -> dict[tuple[int, str], Decimal]:
    """Labour cost per (wave, role): hours x the pool's hourly rate, to the cent."""
    lines: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for row in allocation.allocations:
        if row.wave_number not in waves:
            raise InvalidInput(
                f"the resource allocation has hours in wave {row.wave_number}, which the wave plan does not "
                "have; re-run resource allocation"
            )
        if row.role not in rates:
            raise InvalidInput(
                f"the resource allocation has hours for role {row.role!r}, but no resource pool has that role; "
                "re-run resource allocation or add the pool"
            )
        lines[(row.wave_number, row.role)] += to_money(Decimal(str(row.hours)) * rates[row.role])
    return dict(lines)


def dual_running_cost(servers: int, config: PlanningConfig, window_days: int | None = None) -> Decimal:
    """Servers x monthly cost per server x dual-running months, to the cent: the wave's window (calendar
    days / DAYS_PER_MONTH) when scheduled, else the configured months."""
    inputs = config.cost_inputs
    if window_days is None:
        months = Decimal(str(inputs.dual_running_months))
    else:
        months = Decimal(window_days) / DAYS_PER_MONTH
    return to_money(servers * inputs.dual_running_cost_per_server_per_month * months)


def _window_days(timeline: Timeline | None) -> dict[int, int]:
    """Calendar days of each scheduled wave's window, start to end inclusive."""
    if timeline is None:
        return {}
    return {w.wave_number: (w.end - w.start).days + 1 for w in timeline.waves}


def _shares(amount: Decimal, weights: dict[int, int]) -> dict[int, Decimal]:
    """An amount split in proportion to the weights (to the cent; the last key takes the rest)."""
    total = sum(weights.values())
    keys = sorted(weights)
    if not keys:
        return {}
    if total == 0:
        return {k: (amount if k == keys[-1] else ZERO) for k in keys}
    shares = {k: to_money(amount * weights[k] / total) for k in keys[:-1]}
    shares[keys[-1]] = amount - sum(shares.values(), ZERO)
    return shares


def labour_quantile(labour: Decimal, uncertainty_pct: Decimal, p: Decimal) -> Decimal:
    """Quantile ``p`` of triangular(L(1 - u/200), L, L(1 + u/100)) for labour L and uncertainty u %."""
    low = labour * (1 - uncertainty_pct / 200)
    high = labour * (1 + uncertainty_pct / 100)
    mode = labour
    if high == low:
        return labour
    if p <= (mode - low) / (high - low):
        return low + (p * (high - low) * (mode - low)).sqrt()
    return high - ((1 - p) * (high - low) * (high - mode)).sqrt()


def _wave_footprint(portfolio: Portfolio, wave_plan: WavePlan) -> tuple[dict[int, float], dict[int, int]]:
    """Data (GB) and servers per wave, from the portfolio's applications."""
    apps = portfolio.by_id()
    data: dict[int, float] = {}
    servers: dict[int, int] = {}
    for wave in wave_plan.waves:
        missing = [a.application_id for a in wave.applications if a.application_id not in apps]
        if missing:
            raise InvalidInput(
                f"wave {wave.wave_number} names applications that are not in the portfolio: "
                f"{', '.join(missing[:10])}; re-run wave planning"
            )
        members = [apps[a.application_id] for a in wave.applications]
        data[wave.wave_number] = round(sum(a.data_size_gb for a in members), 6)
        servers[wave.wave_number] = sum(a.server_count for a in members)
    return data, servers


def _wave_cost(
    wave: int,
    labour_by_wave: dict[int, Decimal],
    one_off: Decimal,
    dual: Decimal,
    transfer: Decimal,
    time_based: Decimal,
    adjustments: Decimal,
) -> WaveCost:
    """One wave's cost line."""
    wave_labour = labour_by_wave.get(wave, ZERO)
    return WaveCost(
        wave_number=wave,
        labour=wave_labour,
        one_off=one_off,
        dual_running=dual,
        data_transfer=transfer,
        time_based=time_based,
        adjustments=adjustments,
        total=wave_labour + one_off + dual + transfer + time_based + adjustments,
    )


def _role_costs(
    allocation: ResourceAllocation, labour: dict[tuple[int, str], Decimal], rates: dict[str, Decimal]
) -> list[RoleCost]:
    """Hours and labour per role, in the allocation's role order."""
    roles: list[str] = []
    hours: dict[str, float] = defaultdict(float)
    labour_by_role: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (_, role), amount in labour.items():
        labour_by_role[role] += amount
    for row in allocation.allocations:
        if row.role not in roles:
            roles.append(row.role)
        hours[row.role] += row.hours
    return [
        RoleCost(
            role=role,
            hours=round(hours[role], 2),
            hourly_rate=rates[role],
            amount=labour_by_role.get(role, ZERO),
        )
        for role in roles
    ]


def _categories(
    config: PlanningConfig,
    labour: Decimal,
    transfer: Decimal,
    dual: Decimal,
    team: Decimal,
    environments: Decimal,
) -> list[CategoryCost]:
    """Cost by category: labour, each one-off category (sorted), data transfer, then the time-based
    ones: dual running, programme team, environments."""
    one_off: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for cost in config.cost_inputs.one_off_costs:
        one_off[cost.category] += cost.amount
    return (
        [CategoryCost(category="labour", amount=labour)]
        + [CategoryCost(category=f"one_off:{name}", amount=one_off[name]) for name in sorted(one_off)]
        + [
            CategoryCost(category="data_transfer", amount=transfer),
            CategoryCost(category="dual_running", amount=dual, time_based=True),
            CategoryCost(category="programme_team", amount=team, time_based=True),
            CategoryCost(category="environments", amount=environments, time_based=True),
        ]
    )


def _timeline_warnings(waves: list[int], timeline: Timeline | None) -> list[str]:
    """A warning when the timeline was built from other waves than the wave plan's."""
    if timeline is None:
        return []
    scheduled = sorted({w.wave_number for w in timeline.waves})
    if scheduled and scheduled != waves:
        return [
            f"the timeline schedules waves {', '.join(map(str, scheduled))} but the wave plan has "
            f"{', '.join(map(str, waves)) or 'none'}; re-run the timeline"
        ]
    return []
