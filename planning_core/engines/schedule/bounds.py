"""Lower bounds on the makespan of a wave schedule, independent of the crews it picks.

- **Critical path**: every wave's work at its largest crews (shortest modes) from its release, its
  cut-over after the cut-overs it must follow (and not before a fixed cut-over day), then hypercare.
- **Role energy**: every activity using a role has a head (its wave's release plus the shortest work
  before it) and a tail (the shortest work, cut-over and hypercare after it); a role does at most
  headcount x one person's daily hours a day. For any head ``r`` and tail ``q``, the hours of the
  activities with head >= r and tail >= q all fall between r and makespan - q, so
  makespan >= r + ceil(those hours / daily capacity) + q; the best over every (r, q) of the role's
  activities (with r and q the smallest, all the role's hours: the plain energy bound).
"""

from __future__ import annotations

import math
from collections import defaultdict

from planning_core.engines.schedule.placement import WaveTask

EPS = 1e-9


def lower_bounds(
    tasks: list[WaveTask],
    role_hours: dict[int, list[dict[str, float]]],
    daily_capacity: dict[str, float],
) -> tuple[int, int]:
    """(critical-path bound, best of it and the role-energy bounds) in working days.

    ``role_hours[wave][k]``: hours per role of the wave's k-th work activity; ``daily_capacity``: hours a
    capacity-checked role can do per working day.
    """
    by_number = {t.number: t for t in tasks}
    ready: dict[int, int] = {}
    cpm = 0
    uses: dict[str, list[tuple[int, int, float]]] = defaultdict(list)  # role -> (head, tail, hours)
    for task in sorted(tasks, key=lambda t: t.number):
        short = [modes[0].duration for modes in task.work]
        cut, care = task.tail
        start_cut = max(
            [task.release + sum(short), task.fixed or 0]
            + [ready[w] + by_number[w].tail[0] for w in task.after if w in ready]
        )
        ready[task.number] = start_cut
        cpm = max(cpm, start_cut + cut + care)
        for k, per_role in enumerate(role_hours.get(task.number, [])):
            head = task.release + sum(short[:k])
            tail = sum(short[k + 1 :]) + cut + care
            for role, h in per_role.items():
                if role in daily_capacity and h > 0:
                    uses[role].append((head, tail, h))
    best = cpm
    for role, activities in uses.items():
        best = max(best, energy_bound(activities, daily_capacity[role]))
    return cpm, best


def energy_bound(activities: list[tuple[int, int, float]], daily: float) -> int:
    """max over heads r and tails q of r + ceil(hours with head >= r and tail >= q / daily) + q."""
    by_tail = sorted(activities, key=lambda a: -a[1])
    best = 0
    for r in sorted({a[0] for a in activities}):
        total = 0.0
        for head, tail, hours in by_tail:
            if head >= r:
                total += hours
                best = max(best, r + math.ceil(total / daily - EPS) + tail)
    return best
