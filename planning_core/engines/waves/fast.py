"""The compiled path of the wave branch and bound: arrays for `kernel.search` and how to run it.

numba compiles `kernel.search` on first use (cached on disk, `cache=True`); without numba, or with
PLANNING_FLOW_PURE_PYTHON=1, the very same function runs as plain Python. Both give the same answers
for the same budgets, which are counts (nodes and enumeration steps), never clocks.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

import numpy as np

from planning_core.engines.waves import kernel
from planning_core.graph import mask_sum, reach_masks, topological_order
from planning_core.settings import get_settings

numba: Any
try:  # pragma: no cover - depends on the environment
    import numba
except ImportError:  # pragma: no cover
    numba = None

_compiled: Any = None
MEMO_BYTES = 1 << 24  # memory of failed states: at most this many bytes of keys per search
POOL_BYTES = 1 << 25  # loads kept on the search path: at most this many bytes


def compiled_available() -> bool:
    """Whether the compiled kernel can be used (numba installed and not switched off)."""
    return numba is not None and not get_settings().pure_python_kernels


def _runner(compiled: bool | None) -> Any:
    global _compiled
    use = compiled_available() if compiled is None else compiled and numba is not None
    if not use:
        return kernel.search
    if _compiled is None:
        _compiled = numba.njit(cache=True, nogil=True)(kernel.search)
    return _compiled


@dataclass
class Prepared:
    """One direction of an instance as arrays (weights, app counts, precedence words, dominance)."""

    n: int
    capacity: float
    max_count: int
    total: float
    w: np.ndarray
    cnt: np.ndarray
    pred: np.ndarray
    strict: np.ndarray
    succ_ptr: np.ndarray
    succ_idx: np.ndarray
    tail: np.ndarray
    need: list[int]  # waves needed from a unit to the end (effort and app count of its followers)
    dom: np.ndarray
    positional: list[float]


def _words(bits: int, nw: int) -> list[int]:
    return [(bits >> (kernel.BITS * j)) & 0xFFFFFFFF for j in range(nw)]


def prepare(
    weights: list[float], counts: list[int], succ: list[list[int]], capacity: float, max_count: int
) -> Prepared:
    """The arrays of one direction of an instance."""
    n = len(weights)
    nw = max((n + kernel.BITS - 1) // kernel.BITS, 1)
    order = topological_order(succ)
    desc = reach_masks(succ, list(reversed(order)))
    pred_sets: list[int] = [0] * n
    for u in range(n):
        for v in succ[u]:
            pred_sets[v] |= 1 << u
    strict = [desc[u] & ~(1 << u) for u in range(n)]
    tail_w = [mask_sum(desc[u], weights) for u in range(n)]
    tail_c = [mask_sum(desc[u], [float(c) for c in counts]) for u in range(n)]
    need = [
        max(math.ceil(tail_w[u] / capacity - 1e-9), math.ceil(tail_c[u] / max_count - 1e-9), 1)
        for u in range(n)
    ]
    dom = np.zeros((n, n), np.bool_)
    for v in range(n):
        dv, wv = strict[v], weights[v]
        for u in range(n):
            if u == v or weights[u] > wv:
                continue
            du = strict[u]
            if du & ~dv:
                continue
            dom[v, u] = wv > weights[u] or dv != du or v < u
    ptr = [0]
    idx: list[int] = []
    for u in range(n):
        idx.extend(succ[u])
        ptr.append(len(idx))
    return Prepared(
        n=n,
        capacity=capacity,
        max_count=max_count,
        total=sum(weights),
        w=np.array(weights, np.float64),
        cnt=np.array(counts, np.int64),
        pred=np.array([_words(b, nw) for b in pred_sets], np.int64).reshape(n, nw),
        strict=np.array([_words(b, nw) for b in strict], np.int64).reshape(n, nw),
        succ_ptr=np.array(ptr, np.int64),
        succ_idx=np.array(idx or [0], np.int64),
        tail=np.array(tail_w, np.float64),
        need=need,
        dom=dom,
        positional=tail_w,
    )


def priority_orders(prep: Prepared, count: int, seed: int = 0) -> list[list[int]]:
    """Unit orders for the enumeration: positional weight, effort, followers, then seeded noise."""
    n = prep.n
    w = prep.w.tolist()
    followers = [
        bin(int(sum(int(x) << (kernel.BITS * j) for j, x in enumerate(row)))).count("1")
        for row in prep.strict
    ]
    keys: list[list[float]] = [
        prep.positional,
        [w[u] + prep.positional[u] * 1e-9 for u in range(n)],
        [followers[u] + w[u] / (max(w, default=1.0) or 1.0) * 1e-3 for u in range(n)],
        [w[u] * (1 + followers[u]) for u in range(n)],
    ]
    rng = random.Random(seed)
    while len(keys) < count:
        noise = 0.5 * rng.random()
        keys.append([p * (1 + noise * rng.random()) for p in prep.positional])
    return [_order(prep.need, key) for key in keys[:count]]


def _order(need: list[int], key: list[float]) -> list[int]:
    """Units by the fewest waves left after them (most urgent first), then by key, then index."""
    return sorted(range(len(need)), key=lambda u: (-need[u], -key[u], u))


def run(
    prep: Prepared,
    m: int,
    *,
    node_limit: int,
    max_loads: int = 2000,
    step_cap: int = 10**15,
    order: list[int] | None = None,
    keep_best: int = 0,
    max_disc: int = -1,
    compiled: bool | None = None,
) -> tuple[int, list[int] | None, int]:
    """Search a plan with at most m waves: (status, wave per unit or None, nodes used)."""
    n = prep.n
    if n == 0:
        return kernel.FOUND, [], 0
    slack = m * prep.capacity - prep.total
    latest = np.array([m - prep.need[u] + 1 for u in range(n)], np.int64)
    if slack < -1e-9 or int(latest.min()) < 1:
        return kernel.INFEASIBLE, None, 0
    if order is None:
        order = sorted(range(n), key=lambda u: (-prep.need[u], -prep.positional[u], u))
    rank = np.array(order, np.int64)
    pos = np.empty(n, np.int64)
    pos[rank] = np.arange(n, dtype=np.int64)
    nw = prep.pred.shape[1]
    pool_rows = max(min((m + 1) * max_loads, POOL_BYTES // (8 * nw)), 1)
    slots = 1 << 10
    while slots * 2 * nw * 8 <= MEMO_BYTES and slots < (1 << 20):
        slots *= 2
    station = np.zeros(n, np.int64)
    status, nodes = _runner(compiled)(
        m,
        float(slack),
        prep.w,
        prep.cnt,
        prep.max_count,
        float(prep.capacity),
        prep.pred,
        prep.strict,
        prep.succ_ptr,
        prep.succ_idx,
        latest,
        rank,
        pos,
        prep.tail,
        prep.dom,
        int(node_limit),
        int(max_loads),
        int(min(step_cap, 10**15)),
        int(pool_rows),
        int(slots),
        int(keep_best),
        int(max_disc),
        station,
    )
    return int(status), (station.tolist() if status == kernel.FOUND else None), int(nodes)


def hoffmann(
    prep: Prepared, order: list[int], *, step_cap: int, compiled: bool | None = None
) -> list[int] | None:
    """Hoffmann's heuristic: every wave takes the least-idle maximal load found (one dive)."""
    status, wave, _ = run(
        prep,
        prep.n,
        node_limit=10**15,
        max_loads=1,
        step_cap=step_cap,
        order=order,
        keep_best=1,
        compiled=compiled,
    )
    return wave if status == kernel.FOUND else None


def warm_up() -> bool:
    """Compile the kernel now (or load it from numba's disk cache); True when the compiled path is on."""
    if not compiled_available():
        return False
    prep = prepare([1.0, 1.0], [1, 1], [[1], []], 2.0, 2)
    run(prep, 1, node_limit=100, compiled=True)
    return True
