"""The activity network of an RCPSP: the problem, its validation, adjacency, heads and tails.

Shared by the heuristic scheduler (``rcpsp``) and the CP-SAT model (``cp_sat``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from planning_core.errors import InvalidInput
from planning_core.graph import CycleError, topological_order


@dataclass(frozen=True)
class RcpspProblem:
    """Activities 0..n-1 with durations, demands per resource, resource capacities and FS links."""

    durations: Sequence[int]
    demands: Sequence[Sequence[int]]  # demands[activity][resource]
    capacities: Sequence[int]
    links: Sequence[tuple[int, int, int]] = ()  # (pred, succ, lag)


@dataclass
class Network:
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


def build_network(problem: RcpspProblem) -> Network:
    """Adjacency lists, a topological order, heads/tails and a safe horizon."""
    validate_problem(problem)
    n = len(problem.durations)
    d = [int(x) for x in problem.durations]
    preds: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    succs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for pred, succ, lag in problem.links:
        preds[succ].append((pred, int(lag)))
        succs[pred].append((succ, int(lag)))
    try:
        order = topological_order([[s for s, _ in row] for row in succs])
    except CycleError:
        raise InvalidInput("the activity links form a cycle") from None
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
    return Network(
        n, d, req, [int(c) for c in problem.capacities], preds, succs, order, head, tail, cpm, horizon
    )


def reversed_network(net: Network) -> Network:
    """The same network with every link turned around (for backward scheduling)."""
    head = [net.cpm - net.head[j] - net.d[j] for j in range(net.n)]
    tail = [net.head[j] + net.d[j] for j in range(net.n)]
    return Network(
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


def with_delays(net: Network, delays: dict[tuple[int, int], int]) -> Network:
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
