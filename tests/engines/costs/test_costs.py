"""Cost estimation: labour x rate, one-off, data transfer, dual running, contingency, P50/P80, to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planning_core.domain import (
    Application,
    CostInputs,
    OneOffCost,
    PlanningConfig,
    Portfolio,
    ResourcePool,
    SixR,
)
from planning_core.engines.costs.engine import estimate_costs, labour_quantile
from planning_core.engines.costs.models import CategoryCost, CostEstimate, RoleCost, WaveCost
from planning_core.engines.resources.engine import allocate_resources
from planning_core.engines.resources.models import Allocation, ResourceAllocation
from planning_core.engines.schedule.models import Timeline, WaveWindow
from planning_core.errors import InvalidInput

D = Decimal


def _portfolio() -> Portfolio:
    return Portfolio(
        applications=[
            Application(
                application_id="A",
                name="App A",
                six_r_strategy=SixR.REHOST,
                effort_hours=120,
                server_count=2,
                data_size_gb=500,
            ),
            Application(application_id="B", name="App B", six_r_strategy=SixR.REFACTOR, data_size_gb=1234.5),
            Application(
                application_id="C",
                name="App C",
                six_r_strategy=SixR.RELOCATE,
                effort_hours=200,
                server_count=3,
                data_size_gb=80.25,
            ),
        ]
    )


def _config(**overrides: object) -> PlanningConfig:
    values: dict[str, object] = {
        "wave_duration_limit_days": 35,
        "contingency_percentage": 15.0,
        "resource_pools": [
            ResourcePool(role="migration_engineer", headcount=1, hourly_rate=D("100")),
            ResourcePool(role="developer", headcount=2, hourly_rate=D("120")),
            ResourcePool(role="tester", headcount=1, hourly_rate=D("80")),
        ],
        "cost_inputs": CostInputs(
            one_off_costs=[
                OneOffCost(name="Migration factory tooling", category="tooling", amount=D("25000")),
                OneOffCost(name="Backup licences", category="licences", amount=D("1234.56")),
            ],
            data_transfer_cost_per_gb=D("0.02"),
            dual_running_cost_per_server_per_month=D("150"),
            dual_running_months=1.5,
            effort_uncertainty_pct=20.0,
        ),
    }
    values.update(overrides)
    return PlanningConfig(**values)


def _estimate(
    wave_plan_of, config: PlanningConfig | None = None, timeline: Timeline | None = None
) -> CostEstimate:
    config = config or _config()
    portfolio = _portfolio()
    plan = wave_plan_of(portfolio, {1: ["A", "B"], 2: ["C"]})
    return estimate_costs(portfolio, plan, allocate_resources(portfolio, plan, config), timeline, config)


def test_whole_cost_estimate_to_the_cent(wave_plan_of) -> None:
    # Hours (see test_resources): wave 1 me 210, dev 276, tester 114; wave 2 me 180, tester 20.
    assert _estimate(wave_plan_of) == CostEstimate(
        currency="USD",
        labour_total=D("82840.00"),
        one_off_total=D("26234.56"),
        data_transfer_total=D("36.30"),  # 1734.5 GB -> 34.69; 80.25 GB -> 1.605 -> 1.61 (half up)
        dual_running_total=D("1350.00"),  # 3 servers x 150 x 1.5 months per wave
        subtotal=D("110460.86"),
        contingency_percentage=15.0,
        contingency=D("16569.13"),  # 16569.129
        total=D("127029.99"),
        by_wave=[
            WaveCost(
                wave_number=1,
                labour=D("63240.00"),
                one_off=D("26234.56"),
                dual_running=D("675.00"),
                data_transfer=D("34.69"),
                total=D("90184.25"),
            ),
            WaveCost(
                wave_number=2,
                labour=D("19600.00"),
                one_off=D("0.00"),
                dual_running=D("675.00"),
                data_transfer=D("1.61"),
                total=D("20276.61"),
            ),
        ],
        by_role=[
            RoleCost(role="migration_engineer", hours=390.0, hourly_rate=D("100.00"), amount=D("39000.00")),
            RoleCost(role="developer", hours=276.0, hourly_rate=D("120.00"), amount=D("33120.00")),
            RoleCost(role="tester", hours=134.0, hourly_rate=D("80.00"), amount=D("10720.00")),
        ],
        by_category=[
            CategoryCost(category="labour", amount=D("82840.00")),
            CategoryCost(category="one_off:licences", amount=D("1234.56")),
            CategoryCost(category="one_off:tooling", amount=D("25000.00")),
            CategoryCost(category="data_transfer", amount=D("36.30")),
            CategoryCost(category="dual_running", amount=D("1350.00"), time_based=True),
            # issue 15: the weekly programme costs need a timeline (none here, hence zero and a warning)
            CategoryCost(category="programme_team", amount=D("0.00"), time_based=True),
            CategoryCost(category="environments", amount=D("0.00"), time_based=True),
        ],
        # triangular(74556, 82840, 99408) on labour: P50 85059.69, P80 90333.33; plus 27620.86 other costs
        p50_total=D("112680.55"),
        p80_total=D("117954.19"),
        warnings=["no timeline: the programme team and environment costs per week are not included"],
    )


def test_contingency_rounds_half_up_to_the_cent(wave_plan_of) -> None:
    portfolio = Portfolio(applications=[Application(application_id="A", name="A", effort_hours=0.01)])
    config = PlanningConfig(
        contingency_percentage=50.0,
        resource_pools=[ResourcePool(role="migration_engineer", hourly_rate=D("1"))],
        cost_inputs=CostInputs(dual_running_months=0, data_transfer_cost_per_gb=D("0")),
    )
    plan = wave_plan_of(portfolio, {1: ["A"]})
    allocation = ResourceAllocation(
        allocations=[
            Allocation(
                wave_number=1,
                role="migration_engineer",
                hours=0.01,
                capacity_hours=1,
                utilisation_pct=1,
                over_allocated=False,
            )
        ]
    )
    result = estimate_costs(portfolio, plan, allocation, None, config)
    # 0.01 h x 1.00 = 0.01; 0.01 x 50 / 100 = 0.005 -> 0.01 (half up, not banker's 0.00)
    assert (result.subtotal, result.contingency, result.total) == (D("0.01"), D("0.01"), D("0.02"))


def test_zero_contingency_and_no_uncertainty(wave_plan_of) -> None:
    config = _config(contingency_percentage=0.0)
    config.cost_inputs.effort_uncertainty_pct = 0.0
    result = _estimate(wave_plan_of, config)
    assert (result.contingency, result.total, result.p50_total, result.p80_total) == (
        D("0.00"),
        D("110460.86"),
        D("110460.86"),
        D("110460.86"),
    )


def test_labour_quantile_below_and_above_the_mode() -> None:
    # triangular(90, 100, 120): F(mode) = 1/3; P10 = 90 + sqrt(0.1 x 30 x 10); P80 = 120 - sqrt(0.2 x 30 x 20)
    assert to_cents(labour_quantile(D("100"), D("20"), D("0.1"))) == D("95.48")
    assert to_cents(labour_quantile(D("100"), D("20"), D("0.8"))) == D("109.05")


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"))


def test_mixed_currencies_are_refused(wave_plan_of) -> None:
    config = _config(
        resource_pools=[
            ResourcePool(role="migration_engineer", currency="EUR"),
            ResourcePool(role="developer", currency="USD"),
            ResourcePool(role="tester", currency="EUR"),
        ]
    )
    with pytest.raises(
        InvalidInput,
        match=r"resource pools mix currencies \(EUR: migration_engineer, tester; USD: developer\)",
    ):
        _estimate(wave_plan_of, config)


def test_single_currency_is_the_plan_currency(wave_plan_of) -> None:
    pools = [
        ResourcePool(role=r, currency="EUR", hourly_rate=D("100"))
        for r in ("migration_engineer", "developer", "tester")
    ]
    result = _estimate(wave_plan_of, _config(resource_pools=pools))
    assert (result.currency, result.labour_total) == ("EUR", D("80000.00"))


def test_allocation_for_a_role_without_pool_is_refused(wave_plan_of) -> None:
    portfolio = _portfolio()
    plan = wave_plan_of(portfolio, {1: ["A", "B"], 2: ["C"]})
    allocation = allocate_resources(portfolio, plan, _config())
    fewer = _config(resource_pools=[ResourcePool(role="migration_engineer"), ResourcePool(role="developer")])
    with pytest.raises(InvalidInput, match="hours for role 'tester', but no resource pool has that role"):
        estimate_costs(portfolio, plan, allocation, None, fewer)


def test_allocation_for_an_unknown_wave_is_refused(wave_plan_of) -> None:
    portfolio = _portfolio()
    plan = wave_plan_of(portfolio, {1: ["A", "B"], 2: ["C"]})
    allocation = allocate_resources(portfolio, plan, _config())
    with pytest.raises(InvalidInput, match="hours in wave 2, which the wave plan does not have"):
        estimate_costs(portfolio, wave_plan_of(portfolio, {1: ["A", "B", "C"]}), allocation, None, _config())


def _timeline(waves: list[int]) -> Timeline:
    return Timeline(
        start_date=date(2027, 1, 4),
        end_date=date(2027, 3, 31),
        total_working_days=63,
        total_duration_days=87,
        waves=[WaveWindow(wave_number=n, start=date(2027, 1, 4), end=date(2027, 3, 31)) for n in waves],
    )


def test_timeline_matching_the_waves_gives_no_warning(wave_plan_of) -> None:
    assert _estimate(wave_plan_of, timeline=_timeline([1, 2])).warnings == []


def test_timeline_of_other_waves_is_reported(wave_plan_of) -> None:
    assert _estimate(wave_plan_of, timeline=_timeline([1, 2, 3])).warnings == [
        "the timeline schedules waves 1, 2, 3 but the wave plan has 1, 2; re-run the timeline"
    ]


def test_breakdowns_add_up_to_the_subtotal(wave_plan_of) -> None:
    result = _estimate(wave_plan_of)
    assert (
        sum(w.total for w in result.by_wave),
        sum(c.amount for c in result.by_category),
        sum(r.amount for r in result.by_role),
    ) == (result.subtotal, result.subtotal, result.labour_total)


_app_specs = st.tuples(
    st.sampled_from([SixR.REHOST, SixR.REPLATFORM, SixR.REFACTOR, SixR.REPURCHASE, SixR.RELOCATE]),
    st.integers(min_value=1, max_value=10),
    st.one_of(st.none(), st.integers(min_value=0, max_value=20_000).map(lambda x: x / 10)),
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=0, max_value=100_000).map(lambda x: x / 100),
    st.integers(min_value=1, max_value=3),
)


@settings(max_examples=40, deadline=None)
@given(specs=st.lists(_app_specs, min_size=1, max_size=8), extra=_app_specs)
def test_cost_never_decreases_when_scope_grows(wave_plan_of, specs, extra) -> None:
    def build(all_specs):
        apps = [
            Application(
                application_id=f"P{i}",
                name=f"P{i}",
                six_r_strategy=s,
                complexity=c,
                effort_hours=e,
                server_count=n,
                data_size_gb=g,
            )
            for i, (s, c, e, n, g, _) in enumerate(all_specs)
        ]
        portfolio = Portfolio(applications=apps)
        waves: dict[int, list[str]] = {}
        for i, spec in enumerate(all_specs):
            waves.setdefault(spec[5], []).append(f"P{i}")
        plan = wave_plan_of(portfolio, waves)
        config = _config()
        return estimate_costs(portfolio, plan, allocate_resources(portfolio, plan, config), None, config)

    before, after = build(specs), build([*specs, extra])
    assert after.total >= before.total
    assert after.p80_total >= before.p80_total
    assert after.labour_total + after.data_transfer_total + after.dual_running_total >= (
        before.labour_total + before.data_transfer_total + before.dual_running_total
    )
