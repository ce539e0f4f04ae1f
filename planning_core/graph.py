"""Directed graphs over nodes 0..n-1: topological order, strongly connected components, union-find.

A graph is its successor lists: ``succ[u]`` holds every ``v`` with an arc ``u -> v`` (repeats allowed).
Sets of nodes can be bitmasks (bit ``u`` for node ``u``): ``reach_masks`` builds them, ``mask_sum``
and ``mask_members`` read them. Pure Python, no dependencies; every result is deterministic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from heapq import heapify, heappop, heappush
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


class CycleError(ValueError):
    """The arcs form a cycle; ``nodes`` are the nodes left unordered (on a cycle or after one)."""

    def __init__(self, nodes: list[int]) -> None:
        super().__init__(f"the arcs form a cycle through nodes {nodes[:10]}")
        self.nodes = nodes


def topological_order(
    succ: Sequence[Iterable[int]],
    *,
    prefer: Callable[[int | None, int], float] | None = None,
) -> list[int]:
    """Every node, each arc going forward (Kahn's algorithm); raises CycleError on a cycle.

    Among the nodes whose predecessors are all placed, the smallest index goes first; with ``prefer``,
    the one with the largest ``prefer(previous, node)`` (``previous``: the node placed just before it,
    None for the first), ties by smallest index. ``prefer`` makes it O(n^2).
    """
    n = len(succ)
    indegree = [0] * n
    for targets in succ:
        for v in targets:
            indegree[v] += 1
    ready = [u for u in range(n) if indegree[u] == 0]
    order: list[int] = []
    if prefer is None:
        heapify(ready)
        while ready:
            u = heappop(ready)
            order.append(u)
            for v in succ[u]:
                indegree[v] -= 1
                if indegree[v] == 0:
                    heappush(ready, v)
    else:
        last: int | None = None
        while ready:
            u = max(ready, key=lambda v: (prefer(last, v), -v))
            ready.remove(u)
            order.append(u)
            last = u
            for v in succ[u]:
                indegree[v] -= 1
                if indegree[v] == 0:
                    ready.append(v)
    if len(order) != n:
        raise CycleError([u for u in range(n) if indegree[u] > 0])
    return order


def strongly_connected(succ: Sequence[Sequence[int]]) -> list[list[int]]:
    """Tarjan's strongly connected components (iterative), each sorted, in reverse topological order."""
    n = len(succ)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    comps: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        work = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            v, pos = work[-1]
            if pos < len(succ[v]):
                work[-1] = (v, pos + 1)
                w = succ[v][pos]
                if index[w] == -1:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, 0))
                elif on_stack[w]:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp.append(w)
                    if w == v:
                        break
                comps.append(sorted(comp))
    return comps


class UnionFind:
    """Disjoint sets over 0..n-1 (path halving; the smaller root becomes the parent)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        """Every set, members ascending, sets by their smallest member."""
        by_root: dict[int, list[int]] = defaultdict(list)
        for x in range(len(self.parent)):
            by_root[self.find(x)].append(x)
        return sorted(by_root.values(), key=lambda g: g[0])


def strongly_connected_keys(graph: Mapping[K, Iterable[K]]) -> list[list[K]]:
    """`strongly_connected` over any hashable node keys (nodes only named as successors count too);
    each component in the order its nodes first appear."""
    nodes = list(dict.fromkeys([*graph, *(s for successors in graph.values() for s in successors)]))
    index = {node: i for i, node in enumerate(nodes)}
    succ = [[index[s] for s in graph.get(node, ())] for node in nodes]
    return [[nodes[i] for i in component] for component in strongly_connected(succ)]


def reach_masks(nbrs: Sequence[Iterable[int]], order: Iterable[int]) -> list[int]:
    """Per node, the bitmask of the nodes reachable from it through ``nbrs``, itself included.

    ``order`` lists every node after all of its ``nbrs``: a reversed topological order for successor
    lists (descendants), a topological order for predecessor lists (ancestors).
    """
    reach = [0] * len(nbrs)
    for u in order:
        bits = 1 << u
        for v in nbrs[u]:
            bits |= reach[v]
        reach[u] = bits
    return reach


def mask_members(bits: int) -> list[int]:
    """The nodes of a bitmask, ascending."""
    out = []
    while bits:
        low = bits & -bits
        out.append(low.bit_length() - 1)
        bits ^= low
    return out


def mask_sum(bits: int, values: Sequence[float]) -> float:
    """The sum of ``values`` over the nodes of a bitmask, added in ascending node order."""
    total = 0.0
    while bits:
        low = bits & -bits
        total += values[low.bit_length() - 1]
        bits ^= low
    return total
