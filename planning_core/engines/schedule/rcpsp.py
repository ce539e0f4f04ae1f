"""A general resource-constrained project scheduler (single-mode RCPSP).

Activities have integer durations and demands on renewable resources with integer capacities;
finish-to-start links ``(pred, succ, lag)`` require ``start[succ] >= start[pred] + duration[pred] + lag``.
The objective is the makespan.

Method, in order:
1. Serial schedule generation (SGS) with classic priority rules (LFT, LST, MTS, GRPW, MIS, SPT).
2. Forward-backward improvement (double justification) of every schedule until it stops improving,
   then a seeded activity-list genetic algorithm (``_genetic``: two-point crossover, adjacent-swap
   mutation, every child justified and its improved order inherited): a number of children
   (deterministic for a given seed) or a wall-clock share of the time limit.
3. OR-Tools CP-SAT: interval variables, one cumulative per resource, no-overlap over sets of activities
   that can never run together (redundant), start domains cut by heads and tails, the heuristic's
   schedule as upper bound and solution hint; a fixed seed and an explicit number of workers.
   Optionally (``delay_share``, wall-clock runs only) the minimum start-to-start delays the resources
   force between linked activities are bounded first by small CP-SAT calls on the activities between
   them (the approach of OR-Tools' RCPSP example) and added as redundant constraints; they also lengthen
   heads and tails and so the critical-path bound.

Reported lower bound: the best of the critical path, the resource-energy bound and CP-SAT's bound.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from heapq import heapify, heappop, heappush
from typing import Any

from planning_core.engines.schedule.cp_sat import resource_delays, solve_with_cp_sat
from planning_core.engines.schedule.network import (
    Network,
    RcpspProblem,
    build_network,
    reversed_network,
    with_delays,
)
from planning_core.errors import InvalidInput
from planning_core.graph import reach_masks

PRIORITY_RULES: tuple[str, ...] = ("LFT", "LST", "MTS", "GRPW", "MIS", "SPT")


@dataclass(frozen=True)
class RcpspSolution:
    """Start times and how good they are."""

    starts: list[int]
    makespan: int
    status: str  # "optimal" (proven) or "feasible"
    lower_bound: int
    cpm_lower_bound: int
    energy_lower_bound: int
    cp_sat_bound: int | None = None
    heuristic_makespan: int = 0
    method: str = "heuristic"
    details: dict[str, str | int | float] = field(default_factory=dict)


def energy_lower_bound(problem: RcpspProblem) -> int:
    """Resource-energy bound: for each resource, total work over capacity (rounded up)."""
    best = 0
    for k, cap in enumerate(problem.capacities):
        work = sum(problem.durations[j] * problem.demands[j][k] for j in range(len(problem.durations)))
        if work and cap:
            best = max(best, -(-work // cap))
    return best


def _serial_sgs(net: Network, key: Sequence[float]) -> list[int]:
    """Serial schedule generation: repeatedly place the eligible activity with the smallest key."""
    n, d, req, caps = net.n, net.d, net.req, net.caps
    usage = [[0] * net.horizon for _ in caps]
    missing = [len(p) for p in net.preds]
    eligible = [(key[j], j) for j in range(n) if missing[j] == 0]
    heapify(eligible)
    start = [0] * n
    while eligible:
        _, j = heappop(eligible)
        t = 0
        for p, lag in net.preds[j]:
            t = max(t, start[p] + d[p] + lag)
        dj = d[j]
        need = [(usage[k], caps[k] - a) for k, a in req[j]]
        if dj and need:
            t = _earliest_fit(need, t, dj)
            for k, a in req[j]:
                u = usage[k]
                u[t : t + dj] = [x + a for x in u[t : t + dj]]
        start[j] = t
        for s, _ in net.succs[j]:
            missing[s] -= 1
            if missing[s] == 0:
                heappush(eligible, (key[s], s))
    return start


def _earliest_fit(need: list[tuple[list[int], int]], t: int, dj: int) -> int:
    """First time from ``t`` at which every resource has room for ``dj`` consecutive periods."""
    tt, end = t, t + dj
    if len(need) == 1:
        u, limit = need[0]
        while tt < end:
            if u[tt] > limit:
                t = tt + 1
                end = t + dj
            tt += 1
        return t
    while tt < end:
        for u, limit in need:
            if u[tt] > limit:
                t = tt + 1
                end = t + dj
                break
        tt += 1
    return t


def _makespan(net: Network, start: Sequence[int]) -> int:
    return max((start[j] + net.d[j] for j in range(net.n)), default=0)


def _justify(net: Network, rev: Network, start: list[int], max_rounds: int = 20) -> list[int]:
    """Forward-backward improvement: right-justify then left-justify until the makespan stops falling."""
    best = start
    best_ms = _makespan(net, start)
    for _ in range(max_rounds):
        finish = [best[j] + net.d[j] for j in range(net.n)]
        back = _serial_sgs(rev, [-f for f in finish])
        t_back = _makespan(rev, back)
        right = [t_back - back[j] - net.d[j] for j in range(net.n)]
        forward = _serial_sgs(net, [float(s) for s in right])
        ms = _makespan(net, forward)
        if ms >= best_ms:
            if ms == best_ms:
                best = forward
            break
        best, best_ms = forward, ms
    return best


def _rule_keys(net: Network, rule: str) -> list[float]:
    """Priority values (smaller first) of one rule, ties broken by latest finish time."""
    lf = [net.cpm - net.tail[j] + net.d[j] for j in range(net.n)]
    eps = 1e-6
    if rule == "LFT":
        return [lf[j] + eps * j for j in range(net.n)]
    if rule == "LST":
        return [lf[j] - net.d[j] + eps * lf[j] / (net.cpm + 1) for j in range(net.n)]
    if rule == "MTS":
        count = _transitive_successor_counts(net)
        return [-count[j] + lf[j] / (net.cpm + 1) for j in range(net.n)]
    if rule == "GRPW":
        return [
            -(net.d[j] + sum(net.d[s] for s, _ in net.succs[j])) + lf[j] / (net.cpm + 1) for j in range(net.n)
        ]
    if rule == "MIS":
        return [-len(net.succs[j]) + lf[j] / (net.cpm + 1) for j in range(net.n)]
    if rule == "SPT":
        return [net.d[j] + lf[j] / (net.cpm + 1) for j in range(net.n)]
    raise InvalidInput(f"unknown priority rule {rule!r}; choose one of {', '.join(PRIORITY_RULES)}")


def _transitive_successor_counts(net: Network) -> list[int]:
    """Number of (direct or indirect) successors of every activity."""
    reach = reach_masks([[s for s, _ in row] for row in net.succs], reversed(net.order))
    return [bin(b).count("1") - 1 for b in reach]


def heuristic_schedule(
    problem: RcpspProblem,
    *,
    rules: Sequence[str] = PRIORITY_RULES,
    samples: int = 0,
    seed: int = 0,
    justify: bool = True,
    priority: Sequence[float] | None = None,
) -> list[int]:
    """Best schedule over the given priority keys, the rules and seeded random-key samples, each justified."""
    net = build_network(problem)
    return _heuristic(net, rules=rules, samples=samples, seed=seed, justify=justify, priority=priority)


def _heuristic(
    net: Network,
    *,
    rules: Sequence[str],
    samples: int,
    seed: int,
    justify: bool,
    priority: Sequence[float] | None = None,
    time_budget: float | None = None,
) -> list[int]:
    """Given keys, rules, then the genetic algorithm; keep the shortest (first found on ties)."""
    rev = reversed_network(net)
    candidates = ([list(priority)] if priority is not None else []) + [_rule_keys(net, r) for r in rules]
    if not candidates:
        candidates = [_rule_keys(net, "LFT")]
    schedules: list[list[int]] = []
    for keys in candidates:
        start = _serial_sgs(net, keys)
        schedules.append(_justify(net, rev, start) if justify else start)
    best = min(schedules, key=lambda st: _makespan(net, st))  # first of the shortest
    if samples > 0 or time_budget:
        best = _genetic(
            net, rev, schedules, samples=samples, seed=seed, time_budget=time_budget, justify=justify
        )
    return best


def _genetic(
    net: Network,
    rev: Network,
    initial: list[list[int]],
    *,
    samples: int,
    seed: int,
    time_budget: float | None,
    justify: bool,
    population_size: int = 24,
    mutation: float = 0.05,
) -> list[int]:
    """Activity-list genetic algorithm (Hartmann 1998) with forward-backward improvement (Valls et al.
    2005): a schedule is a precedence-feasible list decoded by the serial SGS; a child takes the
    mother's list up to a first cut, the father's order of the remaining activities up to a second cut
    and the mother's order for the rest (two-point crossover, precedence-feasible by construction),
    then adjacent activities swap with probability ``mutation`` when no link joins them; the child is
    decoded, justified, and its list becomes its schedule's start order (so the improvement is
    inherited). The best ``population_size`` of parents and children survive each generation. Stops
    after ``samples`` children or when the time budget is spent, or at the critical-path bound.
    """
    if net.n < 2:
        return min(initial, key=lambda st: _makespan(net, st))
    rng = random.Random(seed)
    deadline = time.perf_counter() + time_budget if time_budget else None
    linked = {(p, s) for s in range(net.n) for p, _ in net.preds[s]}

    def as_list(start: list[int]) -> list[int]:
        position = {j: k for k, j in enumerate(net.order)}
        return sorted(range(net.n), key=lambda j: (start[j], position[j]))

    def decode(activity_list: list[int]) -> tuple[int, list[int], list[int]]:
        keys = [0.0] * net.n
        for k, j in enumerate(activity_list):
            keys[j] = float(k)
        start = _serial_sgs(net, keys)
        if justify:
            start = _justify(net, rev, start)
        return _makespan(net, start), start, as_list(start)

    population: list[tuple[int, list[int], list[int]]] = []
    seen: set[tuple[int, ...]] = set()
    for schedule in initial:
        key = tuple(schedule)
        if key not in seen:
            seen.add(key)
            population.append((_makespan(net, schedule), schedule, as_list(schedule)))
    lft = _rule_keys(net, "LFT")
    for _ in range(2 * population_size):
        if len(population) >= population_size:
            break
        noisy = [lft[j] * (0.5 + rng.random()) for j in range(net.n)]  # regret-biased random sampling
        entry = decode(as_list(_serial_sgs(net, noisy)))
        if tuple(entry[1]) not in seen:
            seen.add(tuple(entry[1]))
            population.append(entry)
    population.sort(key=lambda e: e[0])
    children = 0
    while population[0][0] > net.cpm:
        if deadline is not None:
            if time.perf_counter() >= deadline:
                break
        elif children >= samples:
            break
        children += 1
        mother = min(rng.sample(population, 2), key=lambda e: e[0])[2]
        father = min(rng.sample(population, 2), key=lambda e: e[0])[2]
        q1 = rng.randrange(net.n)
        q2 = rng.randrange(q1, net.n + 1)
        child = mother[:q1]
        taken = set(child)
        for j in father:
            if len(child) >= q2:
                break
            if j not in taken:
                child.append(j)
                taken.add(j)
        child.extend(j for j in mother if j not in taken)
        for k in range(net.n - 1):
            if rng.random() < mutation and (child[k], child[k + 1]) not in linked:
                child[k], child[k + 1] = child[k + 1], child[k]
        entry = decode(child)
        if tuple(entry[1]) in seen:
            continue
        seen.add(tuple(entry[1]))
        if entry[0] <= population[-1][0]:
            population[-1] = entry
            population.sort(key=lambda e: e[0])
    return population[0][1]


def check_schedule(problem: RcpspProblem, starts: Sequence[int]) -> list[str]:
    """Every broken constraint of a schedule (empty when it is feasible)."""
    problems: list[str] = []
    n = len(problem.durations)
    if len(starts) != n:
        return [f"{len(starts)} start times for {n} activities"]
    for j, s in enumerate(starts):
        if s < 0:
            problems.append(f"activity {j} starts before 0")
    for pred, succ, lag in problem.links:
        if starts[succ] < starts[pred] + problem.durations[pred] + lag:
            problems.append(f"activity {succ} starts before {pred} finishes (+{lag})")
    events = sorted({starts[j] for j in range(n) if problem.durations[j] > 0})
    for t in events:
        for k, cap in enumerate(problem.capacities):
            used = sum(
                problem.demands[j][k] for j in range(n) if starts[j] <= t < starts[j] + problem.durations[j]
            )
            if used > cap:
                problems.append(f"resource {k} used {used} > {cap} at time {t}")
    return problems


def solve_rcpsp(
    problem: RcpspProblem,
    *,
    time_limit_seconds: float = 10.0,
    use_cp_sat: bool = True,
    num_workers: int = 2,
    seed: int = 0,
    samples: int = 0,
    deterministic: bool = True,
    rules: Sequence[str] = PRIORITY_RULES,
    priority: Sequence[float] | None = None,
    secondary_weights: Sequence[int] | None = None,
    heuristic_share: float = 0.0,
    cp_sat_parameters: dict[str, object] | None = None,
    delay_share: float = 0.0,
) -> RcpspSolution:
    """Schedule with the heuristic, then improve and bound with CP-SAT under a time limit.

    ``priority``: extra priority keys (smaller first) tried before the rules. ``secondary_weights``: a
    weight per activity on its start time, minimised by CP-SAT after the makespan (lexicographically).
    ``heuristic_share``: with ``deterministic=False``, the share of the time limit given to the
    genetic heuristic (wall clock) before CP-SAT; otherwise ``samples`` children are bred.
    ``cp_sat_parameters``: extra CP-SAT parameters by name (for experiments). ``delay_share``: with
    ``deterministic=False``, the share of the time limit spent bounding the delays the resources force
    between linked activities (``cp_sat.resource_delays``); they become redundant constraints and tighten
    heads, tails and the lower bound.
    """
    began = time.perf_counter()
    total_limit = time_limit_seconds
    net = build_network(problem)
    cpm = net.cpm
    energy = energy_lower_bound(problem)
    lower = max(net.cpm, energy)
    budget = time_limit_seconds * heuristic_share if not deterministic and heuristic_share > 0 else None
    start = _heuristic(
        net, rules=rules, samples=samples, seed=seed, justify=True, priority=priority, time_budget=budget
    )
    if not deterministic:  # the wall-clock limit covers the heuristic too
        time_limit_seconds = max(0.05, time_limit_seconds - (time.perf_counter() - began))
    heuristic_ms = _makespan(net, start)
    if not use_cp_sat or (heuristic_ms <= lower and not secondary_weights):
        return RcpspSolution(
            starts=start,
            makespan=heuristic_ms,
            status="optimal" if heuristic_ms <= lower else "feasible",
            lower_bound=min(lower, heuristic_ms),
            cpm_lower_bound=net.cpm,
            energy_lower_bound=energy,
            heuristic_makespan=heuristic_ms,
            method="serial-sgs+fbi",
        )
    delays: dict[tuple[int, int], int] = {}
    if not deterministic and delay_share > 0:
        delays = resource_delays(net, time_budget=total_limit * delay_share)
        net = with_delays(net, delays)
        lower = max(lower, net.cpm)
        time_limit_seconds = max(0.05, total_limit - (time.perf_counter() - began))
        if heuristic_ms <= lower and not secondary_weights:
            return RcpspSolution(
                starts=start,
                makespan=heuristic_ms,
                status="optimal",
                lower_bound=heuristic_ms,
                cpm_lower_bound=cpm,
                energy_lower_bound=energy,
                heuristic_makespan=heuristic_ms,
                method="serial-sgs+fbi+delays",
            )
    # "x_<name>" entries of cp_sat_parameters are keyword arguments of solve_with_cp_sat (experiments).
    experimental: dict[str, Any] = {
        k[2:]: v for k, v in (cp_sat_parameters or {}).items() if k.startswith("x_")
    }
    result = solve_with_cp_sat(
        net,
        delays=delays,
        hint=start,
        upper_bound=heuristic_ms,
        lower_bound=lower,
        time_limit_seconds=time_limit_seconds,
        num_workers=num_workers,
        seed=seed,
        deterministic=deterministic,
        secondary_weights=secondary_weights,
        extra_parameters={k: v for k, v in (cp_sat_parameters or {}).items() if not k.startswith("x_")},
        **experimental,
    )
    if result.starts is not None and _makespan(net, result.starts) <= heuristic_ms:
        start = result.starts
    makespan = _makespan(net, start)
    bound = max(lower, result.bound)
    return RcpspSolution(
        starts=start,
        makespan=makespan,
        status="optimal" if result.optimal or bound >= makespan else "feasible",
        lower_bound=min(bound, makespan),
        cpm_lower_bound=cpm,
        energy_lower_bound=energy,
        cp_sat_bound=result.bound,
        heuristic_makespan=heuristic_ms,
        method="serial-sgs+fbi+cp-sat",
        details={"cp_sat_status": result.status_name},
    )
