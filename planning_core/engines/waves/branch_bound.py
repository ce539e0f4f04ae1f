"""Exact search for SALBP-1 style wave counts: station-oriented branch and bound plus beam search.

- Branch and bound (SALOME / BB&R style) answers "do m waves suffice?": waves are filled one after
  another with maximal loads only (no further unit fits), Jackson's dominance rule, within the idle
  budget m x capacity - total effort; every unit is placed by its latest wave (ceil of its followers'
  effort); an assigned set that already failed with as few waves is not searched again (memo).
- Beam search finds plans with one wave less: wave by wave it keeps the partial plans with the least
  idle effort, loads coming from subset sums over the available units (a Hoffmann-style fill) and a
  capped exact enumeration.
- Both run forward and on the reversed graph (backward), with growing budgets, until the gap closes
  or the time is up.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass

from planning_core.engines.waves import fast, kernel
from planning_core.graph import mask_sum, reach_masks, topological_order

BEAM_STEPS = 3000  # extension steps of the exact load enumeration per beam state
DP_VARIANTS = 4  # orderings of the available units whose subset sums are rebuilt into loads


class _OutOfBudget(Exception):
    """The node budget or the deadline ran out."""


@dataclass
class Instance:
    """A plain SALBP instance: integer-like weights, app counts, arcs as predecessor bitmasks."""

    weights: list[float]
    counts: list[int]
    succ: list[list[int]]
    capacity: float
    max_count: int

    @property
    def n(self) -> int:
        return len(self.weights)

    def reversed(self) -> Instance:
        """The same instance with every arc turned around."""
        pred: list[list[int]] = [[] for _ in range(self.n)]
        for u in range(self.n):
            for v in self.succ[u]:
                pred[v].append(u)
        return Instance(self.weights, self.counts, pred, self.capacity, self.max_count)


class Search:
    """Depth-first search for a plan with at most m waves."""

    def __init__(self, inst: Instance, m: int, *, node_limit: int, deadline: float) -> None:
        self.inst = inst
        self.m = m
        self.node_limit = node_limit
        self.deadline = deadline
        self.nodes = 0
        n = inst.n
        self.cap = inst.capacity + 1e-9
        pred: list[list[int]] = [[] for _ in range(n)]
        for u in range(n):
            for v in inst.succ[u]:
                pred[v].append(u)
        self.pred_mask = [sum(1 << p for p in pred[v]) for v in range(n)]
        order = topological_order(inst.succ)
        desc = reach_masks(inst.succ, reversed(order))
        tail_w = [mask_sum(desc[u], inst.weights) for u in range(n)]
        tail_c = [mask_sum(desc[u], [float(c) for c in inst.counts]) for u in range(n)]
        self.latest = [
            m
            - max(
                math.ceil(tail_w[u] / inst.capacity - 1e-9), math.ceil(tail_c[u] / inst.max_count - 1e-9), 1
            )
            + 1
            for u in range(n)
        ]
        # priority: tightest latest wave first, then the largest positional weight
        self.rank = sorted(range(n), key=lambda u: (self.latest[u], -tail_w[u], u))
        self.position = {u: i for i, u in enumerate(self.rank)}
        self.by_latest = sorted(range(n), key=lambda u: self.latest[u])
        self.slack = m * inst.capacity - sum(inst.weights)
        self.full = (1 << n) - 1
        self.failed: dict[int, int] = {}
        self.loads: list[int] = []
        self.max_loads = 2000
        self.step_cap = 10**12  # extension steps per load enumeration (the beam caps it)
        self.truncated = False
        self.desc = desc
        self.strict = [desc[u] & ~(1 << u) for u in range(n)]
        integral = all(float(w).is_integer() for w in inst.weights) and float(inst.capacity).is_integer()
        self.dp_ok = integral and inst.capacity <= 1_000_000 and inst.max_count >= n
        self.int_cap = int(inst.capacity) if self.dp_ok else 0
        self.tail = tail_w

    def run(self) -> tuple[list[int] | None, bool]:
        """(wave per unit or None, whether the search was complete)."""
        if self.slack < -1e-9 or any(x < 1 for x in self.latest):
            return None, True
        try:
            found = self._dfs(0, 0, 0.0)
        except _OutOfBudget:
            return None, False
        if not found:
            return None, not self.truncated
        wave = [0] * self.inst.n
        for k, mask in enumerate(self.loads, start=1):
            for u in range(self.inst.n):
                if mask >> u & 1:
                    wave[u] = k
        return wave, True

    def _tick(self, steps: int = 1) -> None:
        self.nodes += steps
        if self.nodes > self.node_limit or time.perf_counter() > self.deadline:
            raise _OutOfBudget

    def _dfs(self, assigned: int, k: int, idle: float) -> bool:
        if assigned == self.full:
            return True
        if k >= self.m or self.failed.get(assigned, self.m + 1) <= k:
            return False
        self._tick()
        for u in self.by_latest:
            if not assigned >> u & 1:
                if self.latest[u] <= k:
                    self.failed[assigned] = k
                    return False
                break
        forced = [u for u in range(self.inst.n) if not assigned >> u & 1 and self.latest[u] == k + 1]
        budget = self.slack - idle
        loads = []
        for item in self._loads(assigned, k, budget, forced):
            loads.append(item)
            if len(loads) >= self.max_loads:
                self.truncated = True
                break
        loads.sort(key=lambda item: item[1])  # least idle first (stable: priority order on ties)
        for load, load_idle in loads:
            self.loads.append(load)
            if self._dfs(assigned | load, k + 1, idle + load_idle):
                return True
            self.loads.pop()
        self.failed[assigned] = k
        return False

    def _dominated(self, load: int, cands: list[int], left: float, count_left: int, forced: int) -> bool:
        """Jackson's rule: swap a unit for an excluded one with at least its effort and followers."""
        inst = self.inst
        weights = inst.weights
        strict = self.strict
        inside = [u for u in cands if load >> u & 1 and not forced >> u & 1 and not strict[u] & load]
        if not inside:
            return False
        reach = left + max(weights[u] for u in inside) + 1e-9
        for v in cands:
            if load >> v & 1 or weights[v] > reach:
                continue
            wv, cv, dv = weights[v], inst.counts[v], strict[v]
            for u in inside:
                wu = weights[u]
                if wu > wv or wv - wu > left + 1e-9 or cv - inst.counts[u] > count_left:
                    continue
                du = strict[u]
                if du & ~dv:
                    continue  # v lacks some of u's followers
                if wv > wu or dv != du or v < u:
                    return True
        return False

    def dp_loads(self, assigned: int, k: int, budget: float, keep: int) -> list[tuple[int, float]]:
        """Near-best loads fast: subset sums over the available units (integer efforts, no app limit),
        each completed first-fit with the units it releases; forced units (latest wave) go first."""
        inst = self.inst
        weights = inst.weights
        load = 0
        used = 0
        changed = True
        forced = [u for u in range(inst.n) if not assigned >> u & 1 and self.latest[u] == k + 1]
        while changed:  # forced units, in precedence order
            changed = False
            for u in forced:
                if not load >> u & 1 and self.pred_mask[u] & ~(assigned | load) == 0:
                    load |= 1 << u
                    used += int(weights[u])
                    changed = True
        if any(not load >> u & 1 for u in forced) or used > self.int_cap:
            return []
        room = self.int_cap - used
        done = assigned | load
        avail = sorted(
            (u for u in range(inst.n) if not done >> u & 1 and self.pred_mask[u] & ~done == 0),
            key=self.position.__getitem__,
            reverse=True,  # the lowest priority last in the table: skipped first when rebuilding
        )
        out: list[tuple[int, float]] = []
        seen: set[int] = set()
        rng = random.Random(k * 7919 + len(avail))
        for variant in range(DP_VARIANTS):
            order = list(avail)
            if variant:
                rng.shuffle(order)
            self._dp_variant(assigned, load, order, room, budget, keep, out, seen)
        out.sort(key=lambda item: item[1])
        return out[:keep]

    def _dp_variant(
        self,
        assigned: int,
        load: int,
        avail: list[int],
        room: int,
        budget: float,
        keep: int,
        out: list[tuple[int, float]],
        seen: set[int],
    ) -> None:
        """Rebuild the best subset sums of one ordering of the available units into loads."""
        weights = self.inst.weights
        mask = (1 << (room + 1)) - 1
        table = [1]
        for u in avail:
            prev = table[-1]
            table.append(prev | ((prev << int(weights[u])) & mask))
        sums = table[-1]
        found = 0
        total = room
        while total >= 0 and found < keep and room - total <= budget + 1e-9:
            if sums >> total & 1:
                chosen = load
                rest = total
                for i in range(len(avail) - 1, -1, -1):
                    if not table[i] >> rest & 1:
                        chosen |= 1 << avail[i]
                        rest -= int(weights[avail[i]])
                chosen, left = self._fill(assigned, chosen, float(room - total))
                if left <= budget + 1e-9 and chosen not in seen:
                    seen.add(chosen)
                    out.append((chosen, left))
                    found += 1
            total -= 1

    def _fill(self, assigned: int, load: int, left: float) -> tuple[int, float]:
        """Add released units first-fit in priority order until none fits."""
        inst = self.inst
        grew = True
        while grew:
            grew = False
            done = assigned | load
            for u in self.rank:
                if done >> u & 1 or self.pred_mask[u] & ~done or inst.weights[u] > left + 1e-9:
                    continue
                load |= 1 << u
                left -= inst.weights[u]
                done |= 1 << u
                grew = True
        return load, left

    def best_loads(
        self, assigned: int, k: int, budget: float, forced: list[int], keep: int
    ) -> list[tuple[int, float]]:
        """The `keep` loads with the least idle effort (ties in priority order)."""
        limit = [budget]
        best: list[tuple[float, int, int]] = []
        for seq, (load, idle) in enumerate(self._loads(assigned, k, budget, forced, limit)):
            best.append((idle, seq, load))
            if len(best) > keep:
                best.sort()
                best.pop()
            if len(best) == keep:
                limit[0] = max(b[0] for b in best)
        best.sort()
        return [(load, idle) for idle, _, load in best]

    def _loads(
        self, assigned: int, k: int, budget: float, forced: list[int], limit: list[float] | None = None
    ) -> Iterator[tuple[int, float]]:
        """Maximal loads of wave k+1 whose idle effort fits the budget, best-priority first."""
        inst = self.inst
        forced_mask = sum(1 << u for u in forced)
        avail = sorted(
            (u for u in range(inst.n) if not assigned >> u & 1 and self.pred_mask[u] & ~assigned == 0),
            key=self.position.__getitem__,
        )
        last = k + 1 == self.m

        tail = self.tail
        steps = [0]
        count_free = sum(inst.counts) <= inst.max_count  # else the app room may still shrink

        def extend(
            cands: list[int],
            i: int,
            load: int,
            left: float,
            count_left: int,
            out: tuple[int, ...],
            rest: float,
        ) -> Iterator[tuple[int, float]]:
            steps[0] += 1
            if steps[0] & 2047 == 0:
                self._tick(2048)
            if steps[0] > self.step_cap:
                return
            lowest = left - rest  # the load cannot end with less room than this
            if lowest > (limit[0] if limit is not None else budget) + 1e-9:
                return
            if i == len(cands):
                if forced_mask & ~load or (limit is not None and left > limit[0] + 1e-9):
                    return
                if any(inst.weights[v] <= left + 1e-9 and inst.counts[v] <= count_left for v in out):
                    return  # not maximal: an excluded unit still fits
                if last and (assigned | load) != self.full:
                    return
                if self._dominated(load, cands, left, count_left, forced_mask):
                    return
                yield load, max(left, 0.0)
                return
            if (
                out
                and count_free
                and lowest > 0
                and any(inst.weights[v] <= lowest + 1e-9 and inst.counts[v] <= count_left for v in out)
            ):
                return  # an excluded unit will still fit at the end
            u = cands[i]
            w, c = inst.weights[u], inst.counts[u]
            fits = w <= left + 1e-9 and c <= count_left
            rest_after = rest - tail[u]
            if fits:
                new = load | (1 << u)
                done = assigned | new
                extra = [v for v in inst.succ[u] if self.pred_mask[v] & ~done == 0]
                if extra:
                    extra.sort(key=self.position.__getitem__)
                    added = sum(tail[v] for v in extra)
                    yield from extend(
                        cands + extra, i + 1, new, left - w, count_left - c, out, rest_after + added
                    )
                else:
                    yield from extend(cands, i + 1, new, left - w, count_left - c, out, rest_after)
            if not forced_mask >> u & 1:
                yield from extend(
                    cands, i + 1, load, left, count_left, out + (u,) if fits else out, rest_after
                )

        yield from extend(avail, 0, 0, inst.capacity, inst.max_count, (), sum(tail[u] for u in avail))


