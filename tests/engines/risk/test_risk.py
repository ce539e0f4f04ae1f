"""Risk by simulation: determinism, ordered percentiles, zero uncertainty = the plan (at every demo size,
and for waves the placement rule would not put where the timeline has them), wider with more
uncertainty, target-date probabilities, validation, and the vectorised replay of the timeline's wave
placement against the schedule package's own ``place_wave``."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from planning_core.demo import generate_portfolio
from planning_core.domain import Phase, PhaseStatus, PlanningConfig, Portfolio, SixR
from planning_core.engines.costs.engine import estimate_costs
from planning_core.engines.costs.models import CostEstimate
from planning_core.engines.resources.engine import allocate_resources
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.risk.engine import (
    MAX_ITERATIONS,
    MAX_SEED,
    _makespans,
    _wave_order,
    simulate_plan_risk,
    simulate_risk,
)
from planning_core.engines.risk.models import RiskAnalysis
from planning_core.engines.risk.network import RiskNetwork, build_network, window_limit
from planning_core.engines.risk.placement import calibrate, priority_order
from planning_core.engines.risk.sampling import MAX_SAVING, EffortSampler, spread
from planning_core.engines.schedule.calendar import WorkingCalendar
from planning_core.engines.schedule.crews import Mode
from planning_core.engines.schedule.engine import build_timeline
from planning_core.engines.schedule.models import Timeline
from planning_core.engines.schedule.placement import WaveTask, place_wave
from planning_core.engines.waves.engine import plan_waves
from planning_core.engines.waves.models import WavePlan
from planning_core.errors import InvalidInput, PhaseOrderError
from planning_core.plan import PlanDocument

ITERATIONS = 300


@dataclass(frozen=True)
class Plan:
    portfolio: Portfolio
    wave_plan: WavePlan
    allocation: ResourceAllocation
    timeline: Timeline
    costs: CostEstimate
    config: PlanningConfig

    def with_config(self, **changes: object) -> Plan:
        """The same plan under another configuration (cost-only changes keep the schedule valid)."""
        config = self.config.model_copy(deep=True)
        inputs = changes.pop("effort_uncertainty_pct", None)
        if inputs is not None:
            config.cost_inputs.effort_uncertainty_pct = float(inputs)  # type: ignore[arg-type]
        for name, value in changes.items():
            setattr(config, name, value)
        costs = estimate_costs(self.portfolio, self.wave_plan, self.allocation, self.timeline, config)
        return Plan(self.portfolio, self.wave_plan, self.allocation, self.timeline, costs, config)

    def risk(self, iterations: int = ITERATIONS, seed: int = 0, **options: object) -> RiskAnalysis:
        return simulate_risk(
            self.portfolio,
            self.wave_plan,
            self.allocation,
            self.timeline,
            self.costs,
            self.config,
            iterations=iterations,
            seed=seed,
            **options,  # type: ignore[arg-type]
        )


@pytest.fixture(scope="module")
def plan() -> Plan:
    """A 120-application demo plan built with the real engines (the heuristic scheduler's size)."""
    portfolio = generate_portfolio(apps=120, seed=11)
    config = PlanningConfig(solver_time_limit_seconds=1.0, holidays=[date(2027, 5, 31), date(2027, 7, 5)])
    wave_plan = plan_waves(portfolio, config)
    allocation = allocate_resources(portfolio, wave_plan, config)
    timeline = build_timeline(portfolio, wave_plan, allocation, config)
    costs = estimate_costs(portfolio, wave_plan, allocation, timeline, config)
    return Plan(portfolio, wave_plan, allocation, timeline, costs, config)


@pytest.fixture(scope="module")
def risk(plan: Plan) -> RiskAnalysis:
    return plan.risk()


def test_the_same_seed_gives_the_same_analysis_and_another_seed_another(
    plan: Plan, risk: RiskAnalysis
) -> None:
    assert plan.risk().model_dump() == risk.model_dump()
    other = plan.risk(seed=1)
    assert other.model_dump() != risk.model_dump()
    assert (other.iterations, other.seed, risk.seed) == (ITERATIONS, 1, 0)


def test_percentiles_are_ordered(risk: RiskAnalysis) -> None:
    assert risk.end_date_p50 <= risk.end_date_p80 <= risk.end_date_p95
    assert risk.total_cost_p50 <= risk.total_cost_p80 <= risk.total_cost_p95
    assert risk.subtotal_p50 <= risk.subtotal_p80 <= risk.subtotal_p95
    assert risk.end_date_p50 < risk.end_date_p95 and risk.total_cost_p50 < risk.total_cost_p95


def test_zero_uncertainty_gives_the_deterministic_plan_exactly(plan: Plan) -> None:
    still = plan.with_config(effort_uncertainty_pct=0)
    risk = still.risk(iterations=50, seed=3)
    for end in (risk.end_date_p50, risk.end_date_p80, risk.end_date_p95, risk.deterministic_end_date):
        assert end == still.timeline.end_date
    for total in (risk.total_cost_p50, risk.total_cost_p80, risk.total_cost_p95, risk.deterministic_total):
        assert total == still.costs.total
    assert risk.subtotal_p50 == risk.subtotal_p95 == still.costs.subtotal
    assert risk.probability_meeting_target == 1.0 and risk.target_date == still.timeline.end_date
    assert risk.contingency_covers_p80 and risk.contingency_shortfall_p80 == 0
    assert risk.warnings == []
    assert [(b.start, b.end, b.count) for b in risk.end_date_histogram] == [
        (still.timeline.end_date, still.timeline.end_date, 50)
    ]
    assert all(d.end_swing_days == 0 and d.cost_swing == 0 for d in risk.drivers)


def test_more_uncertainty_widens_the_spread(plan: Plan) -> None:
    narrow = plan.with_config(effort_uncertainty_pct=10).risk()
    wide = plan.with_config(effort_uncertainty_pct=60).risk()
    assert wide.total_cost_p95 - wide.total_cost_p50 > narrow.total_cost_p95 - narrow.total_cost_p50
    assert wide.end_date_p95 - wide.end_date_p50 > narrow.end_date_p95 - narrow.end_date_p50
    assert wide.end_date_p95 > narrow.end_date_p95


def test_probability_of_meeting_a_target_date(plan: Plan, risk: RiskAnalysis) -> None:
    calendar = WorkingCalendar(plan.config)
    before = calendar.nth_working_day(plan.timeline.total_working_days - 2)
    assert plan.risk(target_date=before).probability_meeting_target < 1
    assert plan.risk(target_date=risk.end_date_p95).probability_meeting_target >= 0.95
    assert plan.risk(target_date=risk.end_date_p50).probability_meeting_target >= 0.5
    too_early = plan.config.migration_start_date - timedelta(days=1)
    assert plan.risk(target_date=too_early).probability_meeting_target == 0
    assert risk.target_date == plan.timeline.end_date


def test_contingency_is_compared_with_the_simulated_p80(plan: Plan) -> None:
    bare = plan.with_config(contingency_percentage=0.0).risk()
    assert not bare.contingency_covers_p80
    assert bare.contingency_shortfall_p80 == bare.subtotal_p80 - bare.deterministic_total > 0
    ample = plan.with_config(contingency_percentage=40.0).risk()
    assert ample.contingency_covers_p80 and ample.contingency_shortfall_p80 == 0
    assert ample.deterministic_total >= ample.subtotal_p80


def test_document_shape_drivers_and_histograms(plan: Plan, risk: RiskAnalysis) -> None:
    data = risk.model_dump(mode="json")
    for key in (
        "iterations", "seed", "end_date_p50", "end_date_p80", "end_date_p95", "total_cost_p50",
        "total_cost_p80", "total_cost_p95", "probability_meeting_target", "contingency_covers_p80",
        "drivers", "end_date_histogram",
    ):  # fmt: skip
        assert key in data
    assert isinstance(data["total_cost_p80"], float) and data["end_date_p80"] == risk.end_date_p80.isoformat()
    assert RiskAnalysis.model_validate_json(risk.model_dump_json()) == risk
    assert sum(b.count for b in risk.end_date_histogram) == ITERATIONS
    assert sum(b.count for b in risk.total_cost_histogram) == ITERATIONS
    assert 1 <= len(risk.end_date_histogram) <= 12
    assert risk.end_date_histogram[0].start <= risk.end_date_p50 <= risk.end_date_histogram[-1].end
    roles = {d.role for d in risk.drivers if d.kind == "role"}
    assert roles == {r.role for r in plan.allocation.application_hours}
    swings = [abs(d.end_swing_days) for d in risk.drivers]
    assert swings == sorted(swings, reverse=True)
    waves = [d for d in risk.drivers if d.kind == "wave"]
    assert waves and all(d.wave_number is not None and d.name == f"Wave {d.wave_number}" for d in waves)
    assert all(-1 <= d.end_correlation <= 1 and -1 <= d.cost_correlation <= 1 for d in risk.drivers)
    assert max(d.cost_swing for d in risk.drivers) > 0


@pytest.mark.parametrize("iterations", [0, -5, MAX_ITERATIONS + 1, 2.5, True, "100", None])
def test_bad_iterations_are_refused(plan: Plan, iterations: object) -> None:
    with pytest.raises(InvalidInput, match="iterations"):
        plan.risk(iterations=iterations)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [-1, MAX_SEED + 1, 1.0, False, "7"])
