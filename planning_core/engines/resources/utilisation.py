"""One utilisation, from the schedule: per role and week, per role and wave, per role over the programme.

- **Per role and week**: the timeline's ``resource_load`` rows (each activity's role hours spread evenly
  over its working days; capacity = headcount x weekly hours x working days of the week / working days
  per week).
- **Per role and wave**: the wave's hours of the role against the role's capacity in the weeks the wave's
  window (first activity start to last activity end) touches, summed from the same weekly rows.
- **Per role over the programme**: the sums of the weekly rows (``utilisation_by_role``), so a page that
  adds up the weekly load finds the same figure.
- **Over-allocation** is what the schedule needs beyond capacity: hours in a week above that week's
  capacity (only roles the scheduler cannot capacity-check, those without a pool or headcount, have any).

``with_schedule_utilisation`` puts these figures on a resource allocation after the timeline phase: each
allocation row keeps its hours (labour is priced from them) and gets the schedule's capacity, utilisation
and over-allocation; the estimate's over-allocation warnings are replaced by the schedule's.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from planning_core.domain import PlanningConfig
from planning_core.engines.resources.engine import OVER_ALLOCATION_WARNING, utilisation_pct
from planning_core.engines.resources.models import ResourceAllocation, RoleUtilisation
from planning_core.engines.schedule.models import Timeline


def role_utilisation(timeline: Timeline) -> list[RoleUtilisation]:
    """Per role over the programme: the sums of the timeline's weekly load rows."""
    hours: dict[str, float] = defaultdict(float)
    capacity: dict[str, float] = defaultdict(float)
    over: dict[str, float] = defaultdict(float)
    for row in timeline.resource_load:
        hours[row.role] += row.hours
        capacity[row.role] += row.capacity_hours
        over[row.role] += max(0.0, row.hours - row.capacity_hours)
    return [
        RoleUtilisation(
            role=role,
            scheduled_hours=round(hours[role], 2),
            capacity_hours=round(capacity[role], 2),
            utilisation_pct=utilisation_pct(hours[role], capacity[role]),
            over_allocated_hours=round(over[role], 2),
        )
        for role in hours
    ]


def wave_capacity(timeline: Timeline) -> dict[tuple[int, str], tuple[float, float]]:
    """(capacity, over-allocated hours) of each role in the weeks each wave's window touches."""
    by_week: dict[str, dict[date, tuple[float, float]]] = defaultdict(dict)
    for row in timeline.resource_load:
        by_week[row.role][row.week_start] = (row.capacity_hours, max(0.0, row.hours - row.capacity_hours))
    result: dict[tuple[int, str], tuple[float, float]] = {}
    for window in timeline.waves:
        first = window.start - timedelta(days=window.start.weekday())
        for role, weeks in by_week.items():
            cap = over = 0.0
            for week, (c, o) in weeks.items():
                if first <= week <= window.end:
                    cap, over = cap + c, over + o
            result[(window.wave_number, role)] = (round(cap, 2), round(over, 2))
    return result


def with_schedule_utilisation(
    allocation: ResourceAllocation, timeline: Timeline, config: PlanningConfig
) -> ResourceAllocation:
    """The allocation with the schedule's utilisation (see the module docstring)."""
    del config  # the capacities come from the timeline's load, built from the same pools
    updated = allocation.model_copy(deep=True)
    capacity = wave_capacity(timeline)
    rows = []
    for row in updated.allocations:
        cap, over = capacity.get((row.wave_number, row.role), (0.0, 0.0))
        rows.append(
            row.model_copy(
                update={
                    "capacity_hours": cap,
                    "utilisation_pct": utilisation_pct(row.hours, cap),
                    "over_allocated": over > 0 or row.hours > cap,
                }
            )
        )
    updated.allocations = rows
    kept = [w for w in updated.warnings if OVER_ALLOCATION_WARNING not in w]
    by_role = role_utilisation(timeline)
    updated.warnings = kept + [
        f"{u.role} {OVER_ALLOCATION_WARNING} in the schedule: {u.over_allocated_hours:,.2f} h beyond capacity "
        "(no pool capacity to check it against)"
        for u in by_role
        if u.over_allocated_hours > 0
    ]
    updated.utilisation_by_role = by_role
    updated.utilisation_source = "schedule"
    return updated
