"""The inner loop of the wave branch and bound, written once for two runtimes.

`search` is plain Python over NumPy arrays, in the subset of Python that numba compiles:
`planning_core.engines.waves.compiled` runs it compiled when numba is installed, as it is here
otherwise. Both runs execute the same statements, so they give the same answers (budgets are node
and step counts, never clocks).

Station-oriented depth-first search (SALOME / BB&R family) for "do m waves suffice?":
- waves are filled in order, each with a maximal load (no left-out available unit still fits),
  enumerated unit by unit in priority order, released followers joining the candidates;
- a load whose idle effort would overrun the idle budget m x capacity - total effort is cut early
  (the candidates still to come cannot fill the room);
- every unit must be placed by its latest wave (m minus the waves its followers need), so a load
  leaves out no unit due in this wave;
- Jackson's dominance rule: a load that could swap one of its units (without followers in the load)
  for a left-out unit with at least its effort and all of its followers is skipped;
- loads are tried least idle first (ties in priority order): with m = n the first dive is
  Hoffmann's heuristic;
- memory of visited states: an assigned set that already failed with as few waves is not searched
  again (open addressing over the set's words).

Sets of units are rows of 32-bit words kept in int64 (no unsigned overflow in either runtime).
"""

from __future__ import annotations

import numpy as np

BITS = 32
EPS = 1e-9
FOUND, INFEASIBLE, OUT_OF_NODES, INCOMPLETE = 1, 0, -1, -2


