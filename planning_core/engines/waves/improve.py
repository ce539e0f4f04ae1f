"""Second-level objectives with the wave count fixed: least cut weight, critical apps later, balance.

A deterministic first-improvement local search that moves one unit at a time inside the window its
predecessors and successors allow, never breaking a hard constraint and never using more waves.
"""

from __future__ import annotations

import time

from planning_core.engines.waves.units import EPS, WaveProblem


def score(problem: WaveProblem, wave: list[int], waves: int) -> tuple[float, float, float]:
    """(cut weight, risk earliness, sum of squared wave loads): lower is better, in that order."""
    cut = sum(w for a, b, w in problem.cut_edges if wave[a] != wave[b])
    rel = relative_risk(problem)
    risk = sum(rel[i] * u.count * (waves - wave[i]) for i, u in enumerate(problem.units))
    loads = [0.0] * (waves + 1)
    for i, k in enumerate(wave):
        loads[k] += problem.units[i].effort
    return cut, float(risk), sum(x * x for x in loads)


def relative_risk(problem: WaveProblem) -> list[float]:
    """Criticality rank minus the portfolio's average: only differences in risk order the waves."""
    total = sum(u.count for u in problem.units) or 1
    mean = sum(u.risk * u.count for u in problem.units) / total
    return [u.risk - mean for u in problem.units]


def improve(
    problem: WaveProblem,
    wave: list[int],
    *,
    waves: int,
    pilot_apps: int = 0,
    deadline: float | None = None,
    max_window: int = 40,
) -> list[int]:
    """Move units between waves while (cut, risk, balance) improves lexicographically."""
    wave = list(wave)
    n = problem.n
    load = [0.0] * (waves + 2)
    count = [0] * (waves + 2)
    for u in range(n):
        load[wave[u]] += problem.weight(u)
        count[wave[u]] += problem.apps_weight(u)
    ties: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for a, b, w in problem.cut_edges:
        ties[a].append((b, w))
        ties[b].append((a, w))
    cap = problem.capacity + EPS
    pilot = pilot_apps > 0
    rel = relative_risk(problem)
    improved = True
    while improved:
        improved = False
        for u in range(n):
            if deadline is not None and time.perf_counter() > deadline:
                return wave
            unit = problem.units[u]
            if unit.fixed is not None:
                continue
            lo = max((wave[p] for p in problem.pred[u]), default=1)
            hi = min((wave[s] for s in problem.succ[u]), default=waves)
            cur = wave[u]
            if pilot and cur == 1 and count[1] == problem.apps_weight(u):
                continue  # keep the pilot wave non-empty
            w, c = problem.weight(u), problem.apps_weight(u)
            best_k, best_delta = cur, (0.0, 0.0, 0.0)
            candidates = range(max(lo, cur - max_window), min(hi, cur + max_window) + 1)
            for k in candidates:
                if k == cur or k in problem.closed_waves:
                    continue
                if load[k] + w > cap or count[k] + c > problem.max_apps:
                    continue
                if pilot and k == 1 and (not unit.pilot_ok or count[1] + unit.count > pilot_apps):
                    continue
                d_cut = sum(wt for v, wt in ties[u] if wave[v] == cur) - sum(
                    wt for v, wt in ties[u] if wave[v] == k
                )
                d_risk = round(rel[u] * unit.count * (cur - k), 9)
                e = unit.effort
                d_bal = (load[k] + e) ** 2 + (load[cur] - e) ** 2 - load[k] ** 2 - load[cur] ** 2
                delta = (round(d_cut, 9), d_risk, round(d_bal, 6))
                if delta < best_delta:
                    best_k, best_delta = k, delta
            if best_k != cur:
                load[cur] -= w
                count[cur] -= c
                load[best_k] += w
                count[best_k] += c
                wave[u] = best_k
                improved = True
    return wave