def beam_search(inst: Instance, m: int, *, width: int, per_state: int, deadline: float) -> list[int] | None:
    """Wave by wave, keep the `width` partial plans with the least idle effort (a primal heuristic)."""
    search = Search(inst, m, node_limit=10**12, deadline=deadline)
    if search.slack < -1e-9 or any(x < 1 for x in search.latest):
        return None
    urgency = [m - search.latest[u] for u in range(inst.n)]
    level: list[tuple[int, float, tuple[int, ...]]] = [(0, 0.0, ())]
    try:
        for k in range(m):
            children: dict[int, tuple[float, tuple[int, ...]]] = {}
            for assigned, idle, loads in level:
                if time.perf_counter() > deadline:
                    return None
                forced = [u for u in range(inst.n) if not assigned >> u & 1 and search.latest[u] == k + 1]
                if any(not assigned >> u & 1 and search.latest[u] <= k for u in range(inst.n)):
                    continue
                options = search.dp_loads(assigned, k, search.slack - idle, per_state) if search.dp_ok else []
                search.step_cap = BEAM_STEPS
                seen = {load for load, _ in options}
                for load, load_idle in search.best_loads(assigned, k, search.slack - idle, forced, per_state):
                    if load not in seen:
                        options.append((load, load_idle))
                options.sort(key=lambda item: item[1])
                options = options[:per_state]
                for load, load_idle in options:
                    new = assigned | load
                    total = idle + load_idle
                    if new == search.full:
                        wave = [0] * inst.n
                        for j, mask in enumerate((*loads, load), start=1):
                            for u in range(inst.n):
                                if mask >> u & 1:
                                    wave[u] = j
                        return wave
                    old = children.get(new)
                    if old is None or total < old[0]:
                        children[new] = (total, (*loads, load))
            if not children:
                return None
            ranked = sorted(
                children.items(),
                key=lambda kv: (kv[1][0], -sum(urgency[u] for u in range(inst.n) if kv[0] >> u & 1)),
            )
            level = [(mask, idle, loads) for mask, (idle, loads) in ranked[:width]]
    except _OutOfBudget:
        return None
    return None


