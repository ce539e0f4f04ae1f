"""Risk by simulation: a seeded Monte Carlo run of effort uncertainty through the schedule and the costs.

The model, step by step:

1. **Effort.** In every iteration each application's effort is multiplied by a PERT-distributed factor
   on ``[1 - a, 1, 1 + b]`` whose range grows with the effort uncertainty setting, the complexity and
   refactoring (the formula is in ``planning_core.engines.risk.sampling``). Iterations:
   ``DEFAULT_ITERATIONS`` (1,000) unless asked otherwise, ``MAX_ITERATIONS`` (20,000) at most; a seed
   (0 to ``MAX_SEED``) always gives the same result.
2. **Hours.** The hours of role r in wave w change as their applications' efforts do (each application
   weighs by its allocation hours of that role in that wave; ``planning_core.engines.risk.network``).
3. **Durations.** Every plan/migrate/test activity's role hours change with their (wave, role); it keeps
   the crew the timeline recorded on it, and its duration and daily hours follow the timeline's rule
   for that crew (``planning_core.engines.risk.network``); cut-over and hypercare keep their durations.
4. **Schedule.** The timeline's wave placement is replayed in every iteration
   (``planning_core.engines.risk.placement``, vectorised over the iterations): waves placed whole, one
   at a time (fixed cut-overs first, then by planned start, a wave after the waves whose cut-overs it
   follows), forward from their release, the cut-over after those cut-overs or on its fixed day, the
   work closed up on the cut-over, a later release while the window breaks the wave limit (or the
   plan's own window, where the plan already breaks it), on a day-by-role profile within the roles'
   capacities where the waves not yet placed keep their planned days. A wave's release is its
   not-before day, or its planned start where the timeline started it later than that day gives (the
   schedule package's own ``place_wave`` decides, on the plan). Working-day offsets become dates with
   the timeline's working calendar (weekdays, holidays, blackout windows).
5. **Cost.** Labour of (wave, role) = the allocation's hours x the hourly rate, scaled like the cell's
   hours; one-off, data transfer and dual running are the cost model's. ``subtotal_*`` = the plan's
   subtotal + the change of labour; ``total_cost_*`` = the plan's total + the change of labour x
   (1 + contingency % / 100), i.e. the cost model's total for the simulated hours, to the cent.
6. **Percentiles** (P50, P80, P95) are simulated values: the smallest value that at least that share of
   the iterations does not exceed. ``contingency_covers_p80``: the plan's total (subtotal + contingency)
   is at least the simulated P80 of the subtotal (the cost model's ``p80_total`` convention).
7. **Target.** ``probability_meeting_target`` = share of iterations that end on or before the target
   date (by default the deterministic end date).
8. **Drivers** (tornado): for every role and the waves that matter most, the swing of the end date
   (working days) and of the total when its effort moves from its P10 to its P90 (regression slope x
   inter-decile range) and Pearson's correlations (``planning_core.engines.risk.statistics``).

With zero uncertainty every multiplier is exactly 1 and the run reproduces the deterministic plan: every
activity on its planned days, the end date of the timeline and the cost estimate's total exactly. Every
run checks that: a zero-uncertainty replay that places an activity elsewhere is named in a warning, and
a different end moves the simulated makespans by the difference (so the zero-uncertainty run still ends
on the plan's date), with a warning.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from planning_core.domain import PlanningConfig, Portfolio, to_money
from planning_core.engines.costs.models import CostEstimate
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.risk.models import RiskAnalysis
from planning_core.engines.risk.network import RiskNetwork, build_network, window_limit
from planning_core.engines.risk.placement import Batch, Board, calibrate, priority_order, replay
from planning_core.engines.risk.sampling import EffortSampler
from planning_core.engines.risk.statistics import cost_histogram, date_histogram, drivers, percentile
from planning_core.engines.schedule.calendar import WorkingCalendar
from planning_core.engines.schedule.models import Timeline
from planning_core.engines.waves.models import WavePlan
from planning_core.errors import InvalidInput, PhaseOrderError

if TYPE_CHECKING:
    from planning_core.plan import PlanDocument

DEFAULT_ITERATIONS = 1_000
MAX_ITERATIONS = 20_000
MAX_SEED = 2**32 - 1
BATCH_ITERATIONS = 250  # iterations simulated together (memory: roles x batch x horizon hours per day)
PERCENTILES = (0.5, 0.8, 0.95)


def simulate_plan_risk(
    plan: PlanDocument,
    portfolio: Portfolio | None = None,
    *,
    iterations: int = DEFAULT_ITERATIONS,
    seed: int = 0,
    target_date: date | None = None,
) -> RiskAnalysis:
    """``simulate_risk`` of a plan whose phases up to cost estimation are done.

    The portfolio defaults to the plan's own applications and dependencies.
    """
    missing = [
        name
        for name, part in (
            ("wave plan", plan.wave_plan),
            ("resource allocation", plan.resource_allocation),
            ("timeline", plan.timeline),
            ("cost estimation", plan.cost_estimation),
        )
        if part is None
    ]
    if missing:
        raise PhaseOrderError(f"the risk simulation needs the {', '.join(missing)}: run those phases first")
    assert plan.wave_plan and plan.resource_allocation and plan.timeline and plan.cost_estimation
    if portfolio is None:
        portfolio = Portfolio(applications=plan.applications, dependencies=plan.dependencies)
    return simulate_risk(
        portfolio,
        plan.wave_plan,
        plan.resource_allocation,
        plan.timeline,
        plan.cost_estimation,
        plan.planning_config,
        iterations=iterations,
        seed=seed,
        target_date=target_date,
    )


def simulate_risk(
    portfolio: Portfolio,
    wave_plan: WavePlan,
    allocation: ResourceAllocation,
    timeline: Timeline,
    costs: CostEstimate,
    config: PlanningConfig,
    *,
    iterations: int = DEFAULT_ITERATIONS,
    seed: int = 0,
    target_date: date | None = None,
) -> RiskAnalysis:
    """P50/P80/P95 end date and cost, the chance of meeting a target date, and what drives the spread."""
    _check_options(iterations, seed, target_date)
    calendar = WorkingCalendar(config)
    network = build_network(portfolio, wave_plan, allocation, timeline, config, calendar)
    warnings: list[str] = []
    planned = timeline.total_working_days
    if timeline.activities and calendar.nth_working_day(planned - 1) != timeline.end_date:
        warnings.append(
            "the timeline's end date does not match the working calendar of the configuration; "
            "re-run the timeline"
        )
    corrected = sum(1 for c in network.correction if c)
    if corrected:
        warnings.append(
            f"{corrected} activities last longer or shorter than their role hours give; their simulated "
            "durations keep the difference (re-run the timeline)"
        )
    one_window, window_ends = window_limit(calendar, config.wave_duration_limit_days)
    order = _wave_order(network)
    shift = 0
    if network.activity_ids:
        assert network.profile is not None
        calibrate(
            network.replays, order, network.modes, network.planned, copy.copy(network.profile), one_window
        )
        still = network.sampled(np.zeros((1, len(network.cells))))
        shift = planned - int(_makespans(network, order, still, window_ends)[0])
        moved = [a for j, a in enumerate(network.activity_ids) if still.starts[0, j] != network.planned[j]]
        if moved:
            warnings.append(
                f"with the plan's own hours the replayed placement puts {len(moved)} activities on other days "
                f"than the timeline ({', '.join(moved[:5])}{', ...' if len(moved) > 5 else ''})"
            )
        if shift:
            warnings.append(
                f"the replayed placement finishes the plan's own hours {abs(shift)} working days "
                f"{'earlier' if shift > 0 else 'later'} than the timeline; simulated end dates are moved by "
                "that difference"
            )
    sampler = EffortSampler(network.spreads, seed)
    makespans, labour, wave_effort, role_effort = [], [], [], []
    for first in range(0, iterations, BATCH_ITERATIONS):
        size = min(BATCH_ITERATIONS, iterations - first)
        deviation = sampler.deviations(size)
        cells = deviation @ network.cell_weights
        if network.activity_ids:
            makespans.append(_makespans(network, order, network.sampled(cells), window_ends) + shift)
        else:
            makespans.append(np.full(size, planned, dtype=np.int64))
        labour.append(cells @ network.cell_labour)
        wave_effort.append((deviation @ network.wave_weights).astype(np.float32))
        role_effort.append((deviation @ network.role_weights).astype(np.float32))
    return _analysis(
        network=network,
        timeline=timeline,
        costs=costs,
        config=config,
        calendar=calendar,
        iterations=iterations,
        seed=seed,
        target_date=target_date or timeline.end_date,
        makespan=np.concatenate(makespans),
        labour_change=np.concatenate(labour),
        wave_effort=np.concatenate(wave_effort),
        role_effort=np.concatenate(role_effort),
        warnings=warnings,
    )


def _check_options(iterations: int, seed: int, target_date: date | None) -> None:
    """Refuse iterations, seeds and target dates the simulation cannot use, with a clear message."""
    if isinstance(iterations, bool) or not isinstance(iterations, int | np.integer):
        raise InvalidInput(f"the number of iterations must be a whole number, not {iterations!r}")
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise InvalidInput(
            f"the number of iterations must be between 1 and {MAX_ITERATIONS:,}, not {iterations:,}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise InvalidInput(f"the seed must be a whole number, not {seed!r}")
    if not 0 <= seed <= MAX_SEED:
        raise InvalidInput(f"the seed must be between 0 and {MAX_SEED:,}, not {seed:,}")
    if target_date is not None and not isinstance(target_date, date):
        raise InvalidInput(f"the target date must be a date, not {target_date!r}")


def _wave_order(network: RiskNetwork) -> list[int]:
    """Waves with a fixed cut-over first, then by planned start; a wave after the waves it follows."""
    first = -1 - max(network.planned, default=0)
    keys = [(first if w.fixed is not None else 0) + network.planned[w.work[0]] for w in network.replays]
    return priority_order(keys, [[] if w.fixed is not None else w.after for w in network.replays])


def _makespans(
    network: RiskNetwork, order: list[int], batch: Batch, window_ends: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Working days from the first working day to the end, per iteration, for sampled durations."""
    assert network.profile is not None
    board = Board(
        network.profile.capacity, batch.durations.shape[0], 2 * max(network.planned, default=0) + 64
    )
    return replay(network.replays, order, network.work, batch, board, window_ends)


