"""The branch and bound kernel: exact small cases, and the compiled and pure-Python runs agree."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning_core.engines.waves import fast, kernel
from planning_core.engines.waves.branch_bound import Instance, improve_waves
from tests.builders import JACKSON_ARCS, JACKSON_TIMES


def jackson(capacity: float) -> tuple[list[float], list[list[int]]]:
    succ: list[list[int]] = [[] for _ in JACKSON_TIMES]
    for a, b in JACKSON_ARCS:
        succ[a - 1].append(b - 1)
    return [float(t) for t in JACKSON_TIMES], succ


def valid(
    wave: list[int], weights: list[float], counts: list[int], succ, capacity: float, max_count: int
) -> bool:
    loads: dict[int, float] = {}
    apps: dict[int, int] = {}
    for u, k in enumerate(wave):
        loads[k] = loads.get(k, 0.0) + weights[u]
        apps[k] = apps.get(k, 0) + counts[u]
    return (
        all(k >= 1 for k in wave)
        and all(v <= capacity + 1e-9 for v in loads.values())
        and all(v <= max_count for v in apps.values())
        and all(wave[u] <= wave[v] for u in range(len(wave)) for v in succ[u])
    )


@pytest.mark.parametrize(("capacity", "optimum"), [(7, 8), (10, 5), (13, 4), (21, 3)])
def test_jackson_optimum_found_and_one_less_proved_impossible(capacity: int, optimum: int):
    weights, succ = jackson(capacity)
    prep = fast.prepare(weights, [1] * len(weights), succ, float(capacity), 100)
    status, wave, _ = fast.run(prep, optimum, node_limit=10**7, compiled=False)
    assert status == kernel.FOUND and wave is not None and max(wave) <= optimum
    assert valid(wave, weights, [1] * len(weights), succ, capacity, 100)
    status, wave, _ = fast.run(prep, optimum - 1, node_limit=10**7, compiled=False)
    assert (status, wave) == (kernel.INFEASIBLE, None)


def test_app_count_limit_is_exact():
    weights, succ = jackson(21)
    prep = fast.prepare(weights, [1] * 11, succ, 21.0, 3)  # 11 units, at most 3 a wave: 4 waves
    assert fast.run(prep, 3, node_limit=10**7, compiled=False)[0] == kernel.INFEASIBLE
    status, wave, _ = fast.run(prep, 4, node_limit=10**7, compiled=False)
    assert status == kernel.FOUND and wave is not None
    assert valid(wave, weights, [1] * 11, succ, 21.0, 3)


def test_improve_waves_closes_the_gap_on_jackson():
    weights, succ = jackson(7)
    inst = Instance(weights, [1] * 11, succ, 7.0, 100)
    best, lower, upper = improve_waves(inst, lower=6, upper=9, deadline=time.perf_counter() + 20)
    assert (lower, upper) == (8, 8)
    assert best is not None and max(best) == 8


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[float], list[int], list[list[int]], float, int]:
    n = draw(st.integers(1, 12))
    weights = [float(x) for x in draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))]
    counts = draw(st.lists(st.integers(1, 2), min_size=n, max_size=n))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n))
    succ: list[list[int]] = [[] for _ in range(n)]
    for a, b in pairs:
        if a < b and b not in succ[a]:
            succ[a].append(b)
    return weights, counts, succ, float(draw(st.integers(9, 15))), draw(st.integers(2, 6))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.integers(0, 3), st.sampled_from([(0, -1), (1, 0), (2, 1), (3, 4)]))
def test_compiled_and_pure_python_runs_agree(case, extra: int, mode: tuple[int, int]):
    """Same statuses, plans and node counts in both runtimes (the compiled one when numba is here)."""
    weights, counts, succ, capacity, max_count = case
    prep = fast.prepare(weights, counts, succ, capacity, max_count)
    lower = max(int(-(-sum(weights) // capacity)), -(-sum(counts) // max_count), 1)
    keep, disc = mode
    results = []
    for compiled in (False, True):
        run = fast.run(prep, lower + extra, node_limit=5000, keep_best=keep, max_disc=disc, compiled=compiled)
        dive = fast.hoffmann(
            prep, fast.priority_orders(prep, 5, seed=3)[extra], step_cap=500, compiled=compiled
        )
        results.append((run, dive))
    assert results[0] == results[1]
    (status, wave, _), dive = results[0]
    if status == kernel.FOUND:
        assert wave is not None and max(wave) <= lower + extra
        assert valid(wave, weights, counts, succ, capacity, max_count)
    assert dive is not None and valid(dive, weights, counts, succ, capacity, max_count)
