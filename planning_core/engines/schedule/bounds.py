"""Lower bounds on the makespan of a wave schedule, independent of the crews it picks.

- **Critical path**: every wave's work at its largest crews (shortest modes) from its release, its
  cut-over after the cut-overs it must follow (and not before a fixed cut-over day), then hypercare.
- **Role energy**: a role's hours all fall between the earliest moment any activity using it can start
  (its wave's release plus the shortest preceding work) and the latest it can end (the makespan minus the
  shortest work, cut-over and hypercare after it); in between the role does at most headcount x one
  person's daily hours a day. So makespan >= min head + ceil(hours / daily capacity) + min tail.
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
    heads: dict[str, int] = {}
    tails: dict[str, int] = {}
    hours: dict[str, float] = defaultdict(float)
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
                    hours[role] += h
                    heads[role] = min(heads.get(role, head), head)
                    tails[role] = min(tails.get(role, tail), tail)
    best = cpm
    for role, total in hours.items():
        days = math.ceil(total / daily_capacity[role] - EPS)
        best = max(best, heads[role] + days + tails[role])
    return cpm, best