def search(
    m,
    slack,
    w,
    cnt,
    maxc,
    cap,
    pred,
    strict,
    succ_ptr,
    succ_idx,
    latest,
    rank,
    pos,
    tail,
    dom,
    node_limit,
    max_loads,
    step_cap,
    pool_rows,
    memo_slots,
    keep_best,
    max_disc,
    station,
):
    """Fill `station` (1-based wave per unit) with a plan of at most m waves.

    `nodes` counts the waves opened plus the load enumeration steps (the budget `node_limit`).
    `max_disc` >= 0 limits the discrepancies (limited discrepancy search): taking the j-th best load
    of a wave costs j, and a path may spend at most `max_disc` in all (then "no plan" is no proof).
    With `keep_best` > 0 each wave keeps only its `keep_best` least-idle loads (the first on ties);
    with 1 and m = n the search is one dive: Hoffmann's heuristic.
    Returns (status, nodes): FOUND, INFEASIBLE (proved), OUT_OF_NODES, or INCOMPLETE (loads were
    truncated by `max_loads` / `step_cap` / the pool, so "no plan" is not a proof).
    """
    n = w.shape[0]
    nw = pred.shape[1]
    full = np.zeros(nw, np.int64)
    for u in range(n):
        full[u // BITS] |= np.int64(1) << (u % BITS)
    depth = m + 1
    assigned = np.zeros((depth + 1, nw), np.int64)
    idle = np.zeros(depth + 1, np.float64)
    lvl_start = np.zeros(depth + 1, np.int64)
    lvl_count = np.zeros(depth + 1, np.int64)
    lvl_next = np.zeros(depth + 1, np.int64)
    pool = np.zeros((pool_rows, nw), np.int64)
    pool_idle = np.zeros(pool_rows, np.float64)
    tmp_rows = np.zeros((max_loads, nw), np.int64)
    tmp_idle = np.zeros(max_loads, np.float64)
    memo_keys = np.zeros((memo_slots, nw), np.int64)
    memo_val = np.full(memo_slots, -1, np.int64)
    memo_rest = np.zeros(memo_slots, np.int64)  # discrepancies still allowed when the state failed
    unlimited = 1 << 40
    disc = np.zeros(depth + 1, np.int64)
    memo_used = 0
    # scratch of the load enumeration (one level per candidate position)
    cands = np.zeros(n + 1, np.int64)
    outs = np.zeros(n + 1, np.int64)
    forced = np.zeros(n, np.int64)
    is_forced = np.zeros(n, np.bool_)
    load = np.zeros(nw, np.int64)
    l_left = np.zeros(n + 2, np.float64)
    l_cnt = np.zeros(n + 2, np.int64)
    l_rest = np.zeros(n + 2, np.float64)
    l_clen = np.zeros(n + 2, np.int64)
    l_out = np.zeros(n + 2, np.int64)
    phase = np.zeros(n + 2, np.int64)
    incl = np.zeros(n + 2, np.bool_)

    count_free = cnt.sum() <= maxc  # the app-count limit never binds: effort alone decides fits
    nodes = 0
    truncated = False
    top = 0
    k = 0
    entering = True
    while True:
        if entering:
            complete = True
            for j in range(nw):
                if assigned[k, j] != full[j]:
                    complete = False
                    break
            if complete:
                for kk in range(k):
                    for u in range(n):
                        word = u // BITS
                        bit = np.int64(1) << (u % BITS)
                        if assigned[kk + 1, word] & bit and not assigned[kk, word] & bit:
                            station[u] = kk + 1
                return FOUND, nodes
            fail = False
            slot = -1
            if k >= m:
                fail = True
            else:
                h = 0
                for j in range(nw):
                    h = (h * 1000003 + assigned[k, j]) % 2147483647
                slot = h & (memo_slots - 1)
                while memo_val[slot] >= 0:
                    same = True
                    for j in range(nw):
                        if memo_keys[slot, j] != assigned[k, j]:
                            same = False
                            break
                    if same:
                        break
                    slot = (slot + 1) & (memo_slots - 1)
                rest_k = unlimited if max_disc < 0 else max_disc - disc[k]
                if memo_val[slot] >= 0 and memo_val[slot] <= k and memo_rest[slot] >= rest_k:
                    fail = True
            if not fail:
                nodes += 1
                if nodes > node_limit:
                    return OUT_OF_NODES, nodes
                nforced = 0
                for u in range(n):
                    is_forced[u] = False
                    if assigned[k, u // BITS] >> (u % BITS) & 1:
                        continue
                    if latest[u] <= k:
                        fail = True
                    elif latest[u] == k + 1:
                        forced[nforced] = u
                        nforced += 1
                        is_forced[u] = True
            if not fail:
                # ---- enumerate the maximal loads of wave k + 1 into the pool ----
                room_rows = pool_rows - top
                limit = max_loads if max_loads < room_rows else room_rows
                keep = keep_best if keep_best < limit else limit
                if keep_best > 0:
                    truncated = True  # only the best loads are kept: no proof
                if limit <= 0:
                    truncated = True
                budget = slack - idle[k]
                last = k + 1 == m
                clen = 0
                rest0 = 0.0
                for r in range(n):
                    u = rank[r]
                    if assigned[k, u // BITS] >> (u % BITS) & 1:
                        continue
                    ok = True
                    for j in range(nw):
                        if pred[u, j] & ~assigned[k, j]:
                            ok = False
                            break
                    if ok:
                        cands[clen] = u
                        clen += 1
                        rest0 += tail[u]
                for j in range(nw):
                    load[j] = 0
                found = 0
                steps = 0
                l_left[0] = cap
                l_cnt[0] = maxc
                l_rest[0] = rest0
                l_clen[0] = clen
                l_out[0] = 0
                phase[0] = 0
                i = 0 if limit > 0 else -1
                while i >= 0:
                    ph = phase[i]
                    left = l_left[i]
                    cl = l_cnt[i]
                    if ph == 0:
                        steps += 1
                        if steps > step_cap:
                            truncated = True
                            break
                        if nodes + steps > node_limit:
                            return OUT_OF_NODES, nodes + steps
                        lowest = left - l_rest[i]
                        if lowest > budget + EPS:
                            i -= 1
                            continue
                        if keep > 0 and found >= keep and lowest >= pool_idle[top + found - 1] - EPS:
                            i -= 1
                            continue
                        if i == l_clen[i]:
                            ok = True
                            for f in range(nforced):
                                u = forced[f]
                                if not load[u // BITS] >> (u % BITS) & 1:
                                    ok = False
                                    break
                            if ok:
                                for a in range(l_out[i]):
                                    v = outs[a]
                                    if w[v] <= left + EPS and cnt[v] <= cl:
                                        ok = False
                                        break
                            if ok and last:
                                for j in range(nw):
                                    if assigned[k, j] | load[j] != full[j]:
                                        ok = False
                                        break
                            if ok:  # Jackson's dominance rule
                                for a in range(l_clen[i]):
                                    u = cands[a]
                                    if is_forced[u] or not load[u // BITS] >> (u % BITS) & 1:
                                        continue
                                    has_follower = False
                                    for j in range(nw):
                                        if strict[u, j] & load[j]:
                                            has_follower = True
                                            break
                                    if has_follower:
                                        continue
                                    for b in range(l_clen[i]):
                                        v = cands[b]
                                        if load[v // BITS] >> (v % BITS) & 1 or not dom[v, u]:
                                            continue
                                        if w[v] - w[u] <= left + EPS and cnt[v] - cnt[u] <= cl:
                                            ok = False
                                            break
                                    if not ok:
                                        break
                            if ok and keep > 0:
                                value = left if left > 0.0 else 0.0
                                if found < keep or value < pool_idle[top + found - 1] - EPS:
                                    a = found if found < keep else found - 1
                                    while a > 0 and pool_idle[top + a - 1] > value + EPS:
                                        pool_idle[top + a] = pool_idle[top + a - 1]
                                        for j in range(nw):
                                            pool[top + a, j] = pool[top + a - 1, j]
                                        a -= 1
                                    pool_idle[top + a] = value
                                    for j in range(nw):
                                        pool[top + a, j] = load[j]
                                    if found < keep:
                                        found += 1
                                    if found >= keep and pool_idle[top + found - 1] <= EPS:
                                        break
                            elif ok:
                                row = top + found
                                for j in range(nw):
                                    pool[row, j] = load[j]
                                pool_idle[row] = left if left > 0.0 else 0.0
                                found += 1
                                if found >= limit:
                                    truncated = True
                                    break
                            i -= 1
                            continue
                        if count_free and l_out[i] > 0 and lowest > 0.0:
                            prune = False
                            for a in range(l_out[i]):
                                v = outs[a]
                                if w[v] <= lowest + EPS and cnt[v] <= cl:
                                    prune = True
                                    break
                            if prune:
                                i -= 1
                                continue
                        u = cands[i]
                        phase[i] = 1
                        if w[u] <= left + EPS and cnt[u] <= cl:
                            incl[i] = True
                            load[u // BITS] |= np.int64(1) << (u % BITS)
                            clen = l_clen[i]
                            start = clen
                            added = 0.0
                            for e in range(succ_ptr[u], succ_ptr[u + 1]):
                                s = succ_idx[e]
                                ok = True
                                for j in range(nw):
                                    if pred[s, j] & ~(assigned[k, j] | load[j]):
                                        ok = False
                                        break
                                if ok:
                                    a = clen
                                    while a > start and pos[cands[a - 1]] > pos[s]:
                                        cands[a] = cands[a - 1]
                                        a -= 1
                                    cands[a] = s
                                    clen += 1
                                    added += tail[s]
                            l_left[i + 1] = left - w[u]
                            l_cnt[i + 1] = cl - cnt[u]
                            l_rest[i + 1] = l_rest[i] - tail[u] + added
                            l_clen[i + 1] = clen
                            l_out[i + 1] = l_out[i]
                            phase[i + 1] = 0
                            i += 1
                        else:
                            incl[i] = False
                        continue
                    if ph == 1:
                        u = cands[i]
                        if incl[i]:
                            load[u // BITS] &= ~(np.int64(1) << (u % BITS))
                        if is_forced[u]:
                            i -= 1
                            continue
                        phase[i] = 2
                        if w[u] <= left + EPS and cnt[u] <= cl:
                            outs[l_out[i]] = u
                            l_out[i + 1] = l_out[i] + 1
                        else:
                            l_out[i + 1] = l_out[i]
                        l_left[i + 1] = left
                        l_cnt[i + 1] = cl
                        l_rest[i + 1] = l_rest[i] - tail[u]
                        l_clen[i + 1] = l_clen[i]
                        phase[i + 1] = 0
                        i += 1
                        continue
                    i -= 1
                # least idle first, stable (ties keep the priority order of the enumeration)
                if found > 1:
                    order = np.argsort(pool_idle[top : top + found], kind="mergesort")
                    for a in range(found):
                        tmp_idle[a] = pool_idle[top + order[a]]
                        for j in range(nw):
                            tmp_rows[a, j] = pool[top + order[a], j]
                    for a in range(found):
                        pool_idle[top + a] = tmp_idle[a]
                        for j in range(nw):
                            pool[top + a, j] = tmp_rows[a, j]
                nodes += steps
                lvl_start[k] = top
                lvl_count[k] = found
                lvl_next[k] = 0
                top += found
            if fail:
                rest_k = unlimited if max_disc < 0 else max_disc - disc[k]
                if slot >= 0 and not (
                    memo_val[slot] >= 0 and memo_val[slot] <= k and memo_rest[slot] >= rest_k
                ):
                    if memo_val[slot] >= 0 or memo_used * 4 < memo_slots * 3:
                        if memo_val[slot] < 0:
                            memo_used += 1
                        for j in range(nw):
                            memo_keys[slot, j] = assigned[k, j]
                        memo_val[slot] = k
                        memo_rest[slot] = rest_k
                k -= 1
                entering = False
                if k < 0:
                    return (INCOMPLETE if truncated else INFEASIBLE), nodes
                continue
        if lvl_next[k] < lvl_count[k] and max_disc >= 0 and disc[k] + lvl_next[k] > max_disc:
            truncated = True
            lvl_count[k] = lvl_next[k]
        if lvl_next[k] < lvl_count[k]:
            row = lvl_start[k] + lvl_next[k]
            disc[k + 1] = disc[k] + lvl_next[k]
            lvl_next[k] += 1
            for j in range(nw):
                assigned[k + 1, j] = assigned[k, j] | pool[row, j]
            idle[k + 1] = idle[k] + pool_idle[row]
            k += 1
            entering = True
            continue
        # every load of wave k + 1 failed: remember the state
        h = 0
        for j in range(nw):
            h = (h * 1000003 + assigned[k, j]) % 2147483647
        slot = h & (memo_slots - 1)
        while memo_val[slot] >= 0:
            same = True
            for j in range(nw):
                if memo_keys[slot, j] != assigned[k, j]:
                    same = False
                    break
            if same:
                break
            slot = (slot + 1) & (memo_slots - 1)
        rest_k = unlimited if max_disc < 0 else max_disc - disc[k]
        if memo_val[slot] < 0 or memo_val[slot] > k or memo_rest[slot] < rest_k:
            if memo_val[slot] >= 0 or memo_used * 4 < memo_slots * 3:
                if memo_val[slot] < 0:
                    memo_used += 1
                for j in range(nw):
                    memo_keys[slot, j] = assigned[k, j]
                memo_val[slot] = k
                memo_rest[slot] = rest_k
        top = lvl_start[k]
        k -= 1
        if k < 0:
            return (INCOMPLETE if truncated else INFEASIBLE), nodes