def test_bad_seeds_are_refused(plan: Plan, seed: object) -> None:
    with pytest.raises(InvalidInput, match="seed"):
        plan.risk(seed=seed)  # type: ignore[arg-type]


def test_a_bad_target_date_is_refused(plan: Plan) -> None:
    with pytest.raises(InvalidInput, match="target date"):
        plan.risk(target_date="2030-01-01")


def test_the_plan_document_form_needs_the_earlier_phases(plan: Plan, risk: RiskAnalysis) -> None:
    document = PlanDocument(
        planning_flow_id="risk",
        client_account_id=1,
        engagement_id=1,
        current_phase=Phase.SYNTHESIS,
        phase_status=PhaseStatus.PENDING,
        phase_statuses={},
        planning_config=plan.config,
        selected_applications=[a.application_id for a in plan.portfolio.applications],
        applications=plan.portfolio.applications,
        dependencies=plan.portfolio.dependencies,
        wave_plan=plan.wave_plan,
        resource_allocation=plan.allocation,
        created_at=datetime(2027, 1, 1),
    )
    with pytest.raises(PhaseOrderError, match="timeline, cost estimation"):
        simulate_plan_risk(document)
    document.timeline = plan.timeline
    document.cost_estimation = plan.costs
    assert simulate_plan_risk(document, iterations=ITERATIONS).model_dump() == risk.model_dump()


