"""RCPSP solver: exact small cases, refused input, and properties on random instances."""

from __future__ import annotations

from itertools import permutations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning_core.engines.schedule.cp_sat import resource_delays
from planning_core.engines.schedule.network import Network, build_network, with_delays
from planning_core.engines.schedule.rcpsp import (
    RcpspProblem,
    check_schedule,
    energy_lower_bound,
    heuristic_schedule,
    solve_rcpsp,
)
from planning_core.errors import InvalidInput

# Activity 0 takes the whole resource; 3 must follow 0; 1 and 2 fill around 3.
SMALL = RcpspProblem(durations=[3, 2, 2, 4], demands=[[2], [1], [1], [1]], capacities=[2], links=[(0, 3, 0)])


def test_small_instance_is_solved_to_optimality() -> None:
    solution = solve_rcpsp(SMALL, time_limit_seconds=2, num_workers=1)
    assert solution.starts in ([0, 3, 5, 3], [0, 5, 3, 3])  # the two optimal schedules
    assert (solution.makespan, solution.status, solution.lower_bound) == (7, "optimal", 7)
    assert (solution.cpm_lower_bound, solution.energy_lower_bound) == (7, 7)


def test_capacity_forces_activities_apart() -> None:
    problem = RcpspProblem(durations=[2, 2, 2], demands=[[2], [2], [1]], capacities=[3])
    solution = solve_rcpsp(problem, use_cp_sat=False)
    assert (solution.starts, solution.makespan) == ([0, 2, 0], 4)


def test_lag_delays_the_successor() -> None:
    problem = RcpspProblem(durations=[2, 1], demands=[[0], [0]], capacities=[1], links=[(0, 1, 3)])
    assert solve_rcpsp(problem, use_cp_sat=False).starts == [0, 5]


def test_cp_sat_improves_on_the_heuristic_and_proves_it() -> None:
    # Found by random search: every priority rule with justification ends at 17; the optimum is 16.
    problem = RcpspProblem(
        durations=[3, 1, 3, 3, 3, 4],
        demands=[[2], [2], [3], [3], [1], [3]],
        capacities=[3],
        links=[(0, 3, 0), (0, 4, 0), (0, 5, 0), (1, 3, 0), (1, 5, 0), (2, 3, 0)],
    )
    solution = solve_rcpsp(problem, time_limit_seconds=2, num_workers=1)
    assert (solution.heuristic_makespan, solution.makespan, solution.status, solution.lower_bound) == (
        17,
        16,
        "optimal",
        16,
    )
    assert solution.method == "serial-sgs+fbi+cp-sat"
    assert check_schedule(problem, solution.starts) == []


def test_check_schedule_reports_capacity_and_precedence_violations() -> None:
    assert check_schedule(SMALL, [0, 0, 5, 2]) == [
        "activity 3 starts before 0 finishes (+0)",
        "resource 0 used 3 > 2 at time 0",
        "resource 0 used 3 > 2 at time 2",
    ]


def test_check_schedule_accepts_a_feasible_schedule() -> None:
    assert check_schedule(SMALL, [0, 3, 5, 3]) == []


def test_demand_above_capacity_is_refused() -> None:
    problem = RcpspProblem(durations=[1], demands=[[3]], capacities=[2])
    with pytest.raises(InvalidInput, match="activity 0 needs 3 of resource 0 but only 2 exist"):
        solve_rcpsp(problem)


def test_cycle_is_refused() -> None:
    problem = RcpspProblem(durations=[1, 1], demands=[[0], [0]], capacities=[1], links=[(0, 1, 0), (1, 0, 0)])
    with pytest.raises(InvalidInput, match="cycle"):
        heuristic_schedule(problem)


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(InvalidInput, match="2 demand rows for 1 activities"):
        solve_rcpsp(RcpspProblem(durations=[1], demands=[[0], [0]], capacities=[1]))
    with pytest.raises(InvalidInput, match="unknown activity"):
        solve_rcpsp(RcpspProblem(durations=[1], demands=[[0]], capacities=[1], links=[(0, 4, 0)]))


def test_energy_lower_bound() -> None:
    assert energy_lower_bound(SMALL) == 7