def _analysis(
    *,
    network: RiskNetwork,
    timeline: Timeline,
    costs: CostEstimate,
    config: PlanningConfig,
    calendar: WorkingCalendar,
    iterations: int,
    seed: int,
    target_date: date,
    makespan: np.ndarray,
    labour_change: np.ndarray,
    wave_effort: np.ndarray,
    role_effort: np.ndarray,
    warnings: list[str],
) -> RiskAnalysis:
    """The document: percentiles, contingency check, target probability, drivers, histograms."""
    factor = 1.0 + config.contingency_percentage / 100.0
    total_change = labour_change * factor

    def end_date_of(days: int) -> date:
        return calendar.nth_working_day(days - 1) if days > 0 else timeline.start_date

    ends = [end_date_of(int(percentile(makespan, p))) for p in PERCENTILES]
    subtotals = [costs.subtotal + _cents(percentile(labour_change, p)) for p in PERCENTILES]
    totals = [costs.total + _cents(percentile(labour_change, p) * factor) for p in PERCENTILES]
    shortfall = max(subtotals[1] - costs.total, Decimal("0.00"))
    return RiskAnalysis(
        iterations=iterations,
        seed=int(seed),
        effort_uncertainty_pct=config.cost_inputs.effort_uncertainty_pct,
        currency=costs.currency,
        deterministic_end_date=timeline.end_date,
        end_date_p50=ends[0],
        end_date_p80=ends[1],
        end_date_p95=ends[2],
        deterministic_total=costs.total,
        total_cost_p50=totals[0],
        total_cost_p80=totals[1],
        total_cost_p95=totals[2],
        subtotal_p50=subtotals[0],
        subtotal_p80=subtotals[1],
        subtotal_p95=subtotals[2],
        contingency=costs.contingency,
        contingency_covers_p80=costs.total >= subtotals[1],
        contingency_shortfall_p80=shortfall,
        target_date=target_date,
        probability_meeting_target=_probability_by(makespan, target_date, calendar),
        drivers=drivers(wave_effort, network.waves, role_effort, network.roles, makespan, total_change),
        end_date_histogram=date_histogram(makespan, end_date_of),
        total_cost_histogram=cost_histogram(costs.total, total_change),
        method=(
            f"Monte Carlo, {iterations:,} iterations, seed {seed}: PERT effort per application, the "
            "timeline's wave placement replayed with the recorded crews within the roles' capacities"
        ),
        warnings=warnings,
    )


def _cents(value: float) -> Decimal:
    """A float amount to the cent (``-0.00`` as ``0.00``)."""
    amount = to_money(value)
    return amount if amount else Decimal("0.00")


def _probability_by(makespan: np.ndarray, target: date, calendar: WorkingCalendar) -> float:
    """Share of iterations whose last working day is on or before the target date."""
    if target < calendar.origin:
        return 0.0
    working_days_by_target = calendar.offset_of(target + timedelta(days=1))
    return float((makespan <= working_days_by_target).mean())