def test_the_spread_widens_with_complexity_and_refactor() -> None:
    assert spread(20, 5, SixR.REHOST) == pytest.approx((0.1, 0.2))
    assert spread(20, 10, SixR.REHOST) == pytest.approx((0.15, 0.3))
    assert spread(20, 1, SixR.REHOST) == pytest.approx((0.06, 0.12))
    assert spread(20, 5, SixR.REFACTOR) == pytest.approx((0.15, 0.3))
    assert spread(200, 10, SixR.REFACTOR)[0] == MAX_SAVING
    assert spread(0, 10, SixR.REFACTOR) == (0.0, 0.0)


def test_sampled_multipliers_stay_in_their_pert_range() -> None:
    ranges = [(0.1, 0.2), (0.0, 0.0), (0.9, 3.0)]
    deviations = EffortSampler(ranges, seed=5).deviations(20_000)
    assert (deviations[:, 1] == 0).all()
    for k, (a, b) in enumerate(ranges):
        assert deviations[:, k].min() >= -a and deviations[:, k].max() <= b
    assert deviations[:, 0].mean() == pytest.approx((0.2 - 0.1) / 6, abs=0.003)  # PERT mean
    again = EffortSampler(ranges, seed=5)
    assert np.array_equal(np.vstack([again.deviations(7_000), again.deviations(13_000)]), deviations)


def _build(apps: int, seed: int, config: PlanningConfig) -> Plan:
    portfolio = generate_portfolio(apps=apps, seed=seed)
    wave_plan = plan_waves(portfolio, config)
    allocation = allocate_resources(portfolio, wave_plan, config)
    timeline = build_timeline(portfolio, wave_plan, allocation, config)
    costs = estimate_costs(portfolio, wave_plan, allocation, timeline, config)
    return Plan(portfolio, wave_plan, allocation, timeline, costs, config)


@pytest.mark.parametrize("apps", [12, 300, 1000])
def test_zero_uncertainty_is_the_plan_at_every_demo_size(apps: int) -> None:
    config = PlanningConfig(solver_time_limit_seconds=1.0)
    config.cost_inputs.effort_uncertainty_pct = 0.0
    plan = _build(apps, 7, config)
    risk = plan.risk(iterations=5, seed=2)
    assert risk.warnings == []
    assert risk.end_date_p50 == risk.end_date_p95 == plan.timeline.end_date
    assert risk.total_cost_p50 == risk.total_cost_p95 == plan.costs.total