@st.composite
def instances(draw: st.DrawFn, max_n: int = 7) -> RcpspProblem:
    """Random DAGs (links only forward in index order) with two resources."""
    n = draw(st.integers(1, max_n))
    caps = [draw(st.integers(1, 4)), draw(st.integers(1, 4))]
    durations = [draw(st.integers(0, 5)) for _ in range(n)]
    demands = [[draw(st.integers(0, caps[0])), draw(st.integers(0, caps[1]))] for _ in range(n)]
    links = [
        (i, j, draw(st.integers(0, 2)))
        for i in range(n)
        for j in range(i + 1, n)
        if draw(st.integers(0, 3)) == 0
    ]
    return RcpspProblem(durations=durations, demands=demands, capacities=caps, links=links)


def brute_force_makespan(problem: RcpspProblem) -> int:
    """Optimum over every activity order (the serial SGS of some order is optimal)."""
    n = len(problem.durations)
    best = None
    for order in permutations(range(n)):
        rank = {j: i for i, j in enumerate(order)}
        if any(rank[p] > rank[s] for p, s, _ in problem.links):
            continue
        start = heuristic_schedule(problem, rules=(), justify=False, priority=[rank[j] for j in range(n)])
        span = max(start[j] + problem.durations[j] for j in range(n))
        best = span if best is None else min(best, span)
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_n=9))
def test_heuristic_schedules_respect_capacity_and_precedence(problem: RcpspProblem) -> None:
    start = heuristic_schedule(problem, samples=3, seed=1)
    assert check_schedule(problem, start) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_n=5))
def test_cp_sat_is_feasible_and_matches_brute_force_optimum(problem: RcpspProblem) -> None:
    solution = solve_rcpsp(problem, time_limit_seconds=2, num_workers=1)
    assert check_schedule(problem, solution.starts) == []
    assert (solution.makespan, solution.status) == (brute_force_makespan(problem), "optimal")
    assert solution.lower_bound == solution.makespan


# Two branches between a source and a sink that each need the whole resource: they cannot overlap.
DIAMOND = RcpspProblem(
    durations=[0, 3, 3, 0],
    demands=[[0], [2], [2], [0]],
    capacities=[2],
    links=[(0, 1, 0), (0, 2, 0), (1, 3, 0), (2, 3, 0)],
)


def _diamond_net(capacity: int, lag: int = 0) -> Network:
    problem = RcpspProblem(
        durations=DIAMOND.durations,
        demands=DIAMOND.demands,
        capacities=[capacity],
        links=[(0, 1, 0), (0, 2, 0), (1, 3, lag), (2, 3, 0)],
    )
    return build_network(problem)


def test_resource_delays_find_the_delay_the_resource_forces() -> None:
    net = _diamond_net(capacity=2)
    delays = resource_delays(net, time_budget=5.0)
    assert delays == {(0, 3): 6}
    assert (net.cpm, with_delays(net, delays).cpm, with_delays(net, delays).head) == (3, 6, [0, 0, 0, 6])


def test_resource_delays_keep_nothing_the_links_already_imply() -> None:
    assert resource_delays(_diamond_net(capacity=4), time_budget=5.0) == {}


def test_resource_delays_are_skipped_with_negative_lags() -> None:
    assert resource_delays(_diamond_net(capacity=2, lag=-1), time_budget=5.0) == {}


def test_delays_raise_the_lower_bound_to_the_optimum() -> None:
    solution = solve_rcpsp(DIAMOND, time_limit_seconds=5, num_workers=1, deterministic=False, delay_share=0.5)
    assert (solution.makespan, solution.status, solution.lower_bound, solution.cpm_lower_bound) == (
        6,
        "optimal",
        6,
        3,
    )
    assert check_schedule(DIAMOND, solution.starts) == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_n=5))
def test_delays_never_cut_off_the_optimum(problem: RcpspProblem) -> None:
    solution = solve_rcpsp(problem, time_limit_seconds=5, num_workers=1, deterministic=False, delay_share=0.5)
    assert check_schedule(problem, solution.starts) == []
    assert (solution.makespan, solution.status) == (brute_force_makespan(problem), "optimal")
