"""Lower bounds on the number of waves: no valid plan can use fewer.

- capacity: ceil(apps / max apps per wave);
- effort: ceil(total effort / effort capacity per wave) (SALBP LB1);
- half / third: Scholl & Becker's LB2 and LB3 (units over half / a third of the capacity);
- bin_packing_l2: Martello & Toth's L2 bound on the effort (and the app counts);
- precedence_chain: max over units of earliest wave + waves its followers need - 1, where the
  earliest wave is ceil((own + all predecessors' effort) / capacity) (Scholl's LB4 reasoning);
- pinned: the highest pinned or locked wave.
"""

from __future__ import annotations

import bisect
import math

from planning_core.domain import PlanningConfig, Portfolio
from planning_core.engines.waves.greedy import releases_and_deadlines
from planning_core.engines.waves.units import WaveProblem, build_problem
from planning_core.graph import mask_sum, reach_masks, topological_order

TOL = 1e-9


def ceil_div(value: float, capacity: float) -> int:
    """ceil(value / capacity), tolerant to float noise."""
    if value <= 0:
        return 0
    return max(math.ceil(value / capacity - TOL), 0)


def half_bound(weights: list[float], capacity: float) -> int:
    """LB2: units over half the capacity need a wave each; exactly half count one half."""
    half = capacity / 2
    total = sum(1.0 if w > half + TOL else 0.5 if abs(w - half) <= TOL else 0.0 for w in weights)
    return math.ceil(total - TOL)


def third_bound(weights: list[float], capacity: float) -> int:
    """LB3: weights 1, 2/3, 1/2, 1/3 for units above/at two thirds, between, and at a third."""
    total = 0.0
    for w in weights:
        if w > 2 * capacity / 3 + TOL:
            total += 1.0
        elif abs(w - 2 * capacity / 3) <= TOL:
            total += 2 / 3
        elif w > capacity / 3 + TOL:
            total += 0.5
        elif abs(w - capacity / 3) <= TOL:
            total += 1 / 3
    return math.ceil(total - 1e-6)


def martello_toth_l2(weights: list[float], capacity: float) -> int:
    """Martello & Toth's L2 bin-packing bound (sorted weights, prefix sums: n log n)."""
    items = sorted(w for w in weights if w > TOL)
    if not items:
        return 0
    prefix = [0.0]
    for w in items:
        prefix.append(prefix[-1] + w)

    def index_above(x: float) -> int:
        """Position of the first item strictly greater than x."""
        return bisect.bisect_right(items, x + TOL)

    best = ceil_div(prefix[-1], capacity)
    half = index_above(capacity / 2)
    alphas = sorted({w for w in items if w <= capacity / 2 + TOL} | {0.0})
    for alpha in alphas:
        cut = index_above(capacity - alpha)
        n_big = len(items) - cut
        n_mid = cut - half
        mid_sum = prefix[cut] - prefix[half]
        lo = bisect.bisect_left(items, alpha - TOL)
        small_sum = prefix[half] - prefix[lo]
        room = n_mid * capacity - mid_sum
        best = max(best, n_big + n_mid + max(0, ceil_div(small_sum - room, capacity)))
    return best


def _reach_sums(
    problem: WaveProblem, weights: list[float], *, forward: bool, exact_limit: int
) -> list[float]:
    """Own weight plus all ancestors' (forward=False) or descendants' (True); a chain sum when large."""
    order = topological_order(problem.succ)
    nbrs = problem.succ if forward else problem.pred
    seq = list(reversed(order)) if forward else order
    n = problem.n
    if n <= exact_limit:
        reach = reach_masks(nbrs, seq)
        return [mask_sum(reach[u], weights) for u in range(n)]
    chain = [0.0] * n
    for u in seq:
        chain[u] = weights[u] + max((chain[v] for v in nbrs[u]), default=0.0)
    return chain


def station_windows(problem: WaveProblem, *, exact_limit: int = 1500) -> tuple[list[int], list[int]]:
    """Earliest wave per unit and waves needed from it to the end (both by effort and app count)."""
    eff = [problem.weight(u) for u in range(problem.n)]
    cnt = [float(problem.apps_weight(u)) for u in range(problem.n)]
    head_e = _reach_sums(problem, eff, forward=False, exact_limit=exact_limit)
    tail_e = _reach_sums(problem, eff, forward=True, exact_limit=exact_limit)
    head_c = _reach_sums(problem, cnt, forward=False, exact_limit=exact_limit)
    tail_c = _reach_sums(problem, cnt, forward=True, exact_limit=exact_limit)
    release, _ = releases_and_deadlines(problem)
    earliest = [
        max(1, release[u], ceil_div(head_e[u], problem.capacity), ceil_div(head_c[u], problem.max_apps))
        for u in range(problem.n)
    ]
    tail = [
        max(1, ceil_div(tail_e[u], problem.capacity), ceil_div(tail_c[u], problem.max_apps))
        for u in range(problem.n)
    ]
    return earliest, tail


def unit_bounds(problem: WaveProblem) -> dict[str, int]:
    """Every lower bound of the problem, by name."""
    if problem.n == 0:
        return {"capacity": 0, "effort": 0}
    eff = [problem.weight(u) for u in range(problem.n)]
    cnt = [float(problem.apps_weight(u)) for u in range(problem.n)]
    c, a = problem.capacity, float(problem.max_apps)
    earliest, tail = station_windows(problem)
    bounds = {
        "capacity": ceil_div(sum(cnt), a),
        "effort": ceil_div(sum(eff), c),
        "half": max(half_bound(eff, c), half_bound(cnt, a)),
        "third": max(third_bound(eff, c), third_bound(cnt, a)),
        "bin_packing_l2": max(martello_toth_l2(eff, c), martello_toth_l2(cnt, a)),
        "precedence_chain": max(e + t - 1 for e, t in zip(earliest, tail, strict=True)),
    }
    pinned = [u.fixed for u in problem.units if u.fixed is not None]
    if pinned:
        bounds["pinned"] = max(pinned)
    return bounds


def best_bound(bounds: dict[str, int]) -> tuple[int, str]:
    """The strongest bound and its name (first name in a fixed order wins ties)."""
    order = ["capacity", "effort", "pinned", "precedence_chain", "half", "third", "bin_packing_l2"]
    names = [k for k in order if k in bounds] + sorted(k for k in bounds if k not in order)
    if not names:
        return 0, ""
    value = max(bounds[k] for k in names)
    return value, next(k for k in names if bounds[k] == value)


def lower_bounds(portfolio: Portfolio, config: PlanningConfig) -> dict[str, int]:
    """Lower bounds on the waves any valid plan of this portfolio needs, by name."""
    fixed = {a.application_id: a.pinned_wave for a in portfolio.applications if a.pinned_wave is not None}
    return unit_bounds(build_problem(portfolio, config, fixed=fixed))
