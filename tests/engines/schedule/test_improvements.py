"""Issue 18, scheduler half: the activity-list genetic algorithm, the head/tail energy bound of the
timeline, and CP-SAT over the wave placement (the crew model as a multi-mode RCPSP)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning_core.domain import ResourcePool
from planning_core.engines.schedule import engine
from planning_core.engines.schedule.bounds import energy_bound
from planning_core.engines.schedule.engine import build_timeline
from planning_core.engines.schedule.rcpsp import RcpspProblem, check_schedule, heuristic_schedule
from tests.engines.schedule.test_engine import ROLES, assert_feasible, config, random_case
from tests.engines.schedule.test_rcpsp import instances

# Every priority rule with justification ends at 17; the optimum is 16 (see test_rcpsp).
RULES_MISS = RcpspProblem(
    durations=[3, 1, 3, 3, 3, 4],
    demands=[[2], [2], [3], [3], [1], [3]],
    capacities=[3],
    links=[(0, 3, 0), (0, 4, 0), (0, 5, 0), (1, 3, 0), (1, 5, 0), (2, 3, 0)],
)


def makespan(problem: RcpspProblem, start: list[int]) -> int:
    return max(s + d for s, d in zip(start, problem.durations, strict=True))


def test_genetic_algorithm_finds_the_optimum_the_rules_miss() -> None:
    assert makespan(RULES_MISS, heuristic_schedule(RULES_MISS)) == 17
    start = heuristic_schedule(RULES_MISS, samples=30, seed=0)
    assert (makespan(RULES_MISS, start), check_schedule(RULES_MISS, start)) == (16, [])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_n=9), st.integers(0, 3))
def test_genetic_algorithm_is_feasible_reproducible_and_never_worse_than_the_rules(
    problem: RcpspProblem, seed: int
) -> None:
    bred = heuristic_schedule(problem, samples=20, seed=seed)
    assert check_schedule(problem, bred) == []
    assert heuristic_schedule(problem, samples=20, seed=seed) == bred
    assert makespan(problem, bred) <= makespan(problem, heuristic_schedule(problem))


def test_energy_bound_counts_the_tails_and_heads() -> None:
    # Two 10-day jobs of one person: plain energy 0 + 20 + 2 = 22; the long-tailed one alone gives 20.
    assert energy_bound([(0, 10, 80.0), (0, 2, 80.0)], daily=8.0) == 22
    # A late head: 5 + 10 + 0 beats 0 + 11 + 0 (all hours from the earliest head).
    assert energy_bound([(5, 0, 80.0), (0, 0, 8.0)], daily=8.0) == 15
    # Part days round up.
    assert energy_bound([(0, 0, 9.0)], daily=8.0) == 2


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6), st.floats(1, 50)), min_size=1, max_size=6))
def test_energy_bound_is_the_best_of_every_head_and_tail_threshold(
    acts: list[tuple[int, int, float]],
) -> None:
    brute = max(
        r + math.ceil(sum(h for a, b, h in acts if a >= r and b >= q) / 8.0 - 1e-9) + q
        for r in {a for a, _, _ in acts}
        for q in {b for _, b, _ in acts}
        if any(a >= r and b >= q for a, b, _ in acts)
    )
    assert energy_bound(acts, daily=8.0) == brute


def _tight_config():  # type: ignore[no-untyped-def]
    return config(
        resource_pools=[
            ResourcePool(role=r, headcount=h) for r, h in zip(ROLES, [2, 1, 2, 1, 1, 1], strict=True)
        ]
    )


def test_compaction_by_the_rcpsp_core_shortens_the_wave_placement(monkeypatch: pytest.MonkeyPatch) -> None:
    """Six applications in three waves on small pools: the wave-by-wave placement ends on day 118; the
    RCPSP core's justification of the same crews, every wave then closed up on its cut-over, on day 104
    with no more windows broken, every capacity and link kept."""
    portfolio, plan, hours = random_case(6, 2, seed=0)
    cfg = _tight_config()
    compacted = build_timeline(portfolio, plan, hours, cfg)
    with monkeypatch.context() as patch:
        patch.setattr(engine, "compact", lambda *args: args[-1])
        placed = build_timeline(portfolio, plan, hours, cfg)
    assert (placed.total_working_days, compacted.total_working_days) == (118, 104)
    assert len(compacted.violations) <= len(placed.violations)
    assert_feasible(compacted, cfg, portfolio, plan)


def test_cp_sat_shortens_the_compacted_placement_and_keeps_it_feasible() -> None:
    """The same case: CP-SAT over the crew modes, warm-started by the compacted schedule (day 104),
    finds a shorter one."""
    portfolio, plan, hours = random_case(6, 2, seed=0)
    cfg = _tight_config()
    better = build_timeline(portfolio, plan, hours, cfg, improve_seconds=2)
    assert better.solver["method"] == "wave-window-sgs+cp-sat"
    assert better.solver["heuristic_makespan_days"] == 104
    assert better.solver["lower_bound_days"] <= better.total_working_days < 104
    assert len(better.violations) <= 2
    assert_feasible(better, cfg, portfolio, plan)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 30), st.integers(1, 5), st.integers(0, 10_000), st.integers(0, 20))
def test_compaction_is_feasible_and_never_worse(n_apps: int, per_wave: int, seed: int, release: int) -> None:
    portfolio, plan, hours = random_case(n_apps, per_wave, seed)
    plan.waves[-1].not_before = date(2027, 1, 4) + timedelta(days=release)
    cfg = _tight_config().model_copy(update={"wave_duration_limit_days": 40 + seed % 60})
    compacted = build_timeline(portfolio, plan, hours, cfg)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "compact", lambda *args: args[-1])
        placed = build_timeline(portfolio, plan, hours, cfg)
    assert_feasible(compacted, cfg, portfolio, plan)
    assert (len(compacted.violations), compacted.total_working_days) <= (
        len(placed.violations),
        placed.total_working_days,
    )
    last = plan.waves[-1]
    assert min(a.start for a in compacted.activities if a.wave_number == last.wave_number) >= last.not_before


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 14), st.integers(1, 4), st.integers(0, 10_000))
def test_cp_sat_placement_is_feasible_and_never_worse(n_apps: int, per_wave: int, seed: int) -> None:
    portfolio, plan, hours = random_case(n_apps, per_wave, seed)
    cfg = _tight_config().model_copy(update={"wave_duration_limit_days": 40 + seed % 60})
    greedy = build_timeline(portfolio, plan, hours, cfg)
    better = build_timeline(portfolio, plan, hours, cfg, improve_seconds=0.5)
    assert_feasible(better, cfg, portfolio, plan)
    assert (len(better.violations), better.total_working_days) <= (
        len(greedy.violations),
        greedy.total_working_days,
    )
    over = {w.wave_number for w in better.waves if (w.end - w.start).days + 1 > cfg.wave_duration_limit_days}
    assert over == {n for v in better.violations if v.constraint == "wave_duration" for n in v.wave_numbers}
    assert better.solver["lower_bound_days"] <= better.total_working_days
