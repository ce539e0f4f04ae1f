"""Critical path method over activities with integer durations and finish-to-start links with lags.

A link ``(pred, succ, lag)`` means ``start[succ] >= start[pred] + duration[pred] + lag``. Times are
integer offsets (working days in the timeline). Earliest starts come from a forward pass from 0, latest
starts from a backward pass from the project end (the makespan unless a later deadline is given);
total slack is ``latest_start - earliest_start``.

Resource-feasible CPM (``resource_links``): a resource-feasible schedule is turned into extra
finish-to-start links so that ordinary CPM gives float that respects capacities (see that function).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from planning_core import graph
from planning_core.errors import InvalidInput

Link = tuple[str, str, int]


@dataclass(frozen=True)
class CpmResult:
    """Earliest/latest start and finish, total slack and one critical path (ids in order)."""

    earliest_start: dict[str, int]
    earliest_finish: dict[str, int]
    latest_start: dict[str, int]
    latest_finish: dict[str, int]
    total_slack: dict[str, int]
    makespan: int
    critical_path: list[str]
    critical: list[str] = field(default_factory=list)  # every zero-slack activity, in topological order


def topological_order(ids: Sequence[str], links: Sequence[Link]) -> list[str]:
    """Activities in an order where every link goes forward (ties in input order); InvalidInput on a cycle."""
    position = {a: i for i, a in enumerate(ids)}
    successors: list[list[int]] = [[] for _ in ids]
    for pred, succ, _ in links:
        successors[position[pred]].append(position[succ])
    try:
        return [ids[i] for i in graph.topological_order(successors)]
    except graph.CycleError as cycle:
        stuck = sorted(ids[i] for i in cycle.nodes)
        raise InvalidInput(f"the activity links form a cycle through: {', '.join(stuck[:10])}") from None


def _validate(durations: Mapping[str, int], links: Sequence[Link]) -> None:
    """Durations are non-negative integers and every link names known activities."""
    for activity, duration in durations.items():
        if duration < 0:
            raise InvalidInput(f"activity {activity!r} has a negative duration ({duration})")
    for pred, succ, _ in links:
        for ref in (pred, succ):
            if ref not in durations:
                raise InvalidInput(f"a link names an unknown activity {ref!r}")
        if pred == succ:
            raise InvalidInput(f"activity {pred!r} cannot be linked to itself")


def critical_path_method(
    durations: Mapping[str, int],
    links: Sequence[Link],
    *,
    release: Mapping[str, int] | None = None,
    deadline: int | None = None,
) -> CpmResult:
    """CPM: forward and backward passes, total slack and the critical path."""
    _validate(durations, links)
    ids = list(durations)
    order = topological_order(ids, links)
    preds: dict[str, list[tuple[str, int]]] = {a: [] for a in ids}
    succs: dict[str, list[tuple[str, int]]] = {a: [] for a in ids}
    for pred, succ, lag in links:
        preds[succ].append((pred, lag))
        succs[pred].append((succ, lag))
    es: dict[str, int] = {}
    for a in order:
        start = max(0, (release or {}).get(a, 0))
        for p, lag in preds[a]:
            start = max(start, es[p] + durations[p] + lag)
        es[a] = start
    ef = {a: es[a] + durations[a] for a in ids}
    makespan = max(ef.values(), default=0)
    end = makespan if deadline is None else max(deadline, makespan)
    lf: dict[str, int] = {}
    for a in reversed(order):
        finish = end
        for s, lag in succs[a]:
            finish = min(finish, lf[s] - durations[s] - lag)
        lf[a] = finish
    ls = {a: lf[a] - durations[a] for a in ids}
    slack = {a: ls[a] - es[a] for a in ids}
    critical = [a for a in order if slack[a] == 0]
    path = _trace_critical_path(order, durations, succs, es, slack)
    return CpmResult(
        earliest_start={a: es[a] for a in ids},
        earliest_finish=ef,
        latest_start=ls,
        latest_finish={a: lf[a] for a in ids},
        total_slack=slack,
        makespan=makespan,
        critical_path=path,
        critical=critical,
    )


def _trace_critical_path(
    order: list[str],
    durations: Mapping[str, int],
    succs: Mapping[str, list[tuple[str, int]]],
    es: Mapping[str, int],
    slack: Mapping[str, int],
) -> list[str]:
    """One chain of zero-slack activities linked tightly, from the earliest one to the project end."""
    zero = [a for a in order if slack[a] == 0]
    if not zero:
        return []
    path = [min(zero, key=lambda a: es[a])]
    while (nxt := _tight_next(path[-1], durations, succs, es, slack)) is not None:
        path.append(nxt)
    return path


def _tight_next(
    a: str,
    durations: Mapping[str, int],
    succs: Mapping[str, list[tuple[str, int]]],
    es: Mapping[str, int],
    slack: Mapping[str, int],
) -> str | None:
    """The first zero-slack successor that starts exactly when the link lets it."""
    for s, lag in succs[a]:
        if slack[s] == 0 and es[s] == es[a] + durations[a] + lag:
            return s
    return None


def resource_links(
    starts: Mapping[str, int],
    durations: Mapping[str, int],
    demands: Mapping[str, Mapping[str, float]],
) -> list[Link]:
    """Finish-to-start links that freeze a feasible schedule's resource sequencing.

    For each resource, every pair of activities that share it and do not overlap in the schedule
    keeps its order: ``i -> j`` with lag 0 when ``finish[i] <= start[j]``. Only the non-redundant ones
    are emitted (for ``j``, the predecessors finishing after the latest start among its predecessors).
    Any start times that respect these links and the precedence links are resource-feasible: a set of
    activities running together in such a schedule pairwise overlapped in the original, hence (intervals)
    ran together there too. Forward CPM over them gives back an active schedule's starts; backward CPM
    gives float that can be used without breaking any capacity.
    """
    by_resource: dict[str, list[str]] = {}
    for activity, demand in demands.items():
        if durations[activity] <= 0:
            continue
        for resource, amount in demand.items():
            if amount > 0:
                by_resource.setdefault(resource, []).append(activity)
    links: set[Link] = set()
    for users in by_resource.values():
        by_finish = sorted(users, key=lambda a: (starts[a] + durations[a], starts[a], a))
        finishes = [starts[a] + durations[a] for a in by_finish]
        prefix_max_start: list[int] = []
        for a in by_finish:
            prefix_max_start.append(max(prefix_max_start[-1], starts[a]) if prefix_max_start else starts[a])
        for j in users:
            count = bisect_right(finishes, starts[j])
            if count == 0:
                continue
            latest_start = prefix_max_start[count - 1]
            k = count - 1
            while k >= 0 and finishes[k] > latest_start:
                links.add((by_finish[k], j, 0))
                k -= 1
    return sorted(links)
