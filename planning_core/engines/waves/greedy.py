"""Fast construction: station-oriented priority list scheduling (the SALBP heuristics) over units.

Waves are opened one after another; each is filled with the ready unit of highest priority that
still fits (effort and app count), until none fits. Pinned units sit in their wave; units that a
pinned successor needs by a deadline go first. Linear in the size of the DAG per wave.
"""

from __future__ import annotations

import heapq
import random
import time

from planning_core.engines.waves.units import EPS, WaveProblem
from planning_core.graph import mask_sum, reach_masks, topological_order


def releases_and_deadlines(problem: WaveProblem) -> tuple[list[int], list[int]]:
    """Earliest wave (after pinned ancestors) and latest wave (before pinned descendants) per unit."""
    order = topological_order(problem.succ)
    inf = 10**9
    release = [1] * problem.n
    deadline = [inf] * problem.n
    for u in order:
        fixed = problem.units[u].fixed
        if fixed is not None:
            release[u] = fixed
        for v in problem.succ[u]:
            release[v] = max(release[v], release[u])
    for u in reversed(order):
        fixed = problem.units[u].fixed
        if fixed is not None:
            deadline[u] = fixed
        for p in problem.pred[u]:
            deadline[p] = min(deadline[p], deadline[u])
    return release, deadline


def descendant_weights(problem: WaveProblem, *, exact_limit: int = 1500) -> list[float]:
    """Positional weight: own effort plus the effort of all descendants (path sums when large)."""
    order = topological_order(problem.succ)
    n = problem.n
    w = [problem.weight(u) for u in range(n)]
    if n <= exact_limit:
        reach = reach_masks(problem.succ, reversed(order))
        return [mask_sum(reach[u], w) for u in range(n)]
    total = [0.0] * n
    for u in reversed(order):
        total[u] = w[u] + max((total[v] for v in problem.succ[u]), default=0.0)
    return total


def greedy_assign(
    problem: WaveProblem,
    priority: list[float],
    *,
    pilot_apps: int = 0,
    max_waves: int | None = None,
) -> list[int] | None:
    """Waves (1-based) per unit by station-oriented list scheduling; None if over max_waves."""
    n = problem.n
    release, deadline = releases_and_deadlines(problem)
    remaining = [len(p) for p in problem.pred]
    wave = [0] * n
    fixed_at: dict[int, list[int]] = {}
    for u, unit in enumerate(problem.units):
        if unit.fixed is not None:
            fixed_at.setdefault(unit.fixed, []).append(u)
    heap: list[tuple[int, float, int, int]] = []
    waiting: dict[int, list[int]] = {}

    def key(u: int) -> tuple[int, float, int, int]:
        return (deadline[u], -priority[u], problem.units[u].risk, u)

    def make_ready(u: int, k: int) -> None:
        if problem.units[u].fixed is not None:
            return
        if release[u] > k:
            waiting.setdefault(release[u], []).append(u)
        else:
            heapq.heappush(heap, key(u))

    for u in range(n):
        if remaining[u] == 0:
            make_ready(u, 0)
    placed = 0
    k = 0
    guard = n + max(fixed_at, default=0) + len(problem.closed_waves) + 2
    cap = problem.capacity + EPS
    while placed < n:
        k += 1
        if (max_waves is not None and k > max_waves) or k > guard:
            return None
        load = 0.0
        count = 0

        def place(u: int, k: int = k) -> None:
            nonlocal load, count, placed
            wave[u] = k
            load += problem.weight(u)
            count += problem.apps_weight(u)
            placed += 1
            for v in problem.succ[u]:
                remaining[v] -= 1
                if remaining[v] == 0:
                    make_ready(v, k)

        for u in fixed_at.get(k, []):
            place(u)
        for u in waiting.pop(k, []):
            heapq.heappush(heap, key(u))
        if k in problem.closed_waves:
            continue
        pilot = k == 1 and pilot_apps > 0
        skipped = []
        while heap:
            item = heapq.heappop(heap)
            u = item[3]
            forced = deadline[u] <= k
            if not forced and count >= problem.max_apps:
                skipped.append(item)
                break
            fits = load + problem.weight(u) <= cap and count + problem.apps_weight(u) <= problem.max_apps
            if pilot:
                fits = fits and problem.units[u].pilot_ok and count + problem.units[u].count <= pilot_apps
            if forced or fits:
                place(u)
            else:
                skipped.append(item)
        for item in skipped:
            heapq.heappush(heap, item)
        if pilot and count == 0:
            return None
    return wave


def priority_rules(problem: WaveProblem) -> dict[str, list[float]]:
    """The classic SALBP priority rules (higher goes first)."""
    positional = descendant_weights(problem)
    weights = [problem.weight(u) for u in range(problem.n)]
    followers = _follower_counts(problem)
    scale = max(weights, default=1.0) or 1.0
    return {
        "positional_weight": positional,
        "task_time": [weights[u] + positional[u] * 1e-9 for u in range(problem.n)],
        "followers": [followers[u] + weights[u] / scale * 1e-3 for u in range(problem.n)],
        "time_over_slack": [weights[u] * (1 + followers[u]) for u in range(problem.n)],
    }


def _follower_counts(problem: WaveProblem) -> list[float]:
    order = topological_order(problem.succ)
    total = [0.0] * problem.n
    for u in reversed(order):
        total[u] = float(len(problem.succ[u])) + sum(total[v] for v in problem.succ[u]) * 0.5
    return total


def best_greedy(
    problem: WaveProblem, *, seed: int = 0, pilot_apps: int = 0, restarts: int = 0
) -> tuple[list[int], str] | None:
    """Run every priority rule (plus seeded random perturbations) and keep the fewest waves."""
    best: tuple[list[int], str] | None = None
    rules = priority_rules(problem)
    rng = random.Random(seed)
    candidates = list(rules.items())
    base = rules["positional_weight"]
    for r in range(restarts):
        noisy = [p * (1 + 0.3 * rng.random()) for p in base]
        candidates.append((f"perturbed_{r}", noisy))
    for name, prio in candidates:
        limit = max(best[0]) - 1 if best is not None and best[0] else None
        result = greedy_assign(problem, prio, pilot_apps=pilot_apps, max_waves=limit)
        if result is not None and (best is None or max(result, default=0) < max(best[0], default=0)):
            best = (result, name)
    return best


def reversed_problem(problem: WaveProblem) -> WaveProblem:
    """The same units with every precedence arc turned around (plans read backwards)."""
    return WaveProblem(
        units=problem.units,
        succ=problem.pred,
        pred=problem.succ,
        capacity=problem.capacity,
        max_apps=problem.max_apps,
    )


def random_restarts(
    problem: WaveProblem, *, upper: int, lower: int, seed: int, runs: int, deadline: float
) -> list[int] | None:
    """Seeded random-priority list scheduling, forward and backward; the best plan under `upper`."""
    backward = reversed_problem(problem)
    bases = [priority_rules(problem)["positional_weight"], priority_rules(backward)["positional_weight"]]
    rng = random.Random(seed)
    best: list[int] | None = None
    for run in range(runs):
        if upper <= lower or time.perf_counter() > deadline:
            break
        direction = run % 2
        noise = 0.5 * rng.random()
        prio = [p * (1 + noise * rng.random()) for p in bases[direction]]
        target = (problem, backward)[direction]
        found = greedy_assign(target, prio, max_waves=upper - 1)
        if found is not None:
            m = max(found)
            best = [m + 1 - k for k in found] if direction else found
            upper = m
    return best