def test_a_wave_the_placement_rule_would_not_put_there_keeps_its_planned_days(plan: Plan) -> None:
    """A timeline placed otherwise (here: the last wave cuts over three days after its test, as an
    optimiser might leave it) is still reproduced exactly with zero uncertainty."""
    still = plan.with_config(effort_uncertainty_pct=0)
    timeline = still.timeline.model_copy(deep=True)
    calendar = WorkingCalendar(still.config)
    last = max(timeline.activities, key=lambda a: (a.end, a.wave_number)).wave_number
    for activity in timeline.activities:
        if activity.wave_number == last and activity.kind in ("cutover", "hypercare"):
            start = calendar.offset_of(activity.start) + 3
            activity.start = calendar.nth_working_day(start)
            activity.end = calendar.nth_working_day(start + activity.duration_days - 1)
    timeline.total_working_days += 3
    timeline.end_date = calendar.nth_working_day(timeline.total_working_days - 1)
    moved = Plan(still.portfolio, still.wave_plan, still.allocation, timeline, still.costs, still.config)
    risk = moved.risk(iterations=5)
    assert risk.warnings == [] and risk.end_date_p95 == risk.end_date_p50 == timeline.end_date
    assert risk.end_date_p50 > still.timeline.end_date


def _network(
    plan: Plan,
) -> tuple[RiskNetwork, list[int], Callable[[int], int], Callable[[np.ndarray], np.ndarray]]:
    calendar = WorkingCalendar(plan.config)
    network = build_network(
        plan.portfolio, plan.wave_plan, plan.allocation, plan.timeline, plan.config, calendar
    )
    one, many = window_limit(calendar, plan.config.wave_duration_limit_days)
    order = _wave_order(network)
    assert network.profile is not None
    calibrate(network.replays, order, network.modes, network.planned, network.profile, one)
    return network, order, one, many


def test_vectorised_replay_matches_the_schedule_packages_place_wave(plan: Plan) -> None:
    """Every iteration of the vectorised replay = the schedule package's own ``Profile``/``place_wave``
    run wave by wave on that iteration's durations and daily hours (anchored waves: each activity at its
    first fitting day from its planned start, the cut-over not before its planned day)."""
    wide = plan.with_config(effort_uncertainty_pct=60)
    network, order, one, many = _network(wide)
    assert network.profile is not None
    deviations = EffortSampler(network.spreads, seed=9).deviations(12)
    batch = network.sampled(deviations @ network.cell_weights)
    makespans = _makespans(network, order, batch, many)
    assert (makespans != wide.timeline.total_working_days).any()
    for i in range(len(makespans)):
        profile = copy.copy(network.profile)
        profile.usage = np.zeros_like(network.profile.usage)
        released: dict[int, int] = {}
        expected = np.zeros(len(network.activity_ids), dtype=np.int64)
        for k in order:
            wave = network.replays[k]
            modes = []
            for j in wave.work:
                mode = network.modes[j]
                assert mode is not None
                hours = tuple(
                    (r, float(h)) for (r, _), h in zip(mode.daily, batch.daily[j][:, i], strict=True)
                )
                modes.append(Mode(int(batch.durations[i, j]), mode.crew, hours))
            ready = max((released[w] for w in wave.after if w in released), default=0)
            if wave.anchored:
                t, starts = 0, []
                for mode, planned in zip(modes, wave.planned, strict=True):
                    starts.append(profile.earliest(mode, max(t, planned)))
                    profile.book(mode, starts[-1])
                    t = starts[-1] + mode.duration
                cutover = max(t, ready, wave.planned_cutover)
            else:
                task = WaveTask(
                    wave.number, [[m] for m in modes], wave.tail, release=wave.release, fixed=wave.fixed
                )
                placed = place_wave(profile, task, ready, lambda s, end=wave.planned_end: max(one(s), end))
                starts, cutover = placed.starts, placed.cutover
            released[k] = cutover + wave.tail[0]
            expected[list(wave.work)] = starts
            expected[wave.cutover], expected[wave.cutover + 1] = cutover, cutover + wave.tail[0]
        assert batch.starts[i].tolist() == expected.tolist()
        assert makespans[i] == max(released[k] + network.replays[k].tail[1] for k in released)


def test_priority_order_puts_predecessors_first_and_refuses_cycles() -> None:
    assert priority_order([5, 0, 3], [[], [0], []]) == [2, 0, 1]  # 1 waits for 0
    with pytest.raises(InvalidInput, match="cycle"):
        priority_order([0, 1], [[1], [0]])


def test_an_empty_plan_is_its_own_forecast() -> None:
    config = PlanningConfig()
    empty = Portfolio()
    wave_plan = plan_waves(empty, config)
    allocation = allocate_resources(empty, wave_plan, config)
    timeline = build_timeline(empty, wave_plan, allocation, config)
    costs = estimate_costs(empty, wave_plan, allocation, timeline, config)
    risk = simulate_risk(empty, wave_plan, allocation, timeline, costs, config, iterations=10)
    assert risk.end_date_p95 == timeline.end_date and risk.total_cost_p95 == costs.total == Decimal("0.00")
    assert risk.drivers == []