def solve_decision(
    inst: Instance, m: int, *, deadline: float, node_limit: int
) -> tuple[list[int] | None, bool]:
    """A plan with at most m waves (forward search), and whether the answer is proved."""
    return Search(inst, m, node_limit=node_limit, deadline=deadline).run()


def improve_waves(
    inst: Instance, *, lower: int, upper: int, deadline: float, compiled: bool | None = None
) -> tuple[list[int] | None, int, int]:
    """Close the gap between lower and upper.

    First Hoffmann dives with several priority orders, forward and backward (upper bound); then
    rounds of the station-oriented branch and bound (`kernel.search`, compiled when numba is there)
    on m = lower, forward and backward, with doubling node budgets: a limited discrepancy dive (the
    best loads of each wave first) and the complete search; a plan closes the gap, a complete search
    without one lifts the lower bound. While the gap is two waves or more, each round also
    looks for a plan with one wave less (the branch and bound on upper - 1, then the beam search).

    Returns (best plan found or None, proved lower bound, best wave count).
    """
    fwd = fast.prepare(inst.weights, inst.counts, inst.succ, inst.capacity, inst.max_count)
    back_inst = inst.reversed()
    bwd = fast.prepare(back_inst.weights, back_inst.counts, back_inst.succ, inst.capacity, inst.max_count)
    directions = ((fwd, inst, False), (bwd, back_inst, True))
    best: list[int] | None = None
    clock = _Clock(deadline, compiled)

    def keep(wave: list[int] | None, flip: bool) -> bool:
        nonlocal best, upper
        if wave is None or max(wave) >= upper:
            return False
        m = max(wave)
        best, upper = ([m + 1 - k for k in wave] if flip else wave), m
        return True

    steps = max(HOFFMANN_STEPS // max(inst.n, 1), 200)
    for orders in zip(*(fast.priority_orders(p, HOFFMANN_ORDERS) for p, _, _ in directions), strict=True):
        for (prep, _, flip), order in zip(directions, orders, strict=True):
            if lower >= upper or clock.out():
                return best, lower, upper
            keep(clock.run_hoffmann(prep, order, steps), flip)
    budget = FIRST_BUDGET
    max_loads = 2000
    width = 4
    disc = 0
    while lower < upper and not clock.out():
        for prep, _, flip in directions:  # limited discrepancy dives: the best loads first
            status, wave = clock.run(prep, lower, budget, disc + 1, keep=disc + 1, max_disc=disc)
            if status == kernel.FOUND:
                keep(wave, flip)
                return best, lower, upper
        progressed = False
        for prep, _, flip in directions:  # the complete search: a plan or a proof
            status, wave = clock.run(prep, lower, budget, max_loads)
            if status == kernel.FOUND:
                keep(wave, flip)
                return best, lower, upper
            if status == kernel.INFEASIBLE:
                lower += 1
                progressed = True
                break
            if clock.out():
                break
        if progressed or lower >= upper:
            continue
        if lower < upper - 1:
            for prep, problem, flip in directions:
                status, wave = clock.run(prep, upper - 1, budget, disc + 1, keep=disc + 1, max_disc=disc)
                if keep(wave, flip):
                    progressed = True
                    break
                found = beam_search(problem, upper - 1, width=width, per_state=3, deadline=deadline)
                if keep(found, flip):
                    progressed = True
                    break
        if not progressed:
            budget *= 2
            width *= 2
            disc = disc * 2 + 1
            max_loads = min(max_loads * 2, 20_000)
    return best, lower, upper


HOFFMANN_ORDERS = 6  # priority orders of the Hoffmann dives (each forward and backward)
HOFFMANN_STEPS = 4_000_000  # load enumeration steps of one dive, shared over its waves
FIRST_BUDGET = 50_000  # nodes + enumeration steps of the first branch and bound run


class _Clock:
    """Node budgets that fit the deadline: the kernel counts nodes, this turns time into nodes."""

    def __init__(self, deadline: float, compiled: bool | None) -> None:
        self.deadline = deadline
        self.compiled = compiled
        self.nodes = 0
        self.seconds = 0.0

    def out(self) -> bool:
        return time.perf_counter() >= self.deadline

    def _limit(self, budget: int) -> int:
        left = self.deadline - time.perf_counter()
        if self.seconds > 0.05 and self.nodes > 1000:
            rate = self.nodes / self.seconds
            return max(min(budget, int(rate * left)), 1000)
        return budget

    def run(
        self, prep: fast.Prepared, m: int, budget: int, max_loads: int, *, keep: int = 0, max_disc: int = -1
    ) -> tuple[int, list[int] | None]:
        started = time.perf_counter()
        status, wave, nodes = fast.run(
            prep,
            m,
            node_limit=self._limit(budget),
            max_loads=max_loads,
            keep_best=keep,
            max_disc=max_disc,
            compiled=self.compiled,
        )
        self.nodes += nodes
        self.seconds += time.perf_counter() - started
        return status, wave

    def run_hoffmann(self, prep: fast.Prepared, order: list[int], steps: int) -> list[int] | None:
        return fast.hoffmann(prep, order, step_cap=steps, compiled=self.compiled)
