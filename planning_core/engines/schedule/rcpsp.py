"""A general resource-constrained project scheduler (single-mode RCPSP).

Activities have integer durations and demands on renewable resources with integer capacities;
finish-to-start links ``(pred, succ, lag)`` require ``start[succ] >= start[pred] + duration[pred] + lag``.
The objective is the makespan.

Method, in order:
1. Serial schedule generation (SGS) with classic priority rules (LFT, LST, MTS, GRPW, MIS, SPT).
2. Forward-backward improvement (double justification) of every schedule until it stops improving,
   then a seeded random-key evolution (``_evolve``) whose children are justified too: a number of
   children (deterministic for a given seed) or a wall-clock share of the time limit.
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
from dataclasses import dataclass, field, replace
from heapq import heapify, heappop, heappush
from typing import Any

from planning_core.errors import InvalidInput

PRIORITY_RULES: tuple[str, ...] = ("LFT", "LST", "MTS", "GRPW", "MIS", "SPT")


@dataclass(frozen=True)
class RcpspProblem:
    """Activities 0..n-1 with durations, demands per resource, resource capacities and FS links."""

    durations: Sequence[int]
    demands: Sequence[Sequence[int]]  # demands[activity][resource]
    capacities: Sequence[int]
    links: Sequence[tuple[int, int, int]] = ()  # (pred, succ, lag)


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


@dataclass
class _Net:
    """Precomputed structure of a problem: adjacency, heads, tails and the CPM bound."""

    n: int
    d: list[int]
    req: list[list[tuple[int, int]]]  # per activity: (resource, demand) with demand > 0
    caps: list[int]
    preds: list[list[tuple[int, int]]]
    succs: list[list[tuple[int, int]]]
    order: list[int]
    head: list[int]
    tail: list[int]  # longest path from the activity's start to the project end
    cpm: int
    horizon: int


def validate_problem(problem: RcpspProblem) -> None:
    """Refuse problems no schedule can satisfy: bad sizes, negative values, oversize demands."""
    n = len(problem.durations)
    if len(problem.demands) != n:
        raise InvalidInput(f"{len(problem.demands)} demand rows for {n} activities")
    m = len(problem.capacities)
    for cap in problem.capacities:
        if cap < 0:
            raise InvalidInput(f"a resource capacity is negative ({cap})")
    for j, (dur, row) in enumerate(zip(problem.durations, problem.demands, strict=True)):
        if dur < 0:
            raise InvalidInput(f"activity {j} has a negative duration ({dur})")
        if len(row) != m:
            raise InvalidInput(f"activity {j} has {len(row)} demands for {m} resources")
        for k, amount in enumerate(row):
            if amount < 0:
                raise InvalidInput(f"activity {j} has a negative demand on resource {k}")
            if amount > problem.capacities[k] and dur > 0:
                raise InvalidInput(
                    f"activity {j} needs {amount} of resource {k} but only {problem.capacities[k]} exist"
                )
    for pred, succ, _ in problem.links:
        if not (0 <= pred < n and 0 <= succ < n) or pred == succ:
            raise InvalidInput(f"link {pred} -> {succ} names an unknown activity or loops on itself")


def _prepare(problem: RcpspProblem) -> _Net:
    """Adjacency lists, a topological order, heads/tails and a safe horizon."""
    validate_problem(problem)
    n = len(problem.durations)
    d = [int(x) for x in problem.durations]
    preds: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    succs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for pred, succ, lag in problem.links:
        preds[succ].append((pred, int(lag)))
        succs[pred].append((succ, int(lag)))
    indegree = [len(p) for p in preds]
    ready = [j for j in range(n) if indegree[j] == 0]
    heapify(ready)
    order: list[int] = []
    while ready:
        j = heappop(ready)
        order.append(j)
        for s, _ in succs[j]:
            indegree[s] -= 1
            if indegree[s] == 0:
                heappush(ready, s)
    if len(order) != n:
        raise InvalidInput("the activity links form a cycle")
    head = [0] * n
    for j in order:
        for p, lag in preds[j]:
            head[j] = max(head[j], head[p] + d[p] + lag)
    tail = [0] * n
    for j in reversed(order):
        tail[j] = d[j]
        for s, lag in succs[j]:
            tail[j] = max(tail[j], d[j] + lag + tail[s])
    cpm = max((head[j] + tail[j] for j in range(n)), default=0)
    req = [[(k, int(a)) for k, a in enumerate(row) if a > 0] for row in problem.demands]
    horizon = sum(d) + sum(max(lag, 0) for _, _, lag in problem.links) + 1
    return _Net(
        n, d, req, [int(c) for c in problem.capacities], preds, succs, order, head, tail, cpm, horizon
    )


def _reverse(net: _Net) -> _Net:
    """The same network with every link turned around (for backward scheduling)."""
    head = [net.cpm - net.head[j] - net.d[j] for j in range(net.n)]
    tail = [net.head[j] + net.d[j] for j in range(net.n)]
    return _Net(
        net.n,
        net.d,
        net.req,
        net.caps,
        net.succs,
        net.preds,
        list(reversed(net.order)),
        head,
        tail,
        net.cpm,
        net.horizon,
    )


def energy_lower_bound(problem: RcpspProblem) -> int:
    """Resource-energy bound: for each resource, total work over capacity (rounded up)."""
    best = 0
    for k, cap in enumerate(problem.capacities):
        work = sum(problem.durations[j] * problem.demands[j][k] for j in range(len(problem.durations)))
        if work and cap:
            best = max(best, -(-work // cap))
    return best


def _serial_sgs(net: _Net, key: Sequence[float]) -> list[int]:
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


def _makespan(net: _Net, start: Sequence[int]) -> int:
    return max((start[j] + net.d[j] for j in range(net.n)), default=0)


def _justify(net: _Net, rev: _Net, start: list[int], max_rounds: int = 20) -> list[int]:
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


def _rule_keys(net: _Net, rule: str) -> list[float]:
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


def _transitive_successor_counts(net: _Net) -> list[int]:
    """Number of (direct or indirect) successors of every activity."""
    reach: list[int] = [0] * net.n  # bitsets
    for j in reversed(net.order):
        bits = 0
        for s, _ in net.succs[j]:
            bits |= reach[s] | (1 << s)
        reach[j] = bits
    return [bin(b).count("1") for b in reach]


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
    net = _prepare(problem)
    return _heuristic(net, rules=rules, samples=samples, seed=seed, justify=justify, priority=priority)


def _heuristic(
    net: _Net,
    *,
    rules: Sequence[str],
    samples: int,
    seed: int,
    justify: bool,
    priority: Sequence[float] | None = None,
    time_budget: float | None = None,
) -> list[int]:
    """Given keys, rules, then the evolutionary search; keep the shortest (first found on ties)."""
    rev = _reverse(net)
    candidates = ([list(priority)] if priority is not None else []) + [_rule_keys(net, r) for r in rules]
    if not candidates:
        candidates = [_rule_keys(net, "LFT")]
    schedules: list[list[int]] = []
    for keys in candidates:
        start = _serial_sgs(net, keys)
        schedules.append(_justify(net, rev, start) if justify else start)
    best = min(schedules, key=lambda st: _makespan(net, st))  # first of the shortest
    if samples > 0 or time_budget:
        best = _evolve(
            net, rev, schedules, samples=samples, seed=seed, time_budget=time_budget, justify=justify
        )
    return best


def _evolve(
    net: _Net,
    rev: _Net,
    initial: list[list[int]],
    *,
    samples: int,
    seed: int,
    time_budget: float | None,
    justify: bool,
    population_size: int = 16,
) -> list[int]:
    """Random-key evolution: schedules' start times are the keys; children mix two parents linearly

    (scatter-search style), get a little noise, are decoded by the serial SGS and justified; a child
    replaces the worst member when it is no longer. Stops after ``samples`` children, or when the time
    budget (wall clock, when given) is spent, or at the critical-path bound.
    """
    rng = random.Random(seed)
    deadline = time.perf_counter() + time_budget if time_budget else None
    scale = max(net.cpm, 1)
    population: list[tuple[int, list[int]]] = []
    for schedule in initial:
        if all(schedule != p for _, p in population):
            population.append((_makespan(net, schedule), schedule))
    population.sort(key=lambda e: e[0])
    population = population[:population_size]
    children = 0
    while True:
        if population[0][0] <= net.cpm:
            break
        if deadline is not None:
            if time.perf_counter() >= deadline:
                break
        elif children >= samples:
            break
        children += 1
        if len(population) < population_size or rng.random() < 0.1:
            parent = population[rng.randrange(len(population))][1]
            spread = (0.05 + 0.3 * rng.random()) * scale
            keys = [parent[j] + rng.random() * spread for j in range(net.n)]
        else:
            a = min(rng.sample(population, 2))[1]
            b = population[rng.randrange(len(population))][1]
            w = rng.random()
            noise = 0.02 * scale
            keys = [w * a[j] + (1 - w) * b[j] + rng.random() * noise for j in range(net.n)]
        child = _serial_sgs(net, keys)
        if justify:
            child = _justify(net, rev, child)
        entry = (_makespan(net, child), child)
        if len(population) < population_size:
            population.append(entry)
        elif entry[0] <= population[-1][0] and all(entry[1] != p for _, p in population):
            population[-1] = entry
        population.sort(key=lambda e: e[0])
    return population[0][1]


def _with_delays(net: _Net, delays: dict[tuple[int, int], int]) -> _Net:
    """The network with heads, tails and the critical-path bound lengthened by start-to-start delays."""
    if not delays:
        return net
    later: list[list[tuple[int, int]]] = [[] for _ in range(net.n)]
    earlier: list[list[tuple[int, int]]] = [[] for _ in range(net.n)]
    for (i, j), delay in delays.items():
        later[i].append((j, delay))
        earlier[j].append((i, delay))
    head = list(net.head)
    for j in net.order:
        for p, lag in net.preds[j]:
            head[j] = max(head[j], head[p] + net.d[p] + lag)
        for i, delay in earlier[j]:
            head[j] = max(head[j], head[i] + delay)
    tail = list(net.tail)
    for j in reversed(net.order):
        for s, lag in net.succs[j]:
            tail[j] = max(tail[j], net.d[j] + lag + tail[s])
        for s, delay in later[j]:
            tail[j] = max(tail[j], delay + tail[s])
    cpm = max((head[j] + tail[j] for j in range(net.n)), default=0)
    return replace(net, head=head, tail=tail, cpm=cpm)


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
    evolutionary heuristic (wall clock) before CP-SAT; otherwise ``samples`` children are bred.
    ``cp_sat_parameters``: extra CP-SAT parameters by name (for experiments). ``delay_share``: with
    ``deterministic=False``, the share of the time limit spent bounding the delays the resources force
    between linked activities (``cp_sat.resource_delays``); they become redundant constraints and tighten
    heads, tails and the lower bound.
    """
    began = time.perf_counter()
    total_limit = time_limit_seconds
    net = _prepare(problem)
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
    from planning_core.engines.schedule.cp_sat import resource_delays, solve_with_cp_sat

    delays: dict[tuple[int, int], int] = {}
    if not deterministic and delay_share > 0:
        delays = resource_delays(net, time_budget=total_limit * delay_share)
        net = _with_delays(net, delays)
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
